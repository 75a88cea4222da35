/**
 * The stand-in tenant images of the end-to-end suite: the smallest programs that keep the
 * promises of the tenant chart and the offboarding backup, built from test/e2e/standin-images
 * into cached archives, and loaded into the cluster's node.
 *
 *   const images = await standinImages();  // in a before hook
 *   images.repositories.backend            // "localhost/aims-standin/backend"
 *   images.versions.next                   // "1.1.0": a backend and a frontend image of that tag
 *
 * An app version is a tag under which both a backend and a frontend image exist, as
 * aims:images.tag and a tenant's image.tag expect. Archives are cached by the content key of
 * every input (sources, pinned packages, host Python and pg_dump versions, the test CA, this
 * builder's version): an unchanged build is a cache hit and costs nothing; a changed one is
 * loaded under the same tag. The images trust the suite's test CA (../test-ca.ts) and no other,
 * so their clients reach the https stand-ins of the core and of S3.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../../components/support/project-root";
import { APP_USER, BACKEND_PORT } from "../../../../components/vocabulary/app-contract";
import { type TestCa, testCa } from "../test-ca";
import { contentKey, imagesCacheDir } from "./cache";
import {
    type HostPython,
    type PostgresClient,
    hostPython,
    hostPythonCommand,
    hostShell,
    postgresClient,
} from "./host-runtime";
import { type Layer, type LayerSpec, cachedLayer } from "./layer";
import { loadImageArchive, loadImageCommand } from "./load";
import { type ImageConfig, writeImageArchive } from "./oci-archive";
import { PYTHON_PACKAGES } from "./python-packages";
import {
    APP_DIR,
    BIN_DIR,
    CA_BUNDLE,
    LIB_DIR,
    populateApp,
    populateBackupTools,
    populateCaBundle,
    populatePythonPackages,
    populatePythonRuntime,
    STDLIB_LEFT_OUT,
} from "./rootfs";

/** Raise it whenever a change here changes what the images hold: every key changes with it. */
export const BUILDER_VERSION = "4";
export const REPOSITORY_PREFIX = "localhost/aims-standin";
/** The backup image's tag, as aims:backup.image must name one. */
export const BACKUP_TAG = "15";
export const STANDIN_SOURCES = path.join(PROJECT_ROOT, "test", "e2e", "standin-images");

/** What makes a variant differ from its image: the settings in /app/standin-variant.json. */
export interface Variant {
    readonly name: string;
    /** The app version the image reports. */
    readonly version?: string;
    /** Variables the app requires beyond the chart's contract. */
    readonly extraRequired?: readonly string[];
    /** A migration `manage.py migrate` fails on, after applying the ones before it. */
    readonly failMigration?: string;
}

export const VARIANTS = {
    /** `migrate` fails: "stand-in: migration 0002 failed: ...". */
    migrationFails: { name: "migration-fails", failMigration: "0002" },
    /** Requires a variable the chart does not set, so every container exits at start naming it. */
    extraRequiredSetting: { name: "extra-setting", extraRequired: ["AIMS_NEW_REQUIRED_SETTING"] },
} as const satisfies Record<string, Variant>;

/**
 * The app versions the suite deploys. `next` behaves as `current` and differs only in the version
 * it reports, so a change between them is a plain upgrade; the others cannot start.
 */
export const APP_VERSIONS = {
    current: { tag: "1.0.0" },
    next: { tag: "1.1.0" },
    /** Every container exits at start naming AIMS_NEW_REQUIRED_SETTING. */
    missingSetting: { tag: "1.2.0", variant: VARIANTS.extraRequiredSetting },
    /** `migrate` fails on migration 0002, after applying 0001. */
    failingMigration: { tag: "1.3.0", variant: VARIANTS.migrationFails },
} as const satisfies Record<string, { tag: string; variant?: Variant }>;

export type AppVersionName = keyof typeof APP_VERSIONS;

export type AppName = "backend" | "frontend" | "backup";

export interface ImageRef {
    readonly repository: string;
    readonly tag: string;
    /** repository:tag */
    readonly image: string;
    /** The archive in the cache. */
    readonly archive: string;
}

export interface StandinImages {
    readonly repositories: { readonly backend: string; readonly frontend: string };
    /** The tag of each app version: a backend and a frontend image exist under it. */
    readonly versions: { readonly [name in AppVersionName]: string };
    readonly backup: ImageRef;
    /** Every archive, for the node to load. */
    readonly archives: readonly string[];
}

/** The app's files in the image's /app, from the sources folder. */
export function appFiles(app: AppName, sources: string = STANDIN_SOURCES): string[] {
    const own = path.join(sources, app);
    const files = fs
        .readdirSync(own)
        .filter((name) => name.endsWith(".py"))
        .sort()
        .map((name) => path.join(own, name));
    return app === "backup" ? [] : [path.join(sources, "contract.py"), ...files];
}

/** The folder an app runs from: its files, and the variant's settings; for tests on the host. */
export function stageApp(
    app: AppName,
    target: string,
    variant?: Variant,
    sources?: string,
): string {
    populateApp(target, appFiles(app, sources), variant);
    return path.join(target, APP_DIR);
}

export interface HostInputs {
    readonly python: HostPython;
    readonly pythonCommand: string;
    readonly postgres?: PostgresClient;
    readonly ca: Pick<TestCa, "certPem" | "fingerprint">;
}

const fileKeyParts = (files: readonly string[]) =>
    files.flatMap((file) => [path.basename(file), fs.readFileSync(file)]);

function runtimeLayer({ python }: HostInputs): LayerSpec {
    return {
        name: "python-runtime",
        key: contentKey([
            BUILDER_VERSION,
            "python-runtime",
            python.executable,
            python.version,
            String(fs.statSync(python.executable).size),
            ...STDLIB_LEFT_OUT,
        ]),
        populate: (root) => populatePythonRuntime(root, python),
    };
}

function packagesLayer(app: "backend" | "backup", host: HostInputs): LayerSpec {
    const pins = PYTHON_PACKAGES[app];
    return {
        name: `python-packages-${app}`,
        key: contentKey([BUILDER_VERSION, "python-packages", host.python.version, ...pins]),
        populate: (root) => populatePythonPackages(root, host.python, host.pythonCommand, pins),
    };
}

/** The test CA as the image's CA bundle, keyed by its fingerprint: a new CA makes new images. */
export function caLayer(ca: HostInputs["ca"]): LayerSpec {
    return {
        name: "test-ca",
        key: contentKey([BUILDER_VERSION, "test-ca", CA_BUNDLE, ca.fingerprint]),
        populate: (root) => populateCaBundle(root, ca.certPem),
    };
}

function backupToolsLayer(postgres: PostgresClient, sources: string): LayerSpec {
    const wrapper = path.join(sources, "backup", "aws");
    const shell = hostShell();
    return {
        name: "backup-tools",
        key: contentKey([
            BUILDER_VERSION,
            "backup-tools",
            postgres.version,
            postgres.pgDump,
            shell,
            String(fs.statSync(shell).size),
            fs.readFileSync(wrapper),
        ]),
        populate: (root) => populateBackupTools(root, postgres, wrapper),
    };
}

export function appLayer(
    app: "backend" | "frontend",
    sources: string,
    variant?: Variant,
): LayerSpec {
    const files = appFiles(app, sources);
    const extraDirs = app === "frontend" ? [`${APP_DIR}/.next/cache`] : [];
    return {
        name: `app-${app}${variant ? `-${variant.name}` : ""}`,
        key: contentKey([
            BUILDER_VERSION,
            "app",
            app,
            JSON.stringify(variant ?? null),
            ...extraDirs,
            ...fileKeyParts(files),
        ]),
        populate: (root) => populateApp(root, files, variant, extraDirs),
    };
}

export const BASE_ENV = [
    `PATH=${BIN_DIR}:/usr/bin:/bin`,
    `LD_LIBRARY_PATH=${LIB_DIR}`,
    "LANG=C.UTF-8",
    "HOME=/tmp",
    "PYTHONDONTWRITEBYTECODE=1",
    "PYTHONUNBUFFERED=1",
    // Python's ssl (through OpenSSL) and botocore, which brings its own bundle otherwise.
    `SSL_CERT_FILE=${CA_BUNDLE}`,
    `AWS_CA_BUNDLE=${CA_BUNDLE}`,
];

export interface ImageDefinition {
    readonly repository: string;
    readonly layers: readonly LayerSpec[];
    readonly config: ImageConfig;
}

export function appImage(
    app: "backend" | "frontend",
    host: HostInputs,
    sources: string,
    variant?: Variant,
): ImageDefinition {
    const command =
        app === "backend"
            ? ["python", "manage.py", "runserver", `0.0.0.0:${BACKEND_PORT}`]
            : ["python", "server.py"];
    return {
        repository: `${REPOSITORY_PREFIX}/${app}`,
        layers: [
            runtimeLayer(host),
            caLayer(host.ca),
            ...(app === "backend" ? [packagesLayer("backend", host)] : []),
            appLayer(app, sources, variant),
        ],
        config: { user: String(APP_USER.uid), env: BASE_ENV, cmd: command, workingDir: APP_DIR },
    };
}

function backupImage(host: HostInputs, sources: string): ImageDefinition {
    if (!host.postgres) throw new Error("the backup image needs the PostgreSQL client");
    return {
        repository: `${REPOSITORY_PREFIX}/backup`,
        layers: [
            runtimeLayer(host),
            caLayer(host.ca),
            packagesLayer("backup", host),
            backupToolsLayer(host.postgres, sources),
        ],
        config: {
            user: String(APP_USER.uid),
            env: BASE_ENV,
            cmd: ["sh", "-c", "pg_dump --version && pg_restore --version && aws --version"],
            workingDir: "/tmp",
        },
    };
}

/** The content key of an image: of its layers' keys and its config. */
export function imageKey(definition: ImageDefinition): string {
    return contentKey([
        BUILDER_VERSION,
        definition.repository,
        JSON.stringify(definition.config),
        ...definition.layers.map((layer) => layer.key),
    ]).slice(0, 20);
}

async function buildImage(
    definition: ImageDefinition,
    tag: string,
    cacheDir: string,
): Promise<ImageRef> {
    const image = `${definition.repository}:${tag}`;
    const name = `${definition.repository.split("/").pop()}-${tag}-${imageKey(definition)}.tar`;
    const archive = path.join(cacheDir, name);
    if (!fs.existsSync(archive)) {
        const layers: Layer[] = [];
        for (const spec of definition.layers) layers.push(await cachedLayer(spec, cacheDir));
        writeImageArchive(archive, image, layers, definition.config);
    }
    return { repository: definition.repository, tag, image, archive };
}

export interface BuildOptions {
    readonly env?: NodeJS.ProcessEnv;
    readonly sources?: string;
}

/** Every stand-in image and variant as an archive in the cache, built where missing. */
export async function buildStandinImages(options: BuildOptions = {}): Promise<StandinImages> {
    const env = options.env ?? process.env;
    const sources = options.sources ?? STANDIN_SOURCES;
    const cacheDir = imagesCacheDir(env);
    const host: HostInputs = {
        python: hostPython(env),
        pythonCommand: hostPythonCommand(env),
        postgres: postgresClient(env),
        ca: testCa(env),
    };
    const archives: string[] = [];
    const versions: Partial<Record<AppVersionName, string>> = {};
    for (const [name, version] of Object.entries(APP_VERSIONS)) {
        // Each image says which version it is, as the real ones do.
        const variant: Variant =
            "variant" in version
                ? { ...version.variant, version: version.tag }
                : { name: version.tag, version: version.tag };
        for (const app of ["backend", "frontend"] as const) {
            const built = await buildImage(
                appImage(app, host, sources, variant),
                version.tag,
                cacheDir,
            );
            archives.push(built.archive);
        }
        versions[name as AppVersionName] = version.tag;
    }
    const backup = await buildImage(backupImage(host, sources), BACKUP_TAG, cacheDir);
    return {
        repositories: {
            backend: `${REPOSITORY_PREFIX}/backend`,
            frontend: `${REPOSITORY_PREFIX}/frontend`,
        },
        versions: versions as StandinImages["versions"],
        backup,
        archives: [...archives, backup.archive],
    };
}

let built: Promise<StandinImages> | undefined;

/** The stand-in images, built (cached) and loaded into the cluster's node (AIMS_E2E_LOAD_IMAGE). */
export function standinImages(): Promise<StandinImages> {
    loadImageCommand(); // before a long build: fails saying what to set
    built ??= buildStandinImages().then((images) => {
        for (const archive of images.archives) loadImageArchive(archive);
        return images;
    });
    return built;
}

/**
 * A real stack of the program for the end-to-end suite: a throw-away copy of the project whose
 * tenants the test writes, a local file backend and the passphrase secrets provider in temporary
 * directories, and a stack configured for the platform the suite was given. It is driven through
 * Pulumi's Automation API, the same engine `pulumi up` runs.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    EngineEvent,
    LocalWorkspace,
    OpType,
    PreviewResult,
    Stack,
    UpResult,
} from "@pulumi/pulumi/automation";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../../../components/support/project-root";
import { StandinImages, standinImages } from "./images/standin-images";
import { installedPluginsDir, Platform } from "./platform";
import { testCa } from "./test-ca";
import { configuredMode, ProgramMode, setProgramMode } from "./program-mode";

/** Linked into the copy from the program's folder: its code and its chart. */
const LINKED = ["components", "schema", "charts"];
const COPIED = ["index.ts", "tsconfig.json", "tsconfig.build.json"];
export const POLICY_PACK = path.join(PROJECT_ROOT, "policy");
export const FIXTURES = path.join(PROJECT_ROOT, "test", "e2e", "fixtures");

export const STACK = "e2e";
const AUTOVACUUM_REFUSAL = /must be a superuser to terminate superuser process/;
export const BASE_DOMAIN = "e2e.aims.example.org";

export interface StackOptions {
    /** How Pulumi runs the program; by default as the project's Pulumi.yaml says. */
    readonly program?: ProgramMode;
    /**
     * The folder of the program the stack runs: this checkout by default, or another version of
     * the program with the same layout (previous-program.ts).
     */
    readonly source?: string;
    /** Added to the environment of every Pulumi command on the stack. */
    readonly environment?: Readonly<Record<string, string>>;
    /** aims:kubernetes.waitForReady; true by default, as in prod. */
    readonly waitForReady?: boolean;
}

/** A resource of the stack's state: its URN, options, and inputs and outputs (secrets encrypted). */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    readonly inputs?: Record<string, any>;
    readonly outputs?: Record<string, any>;
}

/** A tenant file as the test writes it. */
export interface TenantFile {
    readonly name: string;
    readonly plan: "small" | "standard" | "large";
    readonly status?: "active" | "suspended" | "offboarding";
    /** Take over a school the Argo CD setup runs (docs/adoption.md). */
    readonly adopt?: boolean;
    /** The shard stack of dev that deploys it; shard 1 when unset. */
    readonly stackShard?: number;
    /** A custom host instead of `<name>.<base domain>`. */
    readonly domain?: string;
    /** The school's id in the core; required when the stack has aims:core. */
    readonly schoolId?: string;
    /** Its ring, when the stack has rings. */
    readonly ring?: string;
    /** The app version this tenant is pinned to (image.tag). */
    readonly imageTag?: string;
    /** The dump its database is restored from, in the stack's environment. */
    readonly restore?: { readonly dump: string; readonly versionId?: string };
}

/** What a command of the Pulumi CLI printed, its exit status and how long it took. */
export interface CliRun {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

/** A step's start or its end, as the engine reported it. */
export interface StepEvent {
    readonly urn: string;
    readonly op: OpType;
    readonly phase: "started" | "done";
}

/** What one operation did to each resource, by URN. */
export interface OperationRecord {
    readonly seconds: number;
    /** The steps of each resource, in order: an import that also updates is `import`, then `update`. */
    readonly ops: ReadonlyMap<string, readonly OpType[]>;
    /** Every step's start and end, in the order the engine reported them. */
    readonly events: readonly StepEvent[];
    /** Steps other than `same`, leaving out the guard's read of the stack's outputs. */
    readonly changed: readonly { urn: string; op: OpType }[];
    readonly diagnostics: readonly { severity: string; message: string }[];
}

export class RealStack {
    private constructor(
        readonly dir: string,
        private readonly stateDir: string,
        private readonly stack: Stack,
        private readonly mode: ProgramMode,
        readonly name: string,
    ) {}

    /** Creates the stack on a fresh backend, configured for `platform`, with no tenant yet. */
    static async create(platform: Platform, options: StackOptions = {}): Promise<RealStack> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-project-"));
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
        const mode = options.program ?? configuredMode(PROJECT_ROOT);
        placeProgram(options.source ?? PROJECT_ROOT, dir, mode);
        fs.mkdirSync(path.join(dir, "tenants"));
        return RealStack.configure(dir, STACK, platform, mode, options);
    }

    /**
     * Another shard stack of the same environment in this stack's project copy, `<name>-<shard>`,
     * on a backend of its own: the two share the tenant files, as shard stacks do.
     */
    async addShard(platform: Platform, shard: number): Promise<RealStack> {
        const name = `${STACK}-${shard}`;
        const sibling = await RealStack.configure(this.dir, name, platform, this.mode, {});
        sibling.editConfig((config) => ({ ...config, "aims:stackShard": shard }));
        return sibling;
    }

    private static async configure(
        dir: string,
        name: string,
        platform: Platform,
        mode: ProgramMode,
        options: StackOptions,
    ): Promise<RealStack> {
        const { stack, stateDir } = await createIsolatedStack(dir, name, options.environment);
        const real = new RealStack(dir, stateDir, stack, mode, name);
        const images = await standinImages();
        // A program from before the pods ran knows neither the pull policy setting nor a rollout
        // check: its stack waits for no pod, as it did then.
        const earlier = options.source !== undefined && options.source !== PROJECT_ROOT;
        real.editConfig(() =>
            stackConfig(
                platform,
                images,
                earlier ? false : (options.waitForReady ?? true),
                !earlier,
            ),
        );
        await stack.setConfig(
            "aims:database.password",
            { value: platform.admin.password, secret: true },
            true,
        );
        await stack.setConfig(
            "aims:backup.secretAccessKey",
            { value: crypto.randomBytes(12).toString("hex"), secret: true },
            true,
        );
        return real;
    }

    /** Sets a secret of the stack's config, such as `aims:core.bootstrapSecret`. */
    async setSecret(key: string, value: string): Promise<void> {
        await this.stack.setConfig(key, { value, secret: true }, true);
    }

    /** From now on the stack runs the program in `source` (this checkout by default); its tenants and config stay. */
    useProgram(source: string = PROJECT_ROOT): void {
        placeProgram(source, this.dir, this.mode);
    }

    /** The environment every Pulumi command on the stack runs with: its backend, home and passphrase. */
    pulumiEnvironment(): Record<string, string> {
        return { ...this.stack.workspace.envVars };
    }

    /** Replaces the tenant files with `tenants`, all enabled in the stack's environment only. */
    writeTenants(tenants: readonly TenantFile[]): void {
        const folder = path.join(this.dir, "tenants");
        for (const file of fs.readdirSync(folder).filter((f) => f.endsWith(".yaml")))
            fs.rmSync(path.join(folder, file));
        for (const tenant of tenants) {
            const document = {
                name: tenant.name,
                displayName: `E2E ${tenant.name}`,
                environments: ["dev"],
                plan: tenant.plan,
                status: tenant.status ?? "active",
                ...(tenant.adopt && { adopt: true }),
                ...(tenant.stackShard && { stackShard: { dev: tenant.stackShard } }),
                ...(tenant.domain && { domain: tenant.domain }),
                ...(tenant.schoolId && { schoolId: tenant.schoolId }),
                ...(tenant.ring && { ring: tenant.ring }),
                ...(tenant.imageTag && { image: { tag: tenant.imageTag } }),
                ...(tenant.restore && { restore: { dev: tenant.restore } }),
            };
            fs.writeFileSync(path.join(folder, `${tenant.name}.yaml`), yaml.dump(document));
        }
    }

    /** Changes the stack's plain `aims:` config in its file; secrets set with setConfig stay as they are. */
    editConfig(edit: (config: Record<string, unknown>) => Record<string, unknown>): void {
        const file = path.join(this.dir, `Pulumi.${this.name}.yaml`);
        const document = (fs.existsSync(file) ? yaml.load(fs.readFileSync(file, "utf8")) : {}) as {
            config?: Record<string, unknown>;
        };
        document.config = edit({ ...(document.config ?? {}) });
        fs.writeFileSync(file, yaml.dump(document));
    }

    async preview(
        options: { refresh?: boolean; policyPacks?: string[] } = {},
    ): Promise<OperationRecord> {
        return this.recorded((onEvent) => this.stack.preview({ ...options, onEvent }));
    }

    async up(): Promise<OperationRecord> {
        return this.recorded((onEvent) => this.stack.up({ onEvent }));
    }

    /**
     * Once more when PostgreSQL refused to end an autovacuum worker's session in a database being
     * dropped (docs/real-engine.md, "Seen once, not yet handled"): the worker is gone by then.
     */
    async destroy(): Promise<OperationRecord> {
        const destroy = () => this.recorded((onEvent) => this.stack.destroy({ onEvent }));
        return destroy().catch((err: Error) => {
            if (!AUTOVACUUM_REFUSAL.test(err.message)) throw err;
            console.error(
                "destroy: PostgreSQL refused to end a superuser session; destroying again",
            );
            return destroy();
        });
    }

    /**
     * A command of the Pulumi CLI on this stack, as a pipeline runs it: `pulumi <args> --stack
     * <name> --non-interactive` in the project copy, with the stack's environment.
     */
    pulumi(args: readonly string[]): CliRun {
        const started = Date.now();
        const result = spawnSync("pulumi", [...args, "--stack", this.name, "--non-interactive"], {
            cwd: this.dir,
            encoding: "utf8",
            env: { ...process.env, ...this.pulumiEnvironment() },
            maxBuffer: 1024 * 1024 * 1024,
        });
        if (result.error) throw result.error;
        return {
            status: result.status ?? -1,
            stdout: result.stdout,
            stderr: result.stderr,
            seconds: (Date.now() - started) / 1000,
        };
    }

    /** `pulumi preview --json` with `args` added (say `--policy-pack`, `--target`): the plan as data. */
    previewJson(args: readonly string[] = []): CliRun {
        return this.pulumi(["preview", "--json", ...args]);
    }

    async outputs(): Promise<Record<string, unknown>> {
        return Object.fromEntries(
            Object.entries(await this.stack.outputs()).map(([key, output]) => [key, output.value]),
        );
    }

    /** URNs of every resource in the stack's state. */
    async resourceUrns(): Promise<string[]> {
        const state = await this.stack.exportStack();
        return (state.deployment.resources ?? []).map((resource: { urn: string }) => resource.urn);
    }

    /** Every resource in the stack's state, as `pulumi stack export` has it (secret values encrypted). */
    async stateResources(): Promise<StateResource[]> {
        const state = await this.stack.exportStack();
        return state.deployment.resources ?? [];
    }

    /** The operations a killed update left in flight, as `pulumi stack export` has them. */
    async pendingOperations(): Promise<{ type: string; resource: StateResource }[]> {
        const state = await this.stack.exportStack();
        return state.deployment.pending_operations ?? [];
    }

    /** Deletes the copy and the backend; the stack's resources must be gone already. */
    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
        fs.rmSync(this.stateDir, { recursive: true, force: true });
    }

    /**
     * A suite's cleanup: `prepare` (say, lift data protection), destroy, remove. A failure is
     * logged and the copy kept for a look, so that the test's own failure stays the reported one.
     */
    async tearDown(prepare?: () => unknown): Promise<void> {
        try {
            await prepare?.();
            await this.destroy();
            this.remove();
        } catch (err) {
            console.error(
                `cleanup: destroy failed, the stack is kept in ${this.dir}: ${(err as Error).message}`,
            );
        }
    }

    private async recorded(
        run: (onEvent: (event: EngineEvent) => void) => Promise<PreviewResult | UpResult | unknown>,
    ): Promise<OperationRecord> {
        const ops = new Map<string, OpType[]>();
        const events: StepEvent[] = [];
        const diagnostics: { severity: string; message: string }[] = [];
        const onEvent = (event: EngineEvent) => {
            const step = event.resourcePreEvent?.metadata;
            if (step) {
                ops.set(step.urn, [...(ops.get(step.urn) ?? []), step.op]);
                events.push({ urn: step.urn, op: step.op, phase: "started" });
            }
            const done = event.resOutputsEvent?.metadata;
            if (done) events.push({ urn: done.urn, op: done.op, phase: "done" });
            // Debug diagnostics echo resource outputs, generated secrets included: keep only what a user sees.
            if (
                event.diagnosticEvent &&
                ["error", "warning", "info"].includes(event.diagnosticEvent.severity)
            ) {
                diagnostics.push({
                    severity: event.diagnosticEvent.severity,
                    message: event.diagnosticEvent.message,
                });
            }
            if (event.policyEvent) {
                diagnostics.push({
                    severity: `policy:${event.policyEvent.enforcementLevel}`,
                    message: `${event.policyEvent.policyName}: ${event.policyEvent.message}`,
                });
            }
        };
        const started = Date.now();
        await run(onEvent);
        const changed = [...ops]
            .flatMap(([urn, steps]) => steps.map((op) => ({ urn, op })))
            .filter(({ urn, op }) => op !== "same" && !isGuardRead(urn, op));
        return { seconds: (Date.now() - started) / 1000, ops, events, changed, diagnostics };
    }
}

/** Links and copies the program in `source` into the project copy `dir`, replacing what was there, and sets how Pulumi runs it. */
function placeProgram(source: string, dir: string, mode: ProgramMode): void {
    for (const entry of LINKED) {
        fs.rmSync(path.join(dir, entry), { force: true });
        fs.symlinkSync(path.join(source, entry), path.join(dir, entry));
    }
    for (const entry of COPIED) fs.copyFileSync(path.join(source, entry), path.join(dir, entry));
    setProgramMode(source, dir, mode);
}

/** The tenant a resource belongs to: its name is the tenant's, or starts with `<tenant>-`. */
export const tenantOfUrn = (urn: string): string => urn.split("::").pop()!.split("-")[0];

/** The deletion guard reads the stack's own outputs through a StackReference on every run: not a change. */
function isGuardRead(urn: string, op: OpType): boolean {
    return op === "read" && urn.includes("::pulumi:pulumi:StackReference::");
}

/**
 * A new stack of the project in `workDir`, on its own file backend with the passphrase secrets
 * provider and its own PULUMI_HOME, all in `stateDir`, with `environment` added to every
 * command's. The engine never downloads a provider: it finds them on the PATH, or in the plugins
 * folder that AIMS_E2E_PLUGINS_DIR names (platform.ts), linked into that PULUMI_HOME.
 */
export async function createIsolatedStack(
    workDir: string,
    stackName: string,
    environment: Readonly<Record<string, string>> = {},
): Promise<{ stack: Stack; stateDir: string }> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-state-"));
    fs.mkdirSync(path.join(stateDir, "home"));
    const plugins = installedPluginsDir();
    if (plugins) fs.symlinkSync(plugins, path.join(stateDir, "home", "plugins"));
    fs.mkdirSync(path.join(stateDir, "backend"));
    const stack = await LocalWorkspace.createStack(
        { stackName, workDir },
        {
            secretsProvider: "passphrase",
            envVars: {
                PULUMI_HOME: path.join(stateDir, "home"),
                PULUMI_BACKEND_URL: `file://${path.join(stateDir, "backend")}`,
                PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(16).toString("hex"),
                PULUMI_SKIP_UPDATE_CHECK: "true",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
                // The core cleanup runs where `pulumi up` runs and calls the suite's https core stand-in.
                NODE_EXTRA_CA_CERTS: testCa().certFile,
                ...environment,
            },
        },
    );
    return { stack, stateDir };
}

/**
 * The stack's plain config: the platform's cluster and database, the stand-in images loaded onto
 * its nodes, no data protection. Pods reach the database at the node's host address.
 */
function stackConfig(
    platform: Platform,
    images: StandinImages,
    waitForReady: boolean,
    setsPullPolicy: boolean,
): Record<string, unknown> {
    return {
        "aims:environment": "dev",
        "aims:platform": "kubernetes",
        "aims:baseDomain": BASE_DOMAIN,
        "aims:protectData": false,
        "aims:images": {
            frontend: images.repositories.frontend,
            backend: images.repositories.backend,
            tag: images.versions.current,
        },
        "aims:database": {
            host: platform.pgHost,
            port: platform.pgPort,
            username: platform.admin.user,
            sslmode: "disable",
            // The tenants' Secrets point here, so the suite logs in with exactly what a pod gets.
            appHost: platform.nodeHost,
            appPort: platform.pgPort,
        },
        "aims:kubernetes": {
            ...(platform.kubeContext && { context: platform.kubeContext }),
            ingressClass: "traefik",
            clusterIssuer: "letsencrypt-staging",
            ingressNamespace: "ingress",
            waitForReady,
            // The images are loaded onto the nodes; no registry serves them.
            ...(setsPullPolicy && { imagePullPolicy: "IfNotPresent" }),
        },
        "aims:backup": {
            bucket: "aims-e2e-tenant-backups",
            region: "eu-west-1",
            image: images.backup.image,
            accessKeyId: "aims-e2e-backup-writer",
        },
    };
}

/**
 * The contents of each layer of the stand-in images, assembled in a folder: the host's Python
 * runtime with a trimmed standard library, packages from PyPI, the PostgreSQL client and sh, and
 * the stand-in apps. Programs go to /usr/local/bin and every library they link to
 * /usr/local/lib (the images' LD_LIBRARY_PATH); the dynamic loader keeps its own path.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { APP_USER } from "../../../../components/vocabulary/app-contract";
import {
    type HostPython,
    type PostgresClient,
    hostShell,
    runtimeLoadedLibraries,
    linkedLibraries,
} from "./host-runtime";

export const BIN_DIR = "/usr/local/bin";
export const LIB_DIR = "/usr/local/lib";
export const APP_DIR = "/app";
/** Where Debian keeps its CA bundle; the images' SSL_CERT_FILE and AWS_CA_BUNDLE name it. */
export const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** Parts of the standard library no stand-in needs. */
export const STDLIB_LEFT_OUT = [
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "ensurepip",
    "site-packages",
    "lib2to3",
    "__pycache__",
];

const inRoot = (root: string, file: string) => path.join(root, file);

function copyFile(source: string, target: string): void {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(fs.realpathSync(source), target);
    fs.chmodSync(target, fs.statSync(source).mode & 0o755);
}

/** The libraries the ELF files link, into /usr/local/lib, and the loader at its own path. */
export function copyLinkedLibraries(root: string, elfFiles: readonly string[]): void {
    const { loader, libraries } = linkedLibraries(elfFiles);
    if (loader) copyFile(loader, inRoot(root, loader));
    for (const library of [...libraries, ...runtimeLoadedLibraries()]) {
        copyFile(library, inRoot(root, path.join(LIB_DIR, path.basename(library))));
    }
}

export function sitePackagesDir(python: HostPython): string {
    return `${LIB_DIR}/python${python.series}/site-packages`;
}

/** The interpreter as /usr/local/bin/python3.X (python3, python), so its prefix is /usr/local. */
export function populatePythonRuntime(root: string, python: HostPython): void {
    const interpreter = `${BIN_DIR}/python${python.series}`;
    copyFile(python.executable, inRoot(root, interpreter));
    for (const alias of ["python3", "python"]) {
        fs.symlinkSync(path.basename(interpreter), inRoot(root, `${BIN_DIR}/${alias}`));
    }
    const libpython = python.libpython
        ? [inRoot(root, `${LIB_DIR}/${path.basename(python.libpython)}`)]
        : [];
    if (python.libpython) copyFile(python.libpython, libpython[0]);

    const stdlib = inRoot(root, `${LIB_DIR}/python${python.series}`);
    fs.cpSync(python.stdlib, stdlib, {
        recursive: true,
        dereference: true,
        filter: (source) => keptInStdlib(python.stdlib, source),
    });
    const extensions = path.join(stdlib, "lib-dynload");
    if (!fs.existsSync(extensions)) fs.cpSync(python.extensions, extensions, { recursive: true });
    fs.mkdirSync(inRoot(root, sitePackagesDir(python)), { recursive: true });

    const extensionFiles = fs
        .readdirSync(extensions)
        .filter((name) => name.endsWith(".so"))
        .map((name) => path.join(extensions, name));
    copyLinkedLibraries(root, [python.executable, ...extensionFiles, ...libpython]);
    populateSystemFiles(root);
}

function keptInStdlib(stdlib: string, source: string): boolean {
    const relative = path.relative(stdlib, source);
    const parts = relative.split(path.sep);
    if (parts.some((part) => STDLIB_LEFT_OUT.includes(part))) return false;
    if (parts[0].startsWith("config-")) return false; // the static libpython and its Makefile
    if (parts[0] === "lib-dynload" && /^_(test|tkinter|xxtest|ctypes_test)/.test(parts[1] ?? ""))
        return false;
    return !relative.endsWith(".pyc");
}

/** The app user (for programs that look themselves up, like libpq) and a world-writable /tmp. */
function populateSystemFiles(root: string): void {
    const { uid, gid } = APP_USER;
    fs.mkdirSync(inRoot(root, "etc"), { recursive: true });
    fs.writeFileSync(
        inRoot(root, "etc/passwd"),
        `root:x:0:0:root:/:/bin/sh\napp:x:${uid}:${gid}:app:/tmp:/bin/sh\n`,
    );
    fs.writeFileSync(inRoot(root, "etc/group"), `root:x:0:\napp:x:${gid}:\n`);
    fs.mkdirSync(inRoot(root, "tmp"));
    fs.chmodSync(inRoot(root, "tmp"), 0o1777);
}

/** PyPI packages into site-packages, exactly the pinned set (no dependency resolution). */
export function populatePythonPackages(
    root: string,
    python: HostPython,
    pythonCommand: string,
    pins: readonly string[],
): void {
    const target = inRoot(root, sitePackagesDir(python));
    execFileSync(
        pythonCommand,
        [
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            "--no-compile",
            "--no-deps",
            "--ignore-installed",
            "--only-binary=:all:",
            "--target",
            target,
            ...pins,
        ],
        {
            stdio: ["ignore", "inherit", "inherit"],
            env: { ...process.env, PIP_ROOT_USER_ACTION: "ignore" },
        },
    );
    // Console scripts pointing at the host's interpreter, and the CLI's help examples.
    fs.rmSync(path.join(target, "bin"), { recursive: true, force: true });
    fs.rmSync(path.join(target, "awscli", "examples"), { recursive: true, force: true });
    const extensions = findFiles(target, (name) => name.endsWith(".so"));
    copyLinkedLibraries(root, extensions);
}

function findFiles(dir: string, matches: (name: string) => boolean): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && matches(entry.name))
        .map((entry) => path.join(entry.parentPath, entry.name));
}

/** sh, pg_dump, pg_restore and the aws CLI's wrapper: what the backup and restore scripts call. */
export function populateBackupTools(
    root: string,
    client: PostgresClient,
    awsWrapper: string,
): void {
    const shell = hostShell();
    copyFile(shell, inRoot(root, "bin/sh"));
    copyFile(client.pgDump, inRoot(root, `${BIN_DIR}/pg_dump`));
    copyFile(client.pgRestore, inRoot(root, `${BIN_DIR}/pg_restore`));
    copyFile(awsWrapper, inRoot(root, `${BIN_DIR}/aws`));
    copyLinkedLibraries(root, [shell, client.pgDump, client.pgRestore]);
}

/** The CAs the images trust, as their only bundle. */
export function populateCaBundle(root: string, certificatesPem: string): void {
    fs.mkdirSync(path.dirname(inRoot(root, CA_BUNDLE)), { recursive: true });
    fs.writeFileSync(inRoot(root, CA_BUNDLE), certificatesPem);
}

/** The stand-in app's files into /app, and the variant's settings beside them. */
export function populateApp(
    root: string,
    files: readonly string[],
    variant: object | undefined,
    extraDirs: readonly string[] = [],
): void {
    const app = inRoot(root, APP_DIR);
    fs.mkdirSync(app, { recursive: true });
    for (const file of files) copyFile(file, path.join(app, path.basename(file)));
    if (variant) {
        fs.writeFileSync(
            path.join(app, "standin-variant.json"),
            `${JSON.stringify(variant, null, 2)}\n`,
        );
    }
    for (const dir of extraDirs) fs.mkdirSync(inRoot(root, dir), { recursive: true });
}

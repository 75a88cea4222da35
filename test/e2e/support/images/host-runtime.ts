/**
 * The programs the stand-in images are assembled from, found on this machine: its Python 3 (the
 * real interpreter behind any pyenv shim), its sh, the real pg_dump and pg_restore binaries, and
 * the libraries each of them links, as ldd resolves them.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface HostPython {
    /** The interpreter itself, symlinks resolved. */
    readonly executable: string;
    /** "3.11" */
    readonly series: string;
    /** "3.11.7" */
    readonly version: string;
    /** The standard library folder (os.py is in it). */
    readonly stdlib: string;
    /** The extension modules' folder (lib-dynload). */
    readonly extensions: string;
    /** libpython when the interpreter links it, undefined when it is built in. */
    readonly libpython?: string;
}

const PROBE = `
import json, os, sys, sysconfig
v = sysconfig.get_config_vars()
soname = v.get("INSTSONAME") or ""
linked = ".so" in soname and os.path.join(v["LIBDIR"], soname)
print(json.dumps({
    "executable": os.path.realpath(sys.executable),
    "series": "%d.%d" % sys.version_info[:2],
    "version": "%d.%d.%d" % sys.version_info[:3],
    "stdlib": sysconfig.get_path("stdlib"),
    "extensions": os.path.join(sysconfig.get_path("platstdlib"), "lib-dynload"),
    "libpython": os.path.realpath(linked) if linked and os.path.exists(linked) else None,
}))
`;

/** The Python the images and the unit tests run: AIMS_STANDIN_PYTHON, else python3 on the PATH. */
export function hostPythonCommand(env: NodeJS.ProcessEnv = process.env): string {
    return env.AIMS_STANDIN_PYTHON || "python3";
}

export function hostPython(env: NodeJS.ProcessEnv = process.env): HostPython {
    const found = JSON.parse(
        execFileSync(hostPythonCommand(env), ["-c", PROBE], { encoding: "utf8" }),
    ) as HostPython & { libpython: string | null };
    if (Number(found.series.split(".")[0]) !== 3) {
        throw new Error(
            `the stand-in images need Python 3; ${found.executable} is ${found.version}`,
        );
    }
    return { ...found, libpython: found.libpython ?? undefined };
}

export interface PostgresClient {
    readonly pgDump: string;
    readonly pgRestore: string;
    /** "pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)" */
    readonly version: string;
}

/**
 * The real pg_dump and pg_restore: AIMS_STANDIN_PG_BINDIR, else `pg_config --bindir`, else the
 * newest /usr/lib/postgresql/<major>/bin. Debian's /usr/bin/pg_dump is a Perl wrapper, not the program.
 */
export function postgresClient(env: NodeJS.ProcessEnv = process.env): PostgresClient {
    const candidates = [env.AIMS_STANDIN_PG_BINDIR, pgConfigBindir(), ...debianBindirs()].filter(
        (dir): dir is string => Boolean(dir),
    );
    const bindir = candidates.find(
        (dir) => isElf(path.join(dir, "pg_dump")) && isElf(path.join(dir, "pg_restore")),
    );
    if (!bindir) {
        throw new Error(
            `no pg_dump and pg_restore binaries in ${candidates.join(", ") || "any known folder"}: install the PostgreSQL client, or set AIMS_STANDIN_PG_BINDIR to its bin folder`,
        );
    }
    const pgDump = path.join(bindir, "pg_dump");
    const version = execFileSync(pgDump, ["--version"], { encoding: "utf8" }).trim();
    return { pgDump, pgRestore: path.join(bindir, "pg_restore"), version };
}

function pgConfigBindir(): string | undefined {
    try {
        return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
    } catch {
        return undefined;
    }
}

function debianBindirs(): string[] {
    const root = "/usr/lib/postgresql";
    if (!fs.existsSync(root)) return [];
    return fs
        .readdirSync(root)
        .filter((major) => /^\d+$/.test(major))
        .sort((a, b) => Number(b) - Number(a))
        .map((major) => path.join(root, major, "bin"));
}

function isElf(file: string): boolean {
    try {
        const fd = fs.openSync(file, "r");
        try {
            const magic = Buffer.alloc(4);
            fs.readSync(fd, magic, 0, 4, 0);
            return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
        } finally {
            fs.closeSync(fd);
        }
    } catch {
        return false;
    }
}

/** The host's sh, the program itself (dash on Debian). */
export function hostShell(): string {
    return fs.realpathSync("/bin/sh");
}

export interface LinkedLibraries {
    /** The dynamic loader, at the path the programs name it by (PT_INTERP). */
    readonly loader?: string;
    /** Every other library the programs link, as ldd found it. */
    readonly libraries: readonly string[];
}

/** What the ELF files link, transitively (ldd); fails on a library ldd cannot find. */
export function linkedLibraries(files: readonly string[]): LinkedLibraries {
    const libraries = new Set<string>();
    let loader: string | undefined;
    for (const file of files) {
        let output: string;
        try {
            output = execFileSync("ldd", [file], { encoding: "utf8" });
        } catch {
            continue; // not a dynamic executable
        }
        for (const line of output.split("\n").map((text) => text.trim())) {
            if (line.includes("=> not found")) throw new Error(`${file}: ${line}`);
            const linked = /^\S+ => (\/\S+) \(0x/.exec(line);
            if (linked) libraries.add(linked[1]);
            const interpreter = /^(\/\S+) \(0x/.exec(line);
            if (interpreter) loader = interpreter[1];
        }
    }
    if (loader) libraries.delete(loader);
    return { loader, libraries: [...libraries].sort() };
}

/** libgcc_s, which glibc loads at run time (thread cancellation), so ldd never lists it. */
export function runtimeLoadedLibraries(): string[] {
    try {
        const cache = execFileSync("/sbin/ldconfig", ["-p"], { encoding: "utf8" });
        const found = /\blibgcc_s\.so\.1 \([^)]*\) => (\S+)/.exec(cache);
        return found ? [found[1]] : [];
    } catch {
        return [];
    }
}

/**
 * Installs the pinned tools of tools.ts that are missing, with `go install`, printing progress
 * while Go downloads and compiles (helm alone is about a thousand packages). Each tool is built
 * into a fresh hidden folder beside its final one and moved into place only once
 * `go version -m` confirms the pinned module version: an interrupted build leaves no binary where
 * tools.ts looks, and two runs at once cannot mix their files.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { executableName, findTool, GoTool, TOOLS, toolFolder, toolPath, toolsHome } from "./tools";

export type Log = (line: string) => void;

const PROGRESS_EVERY_MS = 10_000;
/** Lines of go's output kept to explain a failure. */
const FAILURE_LINES = 30;

const writeToStderr: Log = (line) => process.stderr.write(`${line}\n`);
const label = (tool: GoTool): string => `${tool.name} ${tool.version}`;

/** Installs every pinned tool that is not installed yet; returns the paths it installed. */
export async function installMissingTools(
    env: NodeJS.ProcessEnv = process.env,
    log: Log = writeToStderr,
): Promise<string[]> {
    const missing = Object.values(TOOLS).filter((tool) => !findTool(tool.name, env));
    if (missing.length === 0) return [];
    requireGo(missing, env);
    log(
        `Building ${missing.map(label).join(", ")} with go install into ${toolsHome(env)} ` +
            "(once per version; helm alone is about a thousand packages, so it takes minutes)",
    );
    const installed: string[] = [];
    for (const tool of missing) installed.push(await installTool(tool, env, log));
    return installed;
}

/** Builds one tool into its version's folder and returns the binary's path. */
export async function installTool(
    tool: GoTool,
    env: NodeJS.ProcessEnv = process.env,
    log: Log = writeToStderr,
): Promise<string> {
    const started = Date.now();
    const home = toolsHome(env);
    fs.mkdirSync(home, { recursive: true });
    const staging = fs.mkdtempSync(path.join(home, `.${tool.name}-${tool.version}-`));
    try {
        log(`  go install ${tool.goPackage}@${tool.version}`);
        await goInstall(tool, staging, env, log);
        const built = builtModuleVersion(path.join(staging, executableName(tool)), env);
        const pinned = `${tool.module} ${tool.version}`;
        if (built !== pinned) {
            throw new Error(
                `go install built ${built ?? "a binary without module information"}, not ${pinned}`,
            );
        }
        moveIntoPlace(staging, toolFolder(tool, env));
        log(`  ${label(tool)} installed in ${secondsSince(started)} s`);
        return toolPath(tool, env);
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
}

/** `<module> <version>` of a Go binary's main module, as `go version -m` reports it. */
export function builtModuleVersion(
    binary: string,
    env: NodeJS.ProcessEnv = process.env,
): string | undefined {
    const result = spawnSync("go", ["version", "-m", binary], { env, encoding: "utf8" });
    const mod = /^\s*mod\s+(\S+)\s+(\S+)/m.exec(result.stdout ?? "");
    return mod ? `${mod[1]} ${mod[2]}` : undefined;
}

function requireGo(missing: readonly GoTool[], env: NodeJS.ProcessEnv): void {
    const result = spawnSync("go", ["version"], { env, encoding: "utf8" });
    if (result.error || result.status !== 0) {
        throw new Error(
            `go is not installed or does not run (${result.error?.message ?? result.stderr.trim()}): ` +
                `the tests need ${missing.map(label).join(", ")}, ` +
                "which they build with `go install`. Install Go 1.26 or later " +
                "(https://go.dev/doc/install), put it on the PATH and run the tests again.",
        );
    }
}

function goInstall(tool: GoTool, gobin: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
    const started = Date.now();
    const go = spawn("go", ["install", "-v", `${tool.goPackage}@${tool.version}`], {
        env: { ...env, GOBIN: gobin },
        stdio: ["ignore", "ignore", "pipe"],
    });
    // With -v, go names on stderr each package it compiles, after its "go: downloading" lines.
    let downloaded = 0;
    let compiled = 0;
    const lastLines: string[] = [];
    let partial = "";
    go.stderr.setEncoding("utf8");
    go.stderr.on("data", (chunk: string) => {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
            if (line.startsWith("go: downloading ")) downloaded++;
            else compiled++;
            lastLines.push(line);
        }
        lastLines.splice(0, Math.max(0, lastLines.length - FAILURE_LINES));
    });
    const progress = setInterval(
        () =>
            log(
                `  ${tool.name}: ${secondsSince(started)} s, ${downloaded} modules downloaded, ` +
                    `${compiled} packages compiled`,
            ),
        PROGRESS_EVERY_MS,
    );
    return new Promise((resolve, reject) => {
        go.on("error", (err) => {
            clearInterval(progress);
            reject(new Error(`go install ${tool.goPackage}@${tool.version}: ${err.message}`));
        });
        go.on("close", (code, signal) => {
            clearInterval(progress);
            if (code === 0) return resolve();
            const output = [...lastLines, partial].filter(Boolean).join("\n");
            reject(
                new Error(
                    `go install ${tool.goPackage}@${tool.version} failed ` +
                        `(${signal ?? `exit ${code}`}):\n${output}`,
                ),
            );
        });
    });
}

/** Renames the built folder to its final name; a run that finished first has already done it. */
export function moveIntoPlace(staging: string, folder: string): void {
    try {
        fs.renameSync(staging, folder);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code === "EEXIST" || code === "ENOTEMPTY") && fs.existsSync(folder)) return;
        throw err;
    }
}

const secondsSince = (started: number): number => Math.round((Date.now() - started) / 1000);

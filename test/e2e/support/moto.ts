/**
 * moto, the S3 server the suite stands in for object storage with: its version is pinned here and
 * nowhere else, installed once with pip into a virtual environment of its own in the project's
 * per-user cache (~/.cache/aims-tenants/moto/<version>, or AIMS_MOTO_DIR), and reused after. As
 * with the Go tools (scripts/lib/install-tools.ts), the environment is built in a hidden folder
 * beside its final one and moved into place only once moto imports at the pinned version. It is
 * only ever run as `<venv>/bin/python -m moto.server`, which a moved environment still supports.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Log, moveIntoPlace } from "../../../scripts/lib/install-tools";
import { projectCacheHome } from "../../../scripts/lib/tools";
import { requirePython } from "./python";

export const MOTO_VERSION = "5.2.6";
/** moto's own requirement (its Requires-Python). */
export const MOTO_PYTHON: readonly [number, number] = [3, 10];

export function motoHome(env: NodeJS.ProcessEnv = process.env): string {
    if (env.AIMS_MOTO_DIR) return path.resolve(env.AIMS_MOTO_DIR);
    return path.join(projectCacheHome(env), "moto", MOTO_VERSION);
}

const venvPython = (venv: string): string => path.join(venv, "bin", "python");

/** The Python of the pinned moto's environment, or undefined when it is not installed. */
export function findMoto(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const python = venvPython(motoHome(env));
    return installedVersion(python, env) === MOTO_VERSION ? python : undefined;
}

/** The Python of the pinned moto's environment, installing it first when missing. */
export async function installMoto(
    env: NodeJS.ProcessEnv = process.env,
    log: Log = (line) => process.stderr.write(`${line}\n`),
): Promise<string> {
    const found = findMoto(env);
    if (found) return found;
    const python = requirePython(MOTO_PYTHON, env);
    const folder = motoHome(env);
    fs.mkdirSync(path.dirname(folder), { recursive: true });
    const staging = fs.mkdtempSync(path.join(path.dirname(folder), `.${MOTO_VERSION}-`));
    const started = Date.now();
    log(`Installing moto[server]==${MOTO_VERSION} with pip into ${folder} (once per version)`);
    try {
        await run(python.command, ["-m", "venv", staging], env);
        await run(
            venvPython(staging),
            [
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                `moto[server]==${MOTO_VERSION}`,
            ],
            env,
        );
        const built = installedVersion(venvPython(staging), env);
        if (built !== MOTO_VERSION)
            throw new Error(
                `pip installed moto ${built ?? "that does not import"}, not ${MOTO_VERSION}`,
            );
        moveIntoPlace(staging, folder);
        log(`  moto ${MOTO_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s`);
        return venvPython(folder);
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
}

function installedVersion(python: string, env: NodeJS.ProcessEnv): string | undefined {
    const result = spawnSync(
        python,
        ["-c", "import moto.server, importlib.metadata as m; print(m.version('moto'))"],
        { env, encoding: "utf8" },
    );
    return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Runs a command, keeping its output to explain a failure. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        child.on("error", reject);
        child.on("close", (code) =>
            code === 0
                ? resolve()
                : reject(
                      new Error(
                          `${command} ${args.join(" ")} failed (exit ${code}):\n${output.trim().split("\n").slice(-30).join("\n")}`,
                      ),
                  ),
        );
    });
}

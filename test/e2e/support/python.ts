/**
 * The Python 3 the suite's local stand-ins need (moto's S3 server runs in a virtual environment
 * made from it): found on the PATH as python3, at least the version they need, or a clear error.
 */
import { spawnSync } from "node:child_process";

export interface Python {
    readonly command: string;
    /** `[major, minor]` */
    readonly version: readonly [number, number];
}

const VERSION_SCRIPT = "import sys; print('%d.%d' % sys.version_info[:2])";

/** python3 of the PATH in `env`, at least `minimum`; throws saying what is missing and what to do. */
export function requirePython(
    minimum: readonly [number, number],
    env: NodeJS.ProcessEnv = process.env,
): Python {
    const command = "python3";
    const wanted = `Python ${minimum.join(".")} or newer`;
    const result = spawnSync(command, ["-c", VERSION_SCRIPT], { env, encoding: "utf8" });
    if (result.error || result.status !== 0) {
        const why = result.error ? result.error.message : (result.stderr || "").trim();
        throw new Error(
            `${command} is needed to run the local S3 stand-in (moto), and could not be run: ${why}. Install ${wanted} and put python3 on the PATH.`,
        );
    }
    const found = /^(\d+)\.(\d+)$/.exec(result.stdout.trim());
    if (!found) {
        throw new Error(
            `${command} did not say its version (it printed ${JSON.stringify(result.stdout.trim())}); ${wanted} is needed to run the local S3 stand-in (moto).`,
        );
    }
    const version: [number, number] = [Number(found[1]), Number(found[2])];
    if (version[0] < minimum[0] || (version[0] === minimum[0] && version[1] < minimum[1])) {
        throw new Error(
            `${command} is Python ${version.join(".")}, too old to run the local S3 stand-in (moto): ${wanted} is needed. Install it and put it first on the PATH as python3.`,
        );
    }
    return { command, version };
}

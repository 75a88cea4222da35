/**
 * Compiles the program (index.ts and components/) to JavaScript in `outDir` with
 * tsconfig.build.json, and stamps the output with the digest of the sources it was compiled from.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { sourceDigest, writeStamp } from "../../components/build/source-stamp";

export function buildProgram(projectDir: string, outDir: string): void {
    // Taken before compiling: a source edited during the build makes the stamp, not the output, stale.
    const digest = sourceDigest(projectDir);
    fs.rmSync(outDir, { recursive: true, force: true });
    const tsc = spawnSync(
        process.execPath,
        [
            require.resolve("typescript/bin/tsc"),
            "-p",
            path.join(projectDir, "tsconfig.build.json"),
            "--outDir",
            outDir,
        ],
        { cwd: projectDir, encoding: "utf8" },
    );
    if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    writeStamp(outDir, { digest });
}

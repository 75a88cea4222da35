/**
 * What `npm run build` compiles, and a digest of it. The build writes the digest next to the
 * compiled program; the compiled program compares it with the sources it finds, so that a dist/
 * older than its sources is never deployed.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The compiler's inputs, relative to the project root. charts/ and the tenant files are not
 * among them: the compiled program reads them from the project when it runs.
 */
export const STAMPED_SOURCES = [
    "index.ts",
    "components",
    "schema",
    "tsconfig.json",
    "tsconfig.build.json",
] as const;

/** The stamp's file name in the build's output folder. */
export const STAMP_FILE = "source-stamp.json";

export interface SourceStamp {
    /** SHA-256 over every stamped file's path and content. */
    readonly digest: string;
}

/** The digest of the stamped sources under `root`; folders are followed through symbolic links. */
export function sourceDigest(root: string): string {
    const hash = crypto.createHash("sha256");
    for (const file of STAMPED_SOURCES.flatMap((entry) => filesUnder(root, entry))) {
        hash.update(`${file}\0`);
        hash.update(fs.readFileSync(path.join(root, file)));
        hash.update("\0");
    }
    return hash.digest("hex");
}

export function writeStamp(outDir: string, stamp: SourceStamp): void {
    fs.writeFileSync(path.join(outDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
}

/** Why the build in `outDir` may not run with the sources under `root`, or undefined when it may. */
export function staleBuildProblem(root: string, outDir: string): string | undefined {
    const rebuild = "run `npm run build` and try again";
    const stampFile = path.join(outDir, STAMP_FILE);
    if (!fs.existsSync(stampFile))
        return `the compiled program has no ${STAMP_FILE}, so it cannot tell whether it matches its sources: ${rebuild}`;
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8")) as Partial<SourceStamp>;
    if (stamp.digest !== sourceDigest(root))
        return `the compiled program is out of date: its sources (${STAMPED_SOURCES.join(", ")}) changed since it was built; ${rebuild}`;
    return undefined;
}

/** Files at `entry` (a file or a folder), as sorted paths relative to `root` with forward slashes. */
function filesUnder(root: string, entry: string): string[] {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) return [];
    if (!fs.statSync(full).isDirectory()) return [entry];
    return fs
        .readdirSync(full)
        .sort()
        .flatMap((name) => filesUnder(root, `${entry}/${name}`));
}

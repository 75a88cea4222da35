/**
 * An earlier version of the program, taken from the repository's history with `git archive`,
 * so that a test can deploy with it and then move the same stack to the current program, as a
 * deployed stack moves when a change is merged. The folder has the project's layout and the
 * checkout's packages; RealStack runs it like the current program, built by its own build code.
 * It needs the repository's history (not a shallow clone) and is deleted when the process exits.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../components/support/project-root";

/** What a stack needs of a version of the program, and what builds it. */
const PROGRAM_FILES = [
    "index.ts",
    "components",
    "schema",
    "charts",
    "tsconfig.json",
    "tsconfig.build.json",
    "Pulumi.yaml",
    "package.json",
    "scripts/lib/build-program.ts",
];

/** The program as it was at `commit`, in a new temporary folder. */
export function previousProgram(commit: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-previous-"));
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const archive = spawnSync("git", ["archive", "--format=tar", commit, ...PROGRAM_FILES], {
        cwd: PROJECT_ROOT,
        maxBuffer: 256 * 1024 * 1024,
    });
    if (archive.status !== 0)
        throw new Error(
            `git archive ${commit} failed (the suite needs the repository's history, not a shallow clone): ${archive.stderr.toString().trim()}`,
        );
    const extract = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (extract.status !== 0)
        throw new Error(`tar could not extract ${commit}: ${extract.stderr.toString().trim()}`);
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

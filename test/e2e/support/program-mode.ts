/**
 * How Pulumi runs the program in a copy of the project: compiled to JavaScript in dist/, or as
 * TypeScript through Pulumi's ts-node path. Pulumi.yaml's `typescript` option says which, and
 * package.json's `main` names the entry point (Pulumi.yaml has no `main`: one there would make
 * dist/ the working directory of the program and of the providers, where `./charts/tenant` is
 * not). The compiled program is built from the current sources once per process, never taken
 * from the checkout's dist/, which may be stale. Another version of the program (an earlier
 * commit's, previous-program.ts) is built by its own build code, which its compiled program
 * checks against.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../../../components/support/project-root";
import { buildProgram } from "../../../scripts/lib/build-program";

export type ProgramMode = "compiled" | "typescript";
export const PROGRAM_MODES: readonly ProgramMode[] = ["typescript", "compiled"];

const ENTRY_POINTS: Record<ProgramMode, string> = {
    compiled: "dist/index.js",
    typescript: "index.ts",
};

interface ProjectFile {
    runtime: { name: string; options?: Record<string, unknown> };
}

/** The mode the project in `projectDir` runs the program in. */
export function configuredMode(projectDir: string): ProgramMode {
    const typescript = readProjectFile(projectDir).runtime.options?.typescript !== false;
    return typescript ? "typescript" : "compiled";
}

/**
 * Makes the copy of the project in `copyDir` run the program in `mode`: its Pulumi.yaml and
 * package.json, and dist/ when compiled.
 */
export function setProgramMode(repo: string, copyDir: string, mode: ProgramMode): void {
    const project = readProjectFile(repo);
    const options = { ...project.runtime.options, typescript: mode === "typescript" };
    const projectFile = { ...project, runtime: { ...project.runtime, options } };
    fs.writeFileSync(path.join(copyDir, "Pulumi.yaml"), yaml.dump(projectFile));
    const packageFile = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
    packageFile.main = ENTRY_POINTS[mode];
    fs.writeFileSync(path.join(copyDir, "package.json"), JSON.stringify(packageFile, null, 2));
    const dist = path.join(copyDir, "dist");
    fs.rmSync(dist, { recursive: true, force: true });
    if (mode === "compiled") fs.cpSync(compiledProgram(repo), dist, { recursive: true });
}

/** The compiled program of each source folder, built once per process. */
const compiledDirs = new Map<string, string>();

function compiledProgram(repo: string): string {
    let compiledDir = compiledDirs.get(repo);
    if (!compiledDir) {
        const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-build-"));
        process.on("exit", () => fs.rmSync(buildDir, { recursive: true, force: true }));
        compiledDir = path.join(buildDir, "dist");
        if (repo === PROJECT_ROOT) buildProgram(repo, compiledDir);
        else buildWithItsOwnCode(repo, compiledDir);
        compiledDirs.set(repo, compiledDir);
    }
    return compiledDir;
}

/** Builds the program in `repo` with its own scripts/lib/build-program.ts. */
function buildWithItsOwnCode(repo: string, outDir: string): void {
    const build = `require(${JSON.stringify(path.join(repo, "scripts", "lib", "build-program"))}).buildProgram(${JSON.stringify(repo)}, ${JSON.stringify(outDir)})`;
    const result = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "-e", build],
        { cwd: repo, encoding: "utf8" },
    );
    if (result.status !== 0)
        throw new Error(
            `building the program in ${repo} failed:\n${result.stdout}${result.stderr}`,
        );
}

function readProjectFile(dir: string): ProjectFile {
    return yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

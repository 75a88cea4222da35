/** Loads the program of a project folder, for runs under the mocks (synth and the tests). */
import * as path from "node:path";

/** The program's exported function, as Pulumi runs it. */
export type Program = typeof import("../../index");

/**
 * Start the mocks first: the program registers its resources against whichever monitor is
 * current when it runs. Each project folder loads its own index.ts, so a test's copy reads the
 * tenants and stack files of that copy.
 */
export function loadProgram(projectDir: string): Program {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the path is known only at run time
    return require(path.join(projectDir, "index.ts")) as Program;
}

/**
 * Imported first by index.ts. Compiled (dist/index.js), the program stops before anything else
 * loads when its sources changed since `npm run build`; run from its TypeScript sources it has
 * nothing to check.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_ROOT } from "../support/project-root";
import { staleBuildProblem } from "./source-stamp";

if (path.extname(__filename) === ".js") {
    // This file compiles to <outDir>/components/build/, two folders below the stamp.
    const problem = staleBuildProblem(PROJECT_ROOT, path.resolve(__dirname, "..", ".."));
    if (problem) throw new pulumi.RunError(problem);
}

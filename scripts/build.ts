/**
 * npm run build: compiles the program to dist/, which Pulumi.yaml runs. The compiled program
 * refuses to run once its sources change, until the next build.
 */
import * as path from "node:path";
import { runCli } from "./lib/cli";
import { buildProgram } from "./lib/build-program";

runCli(() => {
    const projectDir = path.resolve(__dirname, "..");
    buildProgram(projectDir, path.join(projectDir, "dist"));
    console.log("compiled the program to dist/");
});

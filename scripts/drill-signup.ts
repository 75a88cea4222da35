/**
 * npm run drill:signup [-- --existing 49]
 *
 * A school's signup, timed step by step on a shard stack that already holds `--existing`
 * tenants, on the end-to-end suite's platform with a node that runs the pods: from the core's
 * dispatch payload to the callback its pod sends the core (scripts/lib/drill/signup-drill.ts).
 * Prints each step's seconds; the target is the tenant file to the callback in 90 s or less.
 */
import { platformFromEnvironment } from "../test/e2e/support/platform";
import { parseOptions, runCli, UsageError } from "./lib/cli";
import { runSignupDrill } from "./lib/drill/signup-drill";
import { formatTable } from "./lib/table";

const USAGE = "usage: npm run drill:signup [-- --existing 49]";
const TARGET_SECONDS = 90;

runCli(async () => {
    const values = parseOptions(process.argv.slice(2), { existing: { type: "string" } }, USAGE);
    if (!values) return;
    const existing = Number(values.existing ?? "49");
    if (!Number.isInteger(existing) || existing < 0)
        throw new UsageError(
            `--existing must be a whole number (got ${values.existing})\n${USAGE}`,
        );
    const result = await runSignupDrill(platformFromEnvironment(), existing);
    console.log(`dispatch payload: ${JSON.stringify(result.payload)}`);
    console.log(
        formatTable(
            ["step", "seconds", "since the tenant file"],
            result.steps.map((s) => [s.step, s.seconds.toFixed(1), s.sinceFile.toFixed(1)]),
        ),
    );
    const verdict = result.fileToCallback <= TARGET_SECONDS ? "within" : "OVER";
    console.log(
        `tenant file to callback: ${result.fileToCallback.toFixed(1)} s with ${existing} tenants in the stack, ${verdict} the ${TARGET_SECONDS} s target`,
    );
    if (result.fileToCallback > TARGET_SECONDS) process.exitCode = 1;
});

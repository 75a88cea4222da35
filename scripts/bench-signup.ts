/**
 * npm run bench:signup [-- --tenants 10,50] [--runs 2] [--results FILE]
 *
 * What targeting costs and saves in the signup lane (docs/delivery.md): for each stack size, a
 * fresh stack under the real engine (the end-to-end suite's platform), then one tenant added
 * with and without `--target <its Tenant URN> --target-dependents`, preview and `up`, the policy
 * pack on (scripts/lib/bench/signup-targeting.ts). Prints a table, and with --results writes
 * the raw figures as JSON. Not part of CI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { platformFromEnvironment } from "../test/e2e/support/platform";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { formatTable } from "./lib/table";
import { measureTargeting, TargetingMeasure } from "./lib/bench/signup-targeting";

const USAGE = "usage: npm run bench:signup [-- --tenants 10,50] [--runs 2] [--results FILE]";

runCli(async () => {
    const { values } = parseCommandLine(
        process.argv.slice(2),
        { tenants: { type: "string" }, runs: { type: "string" }, results: { type: "string" } },
        USAGE,
    );
    const counts = positiveIntegers(values.tenants ?? "10,50", "--tenants");
    const [runs] = positiveIntegers(values.runs ?? "2", "--runs");
    const platform = platformFromEnvironment();
    const measures: TargetingMeasure[] = [];
    for (const tenants of counts) {
        const measure = await measureTargeting(platform, tenants, runs);
        measures.push(measure);
        console.log(summaryTable([measure]));
        if (values.results)
            fs.writeFileSync(
                values.results,
                `${JSON.stringify({ cpus: os.cpus().length, measures }, null, 2)}\n`,
            );
    }
    console.log(summaryTable(measures));
});

function summaryTable(measures: readonly TargetingMeasure[]): string {
    const rows = measures.flatMap((measure) =>
        measure.runs.map((run, i) => [
            String(measure.tenants),
            String(i + 1),
            seconds(run.previewAll.seconds),
            seconds(run.previewTargeted.seconds),
            seconds(run.upAll.seconds),
            seconds(run.upTargeted.seconds),
            `${run.createdAll}/${run.createdTargeted}`,
            `${run.previewAll.policySawResources ?? "-"}/${run.previewTargeted.policySawResources ?? "-"}/${run.upTargeted.policySawResources ?? "-"}`,
            run.targetedTenantInOutputs ? "yes" : "no",
            [run.previewAll.load, run.previewTargeted.load, run.upAll.load, run.upTargeted.load]
                .map((l) => l.toFixed(1))
                .join(" "),
        ]),
    );
    return formatTable(
        [
            "TENANTS",
            "RUN",
            "PREVIEW",
            "PREVIEW --target",
            "UP",
            "UP --target",
            "CREATED (all/target)",
            "POLICY SAW (preview/target/up target)",
            "IN OUTPUTS",
            "LOAD",
        ],
        rows,
    );
}

const seconds = (value: number) => `${value.toFixed(1)} s`;

function positiveIntegers(text: string, option: string): number[] {
    const values = text.split(",").map(Number);
    if (values.some((value) => !Number.isInteger(value) || value < 1))
        throw new UsageError(
            `${option} takes positive whole numbers separated by commas\n${USAGE}`,
        );
    return values;
}

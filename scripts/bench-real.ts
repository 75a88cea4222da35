/**
 * npm run bench:real [-- --tenants 10,50,100,200] [--runs 3] [--modes typescript,compiled]
 *                    [--results FILE] [--note TEXT]
 * npm run bench:real -- --report-only [--results FILE]
 *
 * The program under the real engine (the end-to-end suite's platform and harness) as the fleet
 * grows: for each tenant count, way of running the program and run, the cycle of
 * scripts/lib/bench/real-cycle.ts on a fresh stack. Runs of the two ways alternate, so that other
 * work on the machine weighs on both alike. Every cycle is appended to the results file
 * (bench-results/real-engine.json), and the real-engine section of docs/performance.md and
 * docs/performance.svg are made again from all of it (`--report-only` does only that). Not part
 * of CI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { platformFromEnvironment } from "../test/e2e/support/platform";
import { PROGRAM_MODES, ProgramMode } from "../test/e2e/support/program-mode";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { replaceSection } from "./lib/bench/doc-section";
import { runCycle } from "./lib/bench/real-cycle";
import { realEngineChartSvg, realEngineTable, slopeTable } from "./lib/bench/real-report";
import { writeFormatted } from "./lib/bench/prettier-file";
import { readResults, ResultsFile, thisMachine } from "./lib/bench/results-file";

const ROOT = path.resolve(__dirname, "..");
const USAGE =
    "usage: npm run bench:real [-- --tenants 10,50,100,200] [--runs 3] [--modes typescript,compiled] [--results FILE] [--note TEXT] [--report-only]";

runCli(async () => {
    const { values } = parseCommandLine(
        process.argv.slice(2),
        {
            tenants: { type: "string" },
            runs: { type: "string" },
            modes: { type: "string" },
            results: { type: "string" },
            note: { type: "string" },
            "report-only": { type: "boolean" },
        },
        USAGE,
    );
    const counts = positiveIntegers(values.tenants ?? "10,50,100,200", "--tenants");
    const [runs] = positiveIntegers(values.runs ?? "3", "--runs");
    const modes = (values.modes ?? PROGRAM_MODES.join(",")).split(",") as ProgramMode[];
    if (modes.some((mode) => !PROGRAM_MODES.includes(mode)))
        throw new UsageError(`--modes takes ${PROGRAM_MODES.join(", ")}\n${USAGE}`);
    const resultsFile = path.resolve(
        values.results ?? path.join(ROOT, "bench-results", "real-engine.json"),
    );

    const previous = readResults(resultsFile);
    if (values["report-only"]) {
        if (!previous) throw new UsageError(`no results in ${resultsFile}\n${USAGE}`);
        await writeReport(previous);
        return;
    }
    const platform = platformFromEnvironment();
    let results: ResultsFile = {
        machine: previous?.machine ?? thisMachine(platform.pulumiVersion),
        notes: [...(previous?.notes ?? []), ...(values.note ? [values.note] : [])],
        cycles: previous?.cycles ?? [],
    };
    const started = Date.now();
    for (const tenants of counts) {
        for (let run = 1; run <= runs; run++) {
            for (const mode of modes) {
                const cycleStarted = Date.now();
                const cycle = await runCycle(platform, mode, tenants);
                results = { ...results, cycles: [...results.cycles, cycle] };
                fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
                await writeFormatted(resultsFile, JSON.stringify(results));
                await writeReport(results);
                const took = (Date.now() - cycleStarted) / 1000;
                const ops = Object.entries(cycle.operations)
                    .map(([name, o]) => `${name} ${o.seconds.toFixed(1)}s`)
                    .join(", ");
                console.log(
                    `${mode} N=${tenants} run ${run}/${runs}: ${cycle.resources} resources; ${ops}; cycle ${took.toFixed(0)}s`,
                );
            }
        }
    }
    console.log(
        `done in ${((Date.now() - started) / 1000).toFixed(0)}s; results in ${resultsFile}`,
    );
});

async function writeReport(results: ResultsFile): Promise<void> {
    const docFile = path.join(ROOT, "docs", "performance.md");
    const { machine } = results;
    const dates = results.cycles.map((cycle) => cycle.startedAt.slice(0, 16).replace("T", " "));
    const [first, last] = [dates[0], dates[dates.length - 1]].map((date) => `${date} UTC`);
    const section = [
        `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB memory, Node.js ${machine.node}, Pulumi ${machine.pulumi}. Runs from ${first} to ${last}.`,
        ...results.notes.map((note) => `${note}`),
        "",
        realEngineTable(results),
        "",
        "Least-squares fit of the median seconds against the resources in the stack:",
        "",
        slopeTable(results),
    ].join("\n");
    const document = fs.readFileSync(docFile, "utf8");
    await writeFormatted(docFile, replaceSection(document, "bench:real-engine", section));
    fs.writeFileSync(path.join(ROOT, "docs", "performance.svg"), realEngineChartSvg(results));
}

function positiveIntegers(text: string, flag: string): number[] {
    const numbers = text.split(",").map(Number);
    if (numbers.some((n) => !Number.isInteger(n) || n < 1))
        throw new UsageError(`${flag} takes positive whole numbers separated by commas\n${USAGE}`);
    return numbers;
}

/**
 * npm run bench:real [-- --tenants 10,50,100,200] [--runs 3] [--modes typescript,compiled]
 *                    [--skip-checkpoints] [--skip-destroy] [--results FILE] [--note TEXT]
 * npm run bench:real -- --report-only [--results FILE]
 *
 * The program under the real engine (the end-to-end suite's platform and harness) as the fleet
 * grows: for each tenant count, way of running the program and run, the cycle of
 * scripts/lib/bench/real-cycle.ts on a fresh stack. Runs of the two ways alternate, so that other
 * work on the machine weighs on both alike. Every cycle is appended to the results file
 * (bench-results/real-engine.json), and the real-engine section of docs/performance.md and
 * docs/performance.svg are made again from all of it (`--report-only` does only that).
 * `--skip-checkpoints` runs the engine without its state saves after every step, to measure what
 * they cost; those cycles have rows of their own and stay out of the chart. `--skip-destroy`
 * ends a single cycle once its changes are measured and leaves its tenants on the platform, for a
 * platform started afresh for every run (docs/performance.md, "Under the real engine"). Not part
 * of CI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { platformFromEnvironment } from "../test/e2e/support/platform";
import { PROGRAM_MODES, ProgramMode } from "../test/e2e/support/program-mode";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { replaceSection } from "./lib/bench/doc-section";
import { CycleResult, runCycle } from "./lib/bench/real-cycle";
import {
    perResourceTable,
    realEngineChartSvg,
    realEngineTable,
    slopeTable,
} from "./lib/bench/real-report";
import { writeFormatted } from "./lib/bench/prettier-file";
import { readResults, ResultsFile, thisMachine } from "./lib/bench/results-file";

const ROOT = path.resolve(__dirname, "..");
const PROJECT_RESULTS = path.join(ROOT, "bench-results", "real-engine.json");
const USAGE =
    "usage: npm run bench:real [-- --tenants 10,50,100,200] [--runs 3] [--modes typescript,compiled] [--skip-checkpoints] [--skip-destroy] [--results FILE] [--note TEXT] [--report-only]";

runCli(async () => {
    const { values } = parseCommandLine(
        process.argv.slice(2),
        {
            tenants: { type: "string" },
            runs: { type: "string" },
            modes: { type: "string" },
            results: { type: "string" },
            note: { type: "string" },
            "skip-checkpoints": { type: "boolean" },
            "skip-destroy": { type: "boolean" },
            "report-only": { type: "boolean" },
        },
        USAGE,
    );
    const counts = positiveIntegers(values.tenants ?? "10,50,100,200", "--tenants");
    const [runs] = positiveIntegers(values.runs ?? "3", "--runs");
    const modes = (values.modes ?? PROGRAM_MODES.join(",")).split(",") as ProgramMode[];
    if (modes.some((mode) => !PROGRAM_MODES.includes(mode)))
        throw new UsageError(`--modes takes ${PROGRAM_MODES.join(", ")}\n${USAGE}`);
    const skipCheckpoints = values["skip-checkpoints"] === true;
    const skipDestroy = values["skip-destroy"] === true;
    // The tenants left behind would collide with the next cycle's, and weigh on it.
    if (skipDestroy && counts.length * runs * modes.length > 1)
        throw new UsageError(
            `--skip-destroy leaves the tenants on the platform, so it runs one cycle: one --tenants count, --runs 1 and one of --modes\n${USAGE}`,
        );
    const resultsFile = path.resolve(values.results ?? PROJECT_RESULTS);
    // The project's figures make docs/performance.md; another series only prints its tables.
    const intoDocs = resultsFile === PROJECT_RESULTS;

    const previous = readResults(resultsFile);
    if (values["report-only"]) {
        if (!previous) throw new UsageError(`no results in ${resultsFile}\n${USAGE}`);
        if (intoDocs) await writeReport(previous);
        else console.log(reportSection(previous));
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
                const before = results;
                const save = async (cycle: CycleResult): Promise<void> => {
                    results = { ...before, cycles: [...before.cycles, cycle] };
                    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
                    await writeFormatted(resultsFile, JSON.stringify(results));
                    if (intoDocs) await writeReport(results);
                };
                const cycle = await runCycle(
                    platform,
                    mode,
                    tenants,
                    { skipCheckpoints, skipDestroy },
                    save,
                );
                const took = (Date.now() - cycleStarted) / 1000;
                const ops = Object.entries(cycle.operations)
                    .map(([name, o]) => `${name} ${o.seconds.toFixed(1)}s`)
                    .join(", ");
                console.log(
                    `${mode}${skipCheckpoints ? " (checkpoints skipped)" : ""} N=${tenants} run ${run}/${runs}, platform ${cycle.platformAgeMinutes} min old: ${cycle.resources} resources; ${ops}; cycle ${took.toFixed(0)}s`,
                );
            }
        }
    }
    if (!intoDocs) console.log(reportSection(results));
    console.log(
        `done in ${((Date.now() - started) / 1000).toFixed(0)}s; results in ${resultsFile}`,
    );
});

async function writeReport(results: ResultsFile): Promise<void> {
    const docFile = path.join(ROOT, "docs", "performance.md");
    const document = fs.readFileSync(docFile, "utf8");
    await writeFormatted(
        docFile,
        replaceSection(document, "bench:real-engine", reportSection(results)),
    );
    fs.writeFileSync(path.join(ROOT, "docs", "performance.svg"), realEngineChartSvg(results));
}

function reportSection(results: ResultsFile): string {
    const { machine } = results;
    const dates = results.cycles.map((cycle) => cycle.startedAt.slice(0, 16).replace("T", " "));
    const [first, last] = [dates[0], dates[dates.length - 1]].map((date) => `${date} UTC`);
    return [
        `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB memory, Node.js ${machine.node}, Pulumi ${machine.pulumi}. Runs from ${first} to ${last}.`,
        ...results.notes.map((note) => `${note}`),
        "",
        realEngineTable(results),
        "",
        "Least-squares fit of the median seconds against the resources in the stack, for the operations that step only the resources they change:",
        "",
        slopeTable(results),
        "",
        "The first `up` and `destroy` step every resource of the stack: their median seconds per resource in the stack, by tenant count:",
        "",
        perResourceTable(results),
    ].join("\n");
}

function positiveIntegers(text: string, flag: string): number[] {
    const numbers = text.split(",").map(Number);
    if (numbers.some((n) => !Number.isInteger(n) || n < 1))
        throw new UsageError(`${flag} takes positive whole numbers separated by commas\n${USAGE}`);
    return numbers;
}

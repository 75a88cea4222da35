import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/support/project-root";
import { replaceSection } from "../scripts/lib/bench/doc-section";
import { PeakMemoryLog } from "../scripts/lib/bench/peak-memory";
import type { CycleResult } from "../scripts/lib/bench/real-cycle";
import {
    perResourceTable,
    realEngineChartSvg,
    realEngineTable,
    slopeTable,
} from "../scripts/lib/bench/real-report";
import type { ResultsFile } from "../scripts/lib/bench/results-file";
import { leastSquares, spread } from "../scripts/lib/bench/statistics";

/** A cycle whose every operation takes `2 + 0.01 * resources` seconds, plus `noise`. */
function cycle(
    mode: "typescript" | "compiled",
    tenants: number,
    noise: number,
    resourcesPerTenant = 18,
    startedAt = "2026-01-01T00:00:00.000Z",
): CycleResult {
    const resources = 6 + resourcesPerTenant * tenants;
    const measure = {
        seconds: 2 + 0.01 * resources + noise,
        changed: 1,
        programPeakMiB: 100 + noise,
    };
    return {
        mode,
        tenants,
        resources,
        resourcesPerTenant,
        startedAt,
        loadAverage: [1, 1],
        operations: {
            firstUp: measure,
            preview: measure,
            addOne: measure,
            changePlan: measure,
            destroy: { seconds: 1, changed: 1 },
        },
    };
}

const RESULTS: ResultsFile = {
    machine: { cores: 2, cpu: "test", memoryGiB: 1, node: "v20", pulumi: "v3" },
    notes: [],
    cycles: [10, 50].flatMap((n) => [0, 3, -1].map((noise) => cycle("compiled", n, noise))),
};

/** Each Markdown table row's columns `from` (1 is the first) to `to` (not included), trimmed. */
const cells = (rows: readonly string[], from: number, to: number): string[] =>
    rows.map((row) =>
        row
            .split("|")
            .slice(from, to)
            .map((c) => c.trim())
            .join(" "),
    );

describe("bench:real: statistics and report", () => {
    it("takes the median, the minimum and the maximum of the runs", () => {
        assert.deepEqual(spread([5, 1, 3]), { median: 3, min: 1, max: 5, runs: 3 });
        assert.equal(spread([4, 1, 3, 2]).median, 2.5);
    });

    it("fits seconds per resource by least squares, and needs two tenant counts", () => {
        const line = leastSquares([
            [100, 3],
            [200, 5],
            [300, 7],
        ])!;
        assert.ok(Math.abs(line.slope - 0.02) < 1e-12);
        assert.ok(Math.abs(line.intercept - 1) < 1e-12);
        assert.equal(leastSquares([[100, 3]]), undefined);
    });

    it("reports each figure as the median with its range, and the slope through the medians", () => {
        const table = realEngineTable(RESULTS);
        // 50 tenants: 906 resources, 2 + 9.06 = 11.06 s, the runs 1 s below and 3 s above.
        assert.match(
            table,
            /\| 18 +\| compiled JavaScript \| 50 +\| 906 +\| 3 +\| 11\.1 \(10\.1–14\.1\) /,
        );
        assert.match(table, /\| 100 \(99–103\) +\|$/m, "peak memory: median and range");
        assert.match(
            slopeTable(RESULTS),
            /\| 18 +\| compiled JavaScript \| preview, no change +\| 0\.0100 +\| 2\.0 +\| 10, 50 +\|/,
        );
    });

    it("fits no line through the first up and destroy, and reports them per resource by tenant count", () => {
        assert.doesNotMatch(slopeTable(RESULTS), /first `up`|`destroy`/);
        const table = perResourceTable(RESULTS);
        // 10 tenants: 186 resources, 3.86 s; 50 tenants: 906 resources, 11.06 s; destroy 1 s.
        assert.match(table, /\| 10 tenants, s per resource \| 50 tenants, s per resource \|/);
        assert.match(
            table,
            /\| 18 +\| compiled JavaScript \| first `up` +\| 0\.021 +\| 0\.012 +\|/,
        );
        assert.match(table, /\| 18 +\| compiled JavaScript \| `destroy` +\| 0\.005 +\| 0\.001 +\|/);
        assert.doesNotMatch(table, /TypeScript/, "no row for a way of running without runs");
    });

    it("keeps runs with the engine's checkpoints skipped in rows of their own, and out of the chart", () => {
        const skipped = [10, 50].map((n) => ({
            ...cycle("compiled", n, -1.5),
            skippedCheckpoints: true as const,
        }));
        const results = { ...RESULTS, cycles: [...RESULTS.cycles, ...skipped] };
        const rows = realEngineTable(results).split("\n").slice(2);
        assert.deepEqual(cells(rows, 2, 4), [
            "compiled JavaScript 10",
            "compiled JavaScript 50",
            "compiled JavaScript, checkpoints skipped 10",
            "compiled JavaScript, checkpoints skipped 50",
        ]);
        // The runs as users make them keep their medians (2 + 0.01 * resources).
        assert.match(rows[1], /\| 906 +\| 3 +\| 11\.1 \(10\.1–14\.1\) /);
        assert.match(rows[3], /\| 906 +\| 1 +\| 9\.6 +\| /);
        const slopes = slopeTable(results);
        assert.match(slopes, /\| compiled JavaScript +\| preview, no change +\| 0\.0100 +\| 2\.0 /);
        assert.match(
            slopes,
            /\| compiled JavaScript, checkpoints skipped \| preview, no change +\| 0\.0100 +\| 0\.5 /,
        );
        assert.match(perResourceTable(results), /checkpoints skipped \| first `up` +\| 0\.013 /);
        assert.equal(realEngineChartSvg(results).match(/<polyline /g)?.length, 3);
    });

    it("leaves out a destroy that failed and was run again, and says on how many runs the figure rests", () => {
        const [failed, ...rest] = RESULTS.cycles;
        const measured = { ...failed.operations };
        delete measured.destroy;
        const results = { ...RESULTS, cycles: [{ ...failed, operations: measured }, ...rest] };
        assert.match(realEngineTable(results), /\| 1\.0 \(1\.0–1\.0\) \[2 runs\] +\|/);
        // Two of the three runs at 10 tenants stopped in their destroy: one run left.
        const stopped = RESULTS.cycles.map((c, i) =>
            i === 1 || i === 2 ? { ...c, operations: measured } : c,
        );
        assert.match(realEngineTable({ ...RESULTS, cycles: stopped }), /\| 1\.0 \[1 run\] +\|/);
    });

    it("draws one line per operation users wait for and way of running, with the medians as points", () => {
        const svg = realEngineChartSvg(RESULTS);
        assert.equal(
            svg.match(/<polyline /g)?.length,
            3,
            "preview, add one and plan change, compiled only",
        );
        assert.match(svg, /preview, no change, JS/);
        assert.match(svg, /up, change 1 plan, JS/);
        assert.doesNotMatch(svg, /first up|destroy/, "minutes, in a table of their own");
    });

    it("keeps each version of the program (its resources per tenant) apart, the newest first, and draws only the newest", () => {
        const later = "2026-02-01T00:00:00.000Z";
        const results = {
            ...RESULTS,
            cycles: [
                ...RESULTS.cycles,
                ...[10, 50].flatMap((n) =>
                    [0, 1].map((noise) => cycle("compiled", n, noise, 17, later)),
                ),
            ],
        };
        assert.deepEqual(cells(realEngineTable(results).split("\n").slice(2), 1, 5), [
            "17 compiled JavaScript 10 176",
            "17 compiled JavaScript 50 856",
            "18 compiled JavaScript 10 186",
            "18 compiled JavaScript 50 906",
        ]);
        const slopes = slopeTable(results);
        assert.match(
            slopes,
            /\| 17 +\| compiled JavaScript \| preview, no change +\| 0\.0100 +\| 2\.[0-9] +\| 10, 50 +\|/,
        );
        assert.match(
            slopes,
            /\| 18 +\| compiled JavaScript \| preview, no change +\| 0\.0100 +\| 2\.0 +\| 10, 50 +\|/,
        );
        const svg = realEngineChartSvg(results);
        assert.equal(svg.match(/<polyline /g)?.length, 3);
        assert.match(svg, /17 resources per tenant/);
    });

    it("replaces only the generated section of the document", () => {
        const doc = "intro\n<!-- s -->\nold\n<!-- /s -->\noutro\n";
        assert.equal(
            replaceSection(doc, "s", "new"),
            "intro\n<!-- s -->\nnew\n<!-- /s -->\noutro\n",
        );
        assert.throws(() => replaceSection("no markers", "s", "new"), /no <!-- s -->/);
    });

    it("takes the peak memory of the program's process, not of the policy pack or other Node.js processes", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-bench-test-"));
        try {
            const log = new PeakMemoryLog(path.join(dir, "processes.jsonl"));
            const sdk = "/p/node_modules/@pulumi/pulumi/cmd";
            const lines = [
                { argv: ["node", `${sdk}/run`, "--monitor", "x", "."], maxRssKiB: 300 * 1024 },
                { argv: ["node", `${sdk}/run-policy-pack`, "policy"], maxRssKiB: 900 * 1024 },
                { argv: ["node", "-e", "script"], maxRssKiB: 800 * 1024 },
                { argv: ["node", `${sdk}/run/index.js`, "."], maxRssKiB: 200 * 1024 },
            ];
            fs.writeFileSync(
                path.join(dir, "processes.jsonl"),
                lines.map((l) => JSON.stringify(l)).join("\n"),
            );
            assert.equal(log.takeProgramPeakMiB(), 300);
            assert.equal(log.takeProgramPeakMiB(), undefined, "the records are taken once");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("leaves tenants on the platform (--skip-destroy) only in a run of one cycle", () => {
        const benchReal = (...flags: string[]) =>
            spawnSync(
                path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
                ["--transpile-only", path.join(PROJECT_ROOT, "scripts", "bench-real.ts"), ...flags],
                // No platform: a run that passes the flags' checks stops at the platform's.
                { encoding: "utf8", env: { PATH: process.env.PATH } },
            );
        const oneCycle = [
            "--skip-destroy",
            "--tenants",
            "10",
            "--runs",
            "1",
            "--modes",
            "compiled",
        ];
        const refusal = /--skip-destroy leaves the tenants on the platform, so it runs one cycle/;
        for (const flags of [
            ["--skip-destroy"],
            [...oneCycle.slice(0, -2)],
            [...oneCycle.slice(0, 3), "--runs", "2", "--modes", "compiled"],
            ["--skip-destroy", "--tenants", "10,50", "--runs", "1", "--modes", "compiled"],
        ]) {
            const result = benchReal(...flags);
            assert.equal(result.status, 1, flags.join(" "));
            assert.match(result.stderr, refusal, flags.join(" "));
        }
        const single = benchReal(...oneCycle);
        assert.notEqual(single.status, 0);
        assert.doesNotMatch(single.stderr, refusal);
        assert.match(single.stderr, /KUBECONFIG is not set/);
    });
});

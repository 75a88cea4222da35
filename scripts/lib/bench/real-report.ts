/**
 * The real-engine section of docs/performance.md and its chart, made from the raw results: per
 * version of the program (its resources per tenant), way of running it and tenant count, the
 * median of each operation with its range, the program's peak memory, a least-squares fit of
 * seconds per resource, and the seconds per resource of a first `up` and a `destroy`. The chart
 * shows the newest version only.
 */
import type { ProgramMode } from "../../../test/e2e/support/program-mode";
import type { CycleResult, Operation } from "./real-cycle";
import type { ResultsFile } from "./results-file";
import { leastSquares, Spread, spread } from "./statistics";
import { lineChartSvg, Series } from "./svg-chart";

/**
 * The operations, and whether each makes a step for every resource of the stack. After each step
 * the engine writes the whole state again, so the time of those grows faster than linearly and a
 * line through it says little; they are reported per resource instead.
 */
const TIMED: readonly { operation: Operation; heading: string; stepsEveryResource: boolean }[] = [
    { operation: "firstUp", heading: "first `up`", stepsEveryResource: true },
    { operation: "preview", heading: "preview, no change", stepsEveryResource: false },
    { operation: "addOne", heading: "`up`, add 1 tenant", stepsEveryResource: false },
    { operation: "changePlan", heading: "`up`, change 1 plan", stepsEveryResource: false },
    { operation: "destroy", heading: "`destroy`", stepsEveryResource: true },
];
const MODE_NAMES: Record<ProgramMode, string> = {
    typescript: "TypeScript (ts-node)",
    compiled: "compiled JavaScript",
};

interface Group {
    readonly resourcesPerTenant: number;
    readonly mode: ProgramMode;
    readonly skippedCheckpoints: boolean;
    readonly tenants: number;
    readonly cycles: readonly CycleResult[];
}

/** How the group's cycles ran the program and the engine, as the tables name it. */
function setup(group: Pick<Group, "mode" | "skippedCheckpoints">): string {
    const program = MODE_NAMES[group.mode];
    return group.skippedCheckpoints ? `${program}, checkpoints skipped` : program;
}

/** TypeScript before compiled, and the engine as users run it before checkpoints skipped. */
const setupOrder = (group: Pick<Group, "mode" | "skippedCheckpoints">): number =>
    2 * Object.keys(MODE_NAMES).indexOf(group.mode) + (group.skippedCheckpoints ? 1 : 0);

/**
 * The cycles by version of the program, setup and tenant count: the newest version first, then
 * in setup order, fewest tenants first.
 */
function groups(results: ResultsFile): Group[] {
    const byKey = new Map<string, Group>();
    for (const cycle of results.cycles) {
        const { resourcesPerTenant, mode, tenants } = cycle;
        const skippedCheckpoints = cycle.skippedCheckpoints === true;
        const key = `${resourcesPerTenant}/${mode}/${skippedCheckpoints}/${tenants}`;
        const group = byKey.get(key) ?? {
            resourcesPerTenant,
            mode,
            skippedCheckpoints,
            tenants,
            cycles: [],
        };
        byKey.set(key, { ...group, cycles: [...group.cycles, cycle] });
    }
    const versions = versionsNewestFirst(results);
    return [...byKey.values()].sort(
        (a, b) =>
            versions.indexOf(a.resourcesPerTenant) - versions.indexOf(b.resourcesPerTenant) ||
            setupOrder(a) - setupOrder(b) ||
            a.tenants - b.tenants,
    );
}

/** The groups of one version of the program, by setup, in setup order. */
function bySetup(results: ResultsFile, version: number): Group[][] {
    const ofVersion = groups(results).filter((g) => g.resourcesPerTenant === version);
    const setups = [...new Set(ofVersion.map(setup))];
    return setups.map((name) => ofVersion.filter((g) => setup(g) === name));
}

/** The versions of the program (resources per tenant), the one of the latest cycle first. */
function versionsNewestFirst(results: ResultsFile): number[] {
    const byStart = [...results.cycles].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return [...new Set(byStart.map((cycle) => cycle.resourcesPerTenant))];
}

/** The operation's seconds over the runs that measured it; undefined when none did. */
function seconds(group: Group, operation: Operation): Spread | undefined {
    const values = group.cycles.flatMap((c) => {
        const measure = c.operations[operation];
        return measure ? [measure.seconds] : [];
    });
    return values.length > 0 ? spread(values) : undefined;
}

const resources = (group: Group): number => spread(group.cycles.map((c) => c.resources)).median;

function peakMemory(group: Group): Spread | undefined {
    const peaks = group.cycles.flatMap((cycle) => {
        const values = Object.values(cycle.operations).flatMap((o) =>
            o?.programPeakMiB === undefined ? [] : [o.programPeakMiB],
        );
        return values.length > 0 ? [Math.max(...values)] : [];
    });
    return peaks.length > 0 ? spread(peaks) : undefined;
}

function cell(s: Spread | undefined, runs: number, digits = 1): string {
    if (!s) return "–";
    const figure =
        s.runs === 1
            ? s.median.toFixed(digits)
            : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
    // Fewer runs than the row's: a destroy failed and was run again, or was stopped or skipped.
    return s.runs < runs ? `${figure} [${s.runs} run${s.runs === 1 ? "" : "s"}]` : figure;
}

export function realEngineTable(results: ResultsFile): string {
    const header = [
        "resources per tenant",
        "program",
        "tenants",
        "resources",
        "runs",
        ...TIMED.map((t) => `${t.heading}, s`),
        "program peak memory, MiB",
    ];
    const rows = groups(results).map((group) => {
        const memory = peakMemory(group);
        return [
            String(group.resourcesPerTenant),
            setup(group),
            String(group.tenants),
            String(resources(group)),
            String(group.cycles.length),
            ...TIMED.map((t) => cell(seconds(group, t.operation), group.cycles.length)),
            cell(memory, group.cycles.length, 0),
        ];
    });
    return markdownTable(header, rows);
}

/**
 * Seconds per resource (least squares over the medians) and the fixed part, per version, setup
 * and operation that steps only the resources it changes.
 */
export function slopeTable(results: ResultsFile): string {
    const header = [
        "resources per tenant",
        "program",
        "operation",
        "seconds per resource",
        "fixed part, s",
        "tenant counts",
    ];
    const rows: string[][] = [];
    for (const version of versionsNewestFirst(results))
        for (const ofSetup of bySetup(results, version))
            for (const { operation, heading } of TIMED.filter((t) => !t.stepsEveryResource)) {
                const measured = ofSetup.flatMap((g) => {
                    const s = seconds(g, operation);
                    return s ? [{ group: g, median: s.median }] : [];
                });
                const line = leastSquares(
                    measured.map((m) => [resources(m.group), m.median] as const),
                );
                if (!line) continue;
                rows.push([
                    String(version),
                    setup(ofSetup[0]),
                    heading,
                    line.slope.toFixed(4),
                    line.intercept.toFixed(1),
                    measured.map((m) => m.group.tenants).join(", "),
                ]);
            }
    return markdownTable(header, rows);
}

/**
 * For the operations that step every resource of the stack: the median seconds divided by the
 * resources, per version, setup and tenant count. A figure that grows with the stack is a total
 * that grows faster than linearly.
 */
export function perResourceTable(results: ResultsFile): string {
    const counts = [...new Set(groups(results).map((g) => g.tenants))].sort((a, b) => a - b);
    const header = [
        "resources per tenant",
        "program",
        "operation",
        ...counts.map((n) => `${n} tenants, s per resource`),
    ];
    const rows: string[][] = [];
    for (const version of versionsNewestFirst(results))
        for (const ofSetup of bySetup(results, version))
            for (const { operation, heading } of TIMED.filter((t) => t.stepsEveryResource)) {
                const perCount = counts.map((n) => {
                    const group = ofSetup.find((g) => g.tenants === n);
                    const s = group && seconds(group, operation);
                    return group && s ? (s.median / resources(group)).toFixed(3) : "–";
                });
                if (perCount.every((c) => c === "–")) continue;
                rows.push([String(version), setup(ofSetup[0]), heading, ...perCount]);
            }
    return markdownTable(header, rows);
}

/**
 * What users wait for on every pull request and merge: a preview, an added tenant, a plan change.
 * The first `up`, minutes where these take seconds, would flatten them; it has its own table.
 */
export function realEngineChartSvg(results: ResultsFile): string {
    const colors: Partial<Record<Operation, string>> = {
        preview: "#1f77b4",
        addOne: "#2ca02c",
        changePlan: "#ff7f0e",
    };
    const series: Series[] = [];
    const [newest] = versionsNewestFirst(results);
    for (const mode of Object.keys(MODE_NAMES) as ProgramMode[]) {
        const ofMode = groups(results).filter(
            (g) => g.mode === mode && g.resourcesPerTenant === newest && !g.skippedCheckpoints,
        );
        if (ofMode.length === 0) continue;
        for (const { operation, heading } of TIMED.filter((t) => colors[t.operation])) {
            series.push({
                label: `${heading.replace(/`/g, "")}, ${mode === "compiled" ? "JS" : "TS"}`,
                color: colors[operation]!,
                dashed: mode === "typescript",
                points: ofMode.flatMap((g) => {
                    const s = seconds(g, operation);
                    return s ? [[g.tenants, s.median] as const] : [];
                }),
            });
        }
    }
    return lineChartSvg({
        title: `Real engine: median seconds against Kubernetes tenants in the stack (${newest} resources per tenant)`,
        xLabel: "tenants",
        yLabel: "seconds",
        series,
    });
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length), 3));
    const line = (cells: readonly string[]) =>
        `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

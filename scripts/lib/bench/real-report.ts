/**
 * The real-engine section of docs/performance.md and its chart, made from the raw results: per
 * version of the program (its resources per tenant), way of running it and tenant count, the
 * median of each operation with its range, the program's peak memory, and a least-squares fit of
 * seconds per resource. The chart shows the newest version only.
 */
import type { ProgramMode } from "../../../test/e2e/support/program-mode";
import type { CycleResult, Operation } from "./real-cycle";
import type { ResultsFile } from "./results-file";
import { leastSquares, Spread, spread } from "./statistics";
import { lineChartSvg, Series } from "./svg-chart";

const TIMED: readonly { operation: Operation; heading: string }[] = [
    { operation: "firstUp", heading: "first `up`" },
    { operation: "preview", heading: "preview, no change" },
    { operation: "addOne", heading: "`up`, add 1 tenant" },
    { operation: "changePlan", heading: "`up`, change 1 plan" },
    { operation: "destroy", heading: "`destroy`" },
];
const MODE_NAMES: Record<ProgramMode, string> = {
    typescript: "TypeScript (ts-node)",
    compiled: "compiled JavaScript",
};

interface Group {
    readonly resourcesPerTenant: number;
    readonly mode: ProgramMode;
    readonly tenants: number;
    readonly cycles: readonly CycleResult[];
}

/**
 * The cycles by version of the program, way of running and tenant count: the newest version
 * first, then TypeScript first, fewest tenants first.
 */
function groups(results: ResultsFile): Group[] {
    const byKey = new Map<string, Group>();
    for (const cycle of results.cycles) {
        const { resourcesPerTenant, mode, tenants } = cycle;
        const key = `${resourcesPerTenant}/${mode}/${tenants}`;
        const group = byKey.get(key) ?? { resourcesPerTenant, mode, tenants, cycles: [] };
        byKey.set(key, { ...group, cycles: [...group.cycles, cycle] });
    }
    const versions = versionsNewestFirst(results);
    const modeOrder = (mode: ProgramMode) => Object.keys(MODE_NAMES).indexOf(mode);
    return [...byKey.values()].sort(
        (a, b) =>
            versions.indexOf(a.resourcesPerTenant) - versions.indexOf(b.resourcesPerTenant) ||
            modeOrder(a.mode) - modeOrder(b.mode) ||
            a.tenants - b.tenants,
    );
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
    // Fewer runs than the row's: some failed and were repeated (their incidents are in the results).
    return s.runs < runs ? `${figure} [${s.runs} runs]` : figure;
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
            MODE_NAMES[group.mode],
            String(group.tenants),
            String(resources(group)),
            String(group.cycles.length),
            ...TIMED.map((t) => cell(seconds(group, t.operation), group.cycles.length)),
            cell(memory, group.cycles.length, 0),
        ];
    });
    return markdownTable(header, rows);
}

/** Seconds per resource (least squares over the medians) and the fixed part, per operation and way of running. */
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
        for (const mode of Object.keys(MODE_NAMES) as ProgramMode[]) {
            const ofMode = groups(results).filter(
                (g) => g.mode === mode && g.resourcesPerTenant === version,
            );
            for (const { operation, heading } of TIMED) {
                const measured = ofMode.flatMap((g) => {
                    const s = seconds(g, operation);
                    return s ? [{ group: g, median: s.median }] : [];
                });
                const line = leastSquares(
                    measured.map((m) => [resources(m.group), m.median] as const),
                );
                if (!line) continue;
                rows.push([
                    String(version),
                    MODE_NAMES[mode],
                    heading,
                    line.slope.toFixed(4),
                    line.intercept.toFixed(1),
                    measured.map((m) => m.group.tenants).join(", "),
                ]);
            }
        }
    return markdownTable(header, rows);
}

export function realEngineChartSvg(results: ResultsFile): string {
    const colors: Partial<Record<Operation, string>> = {
        preview: "#1f77b4",
        firstUp: "#d62728",
        addOne: "#2ca02c",
    };
    const series: Series[] = [];
    const [newest] = versionsNewestFirst(results);
    for (const mode of Object.keys(MODE_NAMES) as ProgramMode[]) {
        const ofMode = groups(results).filter(
            (g) => g.mode === mode && g.resourcesPerTenant === newest,
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

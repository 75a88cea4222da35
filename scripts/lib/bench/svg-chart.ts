/** A line chart as a standalone SVG document: numeric axes from zero, one polyline per series. */

export interface Series {
    readonly label: string;
    readonly color: string;
    readonly dashed: boolean;
    readonly points: readonly (readonly [number, number])[];
}

export interface Chart {
    readonly title: string;
    readonly xLabel: string;
    readonly yLabel: string;
    readonly series: readonly Series[];
}

const WIDTH = 720;
const HEIGHT = 440;
const MARGIN = { left: 64, right: 200, top: 40, bottom: 52 };

export function lineChartSvg(chart: Chart): string {
    const all = chart.series.flatMap((s) => s.points);
    const xMax = niceCeiling(Math.max(1, ...all.map(([x]) => x)));
    const yMax = niceCeiling(Math.max(1, ...all.map(([, y]) => y)));
    const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
    const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
    const px = (x: number) => MARGIN.left + (x / xMax) * plotWidth;
    const py = (y: number) => MARGIN.top + plotHeight - (y / yMax) * plotHeight;
    const round = (v: number) => v.toFixed(1);

    const ticks = (max: number) => Array.from({ length: 6 }, (_, i) => (max * i) / 5);
    const xTicks = ticks(xMax).map(
        (x) =>
            `<line x1="${round(px(x))}" y1="${round(py(0))}" x2="${round(px(x))}" y2="${round(py(0) + 5)}" stroke="#333"/>` +
            `<text x="${round(px(x))}" y="${round(py(0) + 20)}" text-anchor="middle">${formatTick(x)}</text>`,
    );
    const yTicks = ticks(yMax).map(
        (y) =>
            `<line x1="${MARGIN.left}" y1="${round(py(y))}" x2="${MARGIN.left + plotWidth}" y2="${round(py(y))}" stroke="#ddd"/>` +
            `<text x="${MARGIN.left - 8}" y="${round(py(y) + 4)}" text-anchor="end">${formatTick(y)}</text>`,
    );
    const lines = chart.series.map((s) => {
        const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
        const path = sorted.map(([x, y]) => `${round(px(x))},${round(py(y))}`).join(" ");
        const dots = sorted.map(
            ([x, y]) =>
                `<circle cx="${round(px(x))}" cy="${round(py(y))}" r="3" fill="${s.color}"/>`,
        );
        const dash = s.dashed ? ' stroke-dasharray="6 4"' : "";
        return `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>${dots.join("")}`;
    });
    const legend = chart.series.map((s, i) => {
        const y = MARGIN.top + 10 + i * 22;
        const x = MARGIN.left + plotWidth + 16;
        const dash = s.dashed ? ' stroke-dasharray="6 4"' : "";
        return (
            `<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>` +
            `<text x="${x + 36}" y="${y + 4}">${escapeXml(s.label)}</text>`
        );
    });
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
        `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
        `<text x="${MARGIN.left}" y="22" font-size="15">${escapeXml(chart.title)}</text>`,
        ...yTicks,
        ...xTicks,
        `<line x1="${MARGIN.left}" y1="${round(py(0))}" x2="${MARGIN.left + plotWidth}" y2="${round(py(0))}" stroke="#333"/>`,
        `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${round(py(0))}" stroke="#333"/>`,
        `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
        `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
        ...lines,
        ...legend,
        "</svg>",
        "",
    ].join("\n");
}

/** The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `value`. */
function niceCeiling(value: number): number {
    const power = 10 ** Math.floor(Math.log10(value));
    const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value)!;
    return step * power;
}

function formatTick(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

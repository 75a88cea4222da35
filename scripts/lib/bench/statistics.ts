/** The summaries the bench reports: median with its range, and a least-squares line. */

export interface Spread {
    readonly median: number;
    readonly min: number;
    readonly max: number;
    readonly runs: number;
}

export function spread(values: readonly number[]): Spread {
    if (values.length === 0) throw new Error("no values to summarise");
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median =
        sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

/** y = intercept + slope * x, fitted by least squares; needs two different x. */
export interface Line {
    readonly slope: number;
    readonly intercept: number;
}

export function leastSquares(points: readonly (readonly [number, number])[]): Line | undefined {
    const n = points.length;
    const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
    const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
    const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
    if (n < 2 || sxx === 0) return undefined;
    const sxy = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
    const slope = sxy / sxx;
    return { slope, intercept: meanY - slope * meanX };
}

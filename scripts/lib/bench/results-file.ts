/**
 * The raw results of the real-engine bench, kept in the repository so that a later run (after
 * a change to the program) can be compared with them. Each bench run appends its cycles.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import type { CycleResult } from "./real-cycle";

export interface Machine {
    readonly cores: number;
    readonly cpu: string;
    readonly memoryGiB: number;
    readonly node: string;
    readonly pulumi: string;
}

export interface ResultsFile {
    readonly machine: Machine;
    /** Why the figures are what they are: other work on the machine, and the like. */
    readonly notes: readonly string[];
    readonly cycles: readonly CycleResult[];
}

export function thisMachine(pulumiVersion: string): Machine {
    return {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model.trim() ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        pulumi: pulumiVersion,
    };
}

export function readResults(file: string): ResultsFile | undefined {
    return fs.existsSync(file)
        ? (JSON.parse(fs.readFileSync(file, "utf8")) as ResultsFile)
        : undefined;
}

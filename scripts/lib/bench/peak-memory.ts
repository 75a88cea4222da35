/**
 * The peak resident memory of the Pulumi program's own process during one Pulumi command, taken
 * by peak-memory-preload.js without any change to the program.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const PRELOAD = path.join(__dirname, "peak-memory-preload.js");

interface ProcessRecord {
    readonly argv: readonly string[];
    readonly maxRssKiB: number;
}

export class PeakMemoryLog {
    constructor(private readonly file: string) {
        if (/\s/.test(PRELOAD))
            throw new Error(`NODE_OPTIONS cannot name ${PRELOAD}: it has a space`);
    }

    /** The environment that makes every Node.js process of a Pulumi command record itself here. */
    environment(): Record<string, string> {
        return { NODE_OPTIONS: `--require ${PRELOAD}`, AIMS_BENCH_MEMORY_LOG: this.file };
    }

    /**
     * The largest peak of a program process recorded since the last call, in MiB, and forgets
     * the records. The program is what Pulumi's Node.js language host runs: @pulumi/pulumi's
     * cmd/run (the policy pack's is cmd/run-policy-pack).
     */
    takeProgramPeakMiB(): number | undefined {
        if (!fs.existsSync(this.file)) return undefined;
        const records = fs
            .readFileSync(this.file, "utf8")
            .split("\n")
            .filter((line) => line.trim() !== "")
            .map((line) => JSON.parse(line) as ProcessRecord);
        fs.rmSync(this.file);
        const program = records.filter((record) => record.argv.some(isProgramRunner));
        if (program.length === 0) return undefined;
        return Math.max(...program.map((record) => record.maxRssKiB)) / 1024;
    }
}

function isProgramRunner(arg: string): boolean {
    return /@pulumi[\\/]pulumi[\\/]cmd[\\/]run([\\/]index\.js)?$/.test(arg);
}

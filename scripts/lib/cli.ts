/** What every CLI entry point shares: argument parsing and failing with a message and exit 1. */
import { parseArgs, ParseArgsConfig } from "node:util";
import { ValidationError } from "../../components/support/errors";

export class UsageError extends Error {}

const HELP = { help: { type: "boolean", short: "h" } } as const;

/**
 * A command that takes options only: their values, or undefined once `--help` has printed the
 * usage. Positional arguments are a usage error.
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(
    argv: string[],
    options: T,
    usage: string,
) {
    const { values, positionals } = parseCommandLine(argv, { ...options, ...HELP }, usage);
    if ((values as { help?: boolean }).help) {
        console.log(usage);
        return undefined;
    }
    if (positionals.length > 0)
        throw new UsageError(`unexpected arguments: ${positionals.join(" ")}\n${usage}`);
    return values;
}

export function parseCommandLine<T extends ParseArgsConfig["options"]>(
    argv: string[],
    options: T,
    usage: string,
) {
    try {
        return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (err) {
        throw new UsageError(`${(err as Error).message}\n${usage}`);
    }
}

/**
 * Runs `main`, printing a failure to stderr (validation problems one per line) and exiting 1;
 * a UsageError exits `usageExitCode` (1 unless a command keeps 1 for another meaning).
 */
export function runCli(
    main: () => Promise<void> | void,
    { usageExitCode = 1 }: { usageExitCode?: number } = {},
): void {
    Promise.resolve()
        .then(main)
        .catch((err: unknown) => {
            if (err instanceof ValidationError) {
                process.stderr.write(`${err.problems.join("\n")}\n`);
                process.stderr.write(
                    `${err.problems.length} problem${err.problems.length === 1 ? "" : "s"} found; nothing was changed.\n`,
                );
            } else if (err instanceof Error) {
                process.stderr.write(
                    `${err instanceof UsageError ? "" : "error: "}${err.message}\n`,
                );
            } else {
                process.stderr.write(`error: ${String(err)}\n`);
            }
            process.exitCode = err instanceof UsageError ? usageExitCode : 1;
        });
}

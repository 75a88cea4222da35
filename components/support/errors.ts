import * as pulumi from "@pulumi/pulumi";

/**
 * Every problem found in the input, one line each (`file: field: message`). It is a RunError so
 * that `pulumi preview` prints the lines without a stack trace and exits non-zero.
 */
export class ValidationError extends pulumi.RunError {
    constructor(public readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "ValidationError";
    }
}

/** Throws one ValidationError with every problem, if there is any. */
export function throwIfProblems(problems: readonly string[]): void {
    if (problems.length > 0) {
        throw new ValidationError(problems);
    }
}

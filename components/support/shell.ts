/** Values in the shell commands that `command` resources run. */

/** `'...'` for sh: the value is passed as one word, whatever it holds. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

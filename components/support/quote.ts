/**
 * Showing a value from an input file inside a problem message. The value is quoted, shortened,
 * and every character outside printable ASCII is escaped, so a message stays one line and can
 * neither carry terminal escapes nor reorder text (bidirectional controls) in a log.
 */

const MAX_SHOWN = 60;

/** `"value"` with non-printable-ASCII characters as \uXXXX escapes, at most ~60 characters. */
export function quote(value: string, max = MAX_SHOWN): string {
    const shown = [...value].length > max ? `${[...value].slice(0, max - 3).join("")}...` : value;
    return JSON.stringify(shown).replace(
        /[^\x20-\x7e]/g,
        (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

/** A short description of any value: a quoted string, a number, `a list`, `a mapping`. */
export function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a mapping";
    if (typeof value === "string") return quote(value);
    return String(value);
}

const MAX_LIST_ITEMS = 10;

/** A value as a problem shows it: like `describe`, with a list's items shown: `["a",1]`. */
export function show(value: unknown): string {
    if (!Array.isArray(value)) return describe(value);
    const items = value.slice(0, MAX_LIST_ITEMS).map((item) => describe(item));
    return `[${items.join(",")}${value.length > MAX_LIST_ITEMS ? ",..." : ""}]`;
}

/**
 * Checks on text that comes from an input file, so that nothing from the file reaches a message
 * or a resource unreadable: YAML parser errors without the parser's quotes of the file, and
 * string fields without control characters, line breaks or text-direction marks.
 */
import * as yaml from "js-yaml";

/** C0 and C1 controls (tab, CR, LF included), DEL, line and paragraph separators, bidirectional marks and overrides. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNREADABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * ` (line N): reason` of a YAML error, never quoting the file: js-yaml's snippet is dropped, and
 * the parts of its reason that repeat the file (a tag, an alias name) are left out.
 */
export function yamlErrorDetail(err: unknown): string {
    if (!(err instanceof yaml.YAMLException)) return "";
    const line = err.mark ? ` (line ${err.mark.line + 1})` : "";
    const reason = err.reason
        .replace(/\s*(!<[^>]*>|"[^"]*"|'[^']*'|`[^`]*`)/g, "")
        .replace(/[^A-Za-z0-9 ,.()-]/g, "")
        .trim();
    return `${line}: ${reason || "syntax error"}`;
}

/**
 * One problem per string field (at any depth) with an unreadable character, and the fields
 * concerned, so that the caller can leave out that field's other problems.
 */
export function unreadableTextProblems(
    file: string,
    document: Record<string, unknown>,
): { problems: string[]; fields: string[] } {
    const problems: string[] = [];
    const fields: string[] = [];
    const visit = (value: unknown, field: string) => {
        if (typeof value === "string") {
            const found = UNREADABLE.exec(value);
            if (found) {
                fields.push(field);
                const code = `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
                problems.push(
                    `${file}: ${field}: must not contain control characters, line breaks or text-direction marks (found ${code} at character ${found.index + 1})`,
                );
            }
        } else if (Array.isArray(value)) {
            value.forEach((item, index) => visit(item, `${field}[${index}]`));
        } else if (value !== null && typeof value === "object") {
            for (const [key, item] of Object.entries(value))
                visit(item, field ? `${field}.${key}` : key);
        }
    };
    visit(document, "");
    return { problems, fields };
}

/**
 * Edits of a stack file that keep everything else as it was, comments and layout included: one
 * ring's `version:` value, and the `aims:rollbackRings` line. Each edit is checked by reading the
 * file back: anything but the intended change (a layout these edits do not know) is refused, and
 * the file is left for a person to edit.
 */
import { isDeepStrictEqual } from "node:util";
import * as yaml from "js-yaml";

export class StackEditError extends Error {}

type Config = Record<string, unknown>;

const RINGS_KEY = /^(\s+)aims:rings:\s*(#.*)?$/;
const ROLLBACK_KEY = /^(\s+)aims:rollbackRings:/;

/** The stack file with `ring`'s version set to `version`. */
export function withRingVersion(text: string, ring: string, version: string): string {
    const lines = text.split("\n");
    const block = blockOf(lines, RINGS_KEY);
    if (!block) throw new StackEditError("no aims:rings block in block style");
    const items = itemsOf(lines, block.start + 1, block.end);
    const item = items.find(({ start, end }) => nameIn(lines.slice(start, end)) === ring);
    if (!item) throw new StackEditError(`no ring named ${ring} in aims:rings`);
    const at = lines.slice(item.start, item.end).findIndex((line) => VERSION.test(line));
    if (at < 0) throw new StackEditError(`ring ${ring} has no version: line`);
    const edited = [...lines];
    edited[item.start + at] = lines[item.start + at].replace(
        VERSION,
        (_, prefix: string) => `${prefix}${JSON.stringify(version)}`,
    );
    const result = edited.join("\n");
    checked(text, result, (config) => {
        const rings = config["aims:rings"] as Array<{ name: string; version: string }>;
        const target = rings.find((r) => r.name === ring);
        if (target) target.version = version;
    });
    return result;
}

/** The stack file with `aims:rollbackRings` set to `names` (the line removed when none). */
export function withRollbackRings(text: string, names: readonly string[]): string {
    const lines = text.split("\n");
    const existing = blockOf(lines, ROLLBACK_KEY);
    const rings = blockOf(lines, RINGS_KEY);
    if (!rings) throw new StackEditError("no aims:rings block in block style");
    const indent = /^(\s+)/.exec(lines[rings.start])![1];
    const line = `${indent}aims:rollbackRings: [${names.join(", ")}] # npm run release -- rollback; take a ring off once its rollback is deployed`;
    const edited = [...lines];
    if (existing) edited.splice(existing.start, existing.end - existing.start);
    if (names.length > 0) {
        const at = existing ? existing.start : rings.end;
        edited.splice(at, 0, line);
    }
    const result = edited.join("\n");
    checked(text, result, (config) => {
        if (names.length > 0) config["aims:rollbackRings"] = [...names];
        else delete config["aims:rollbackRings"];
    });
    return result;
}

const VERSION = /^(\s*(?:-\s+)?version:\s*)("[^"]*"|'[^']*'|[^\s#]+)/;
const NAME = /^\s*(?:-\s+)?name:\s*["']?([a-z][a-z0-9-]*)["']?\s*(#.*)?$/;

function nameIn(lines: readonly string[]): string | undefined {
    for (const line of lines) {
        const match = NAME.exec(line);
        if (match) return match[1];
    }
    return undefined;
}

/** The lines of the key matching `key` and of its value: [start, end). */
function blockOf(
    lines: readonly string[],
    key: RegExp,
): { start: number; end: number } | undefined {
    const start = lines.findIndex((line) => key.test(line));
    if (start < 0) return undefined;
    const indent = indentOf(lines[start]);
    let end = start + 1;
    while (end < lines.length && (isBlank(lines[end]) || indentOf(lines[end]) > indent)) end++;
    // Blank and comment lines at the end belong to what follows.
    while (end > start + 1 && isBlank(lines[end - 1])) end--;
    return { start, end };
}

/** The list items of a block sequence between `from` and `to`. */
function itemsOf(lines: readonly string[], from: number, to: number) {
    const starts: number[] = [];
    for (let i = from; i < to; i++) if (/^\s*-\s/.test(lines[i])) starts.push(i);
    const indent = starts.length > 0 ? indentOf(lines[starts[0]]) : 0;
    const items = starts.filter((i) => indentOf(lines[i]) === indent);
    return items.map((start, n) => ({ start, end: items[n + 1] ?? to }));
}

const indentOf = (line: string): number => /^\s*/.exec(line)![0].length;
const isBlank = (line: string): boolean => /^\s*(#.*)?$/.test(line);

/** Refuses an edit whose file does not read back as `change` applied to the original. */
function checked(before: string, after: string, change: (config: Config) => void): void {
    const expected = configOf(before);
    change(expected);
    let actual: Config;
    try {
        actual = configOf(after);
    } catch (err) {
        throw new StackEditError(`the edited file is not valid YAML: ${(err as Error).message}`);
    }
    if (!isDeepStrictEqual(sortedKeys(actual), sortedKeys(expected)))
        throw new StackEditError("the edit would change more than the intended value");
}

function configOf(text: string): Config {
    const document = yaml.load(text) as { config?: Config } | undefined;
    return structuredClone(document?.config ?? {});
}

function sortedKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortedKeys);
    if (value !== null && typeof value === "object")
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((key) => [key, sortedKeys((value as Config)[key])]),
        );
    return value;
}

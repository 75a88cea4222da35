/**
 * Problems from ajv's errors, one per field or key, in the words of the schema's `x-message` where
 * it has one: the message of the schema whose keyword failed, or else of the value's own schema
 * (which refers to a shared definition without a message). A problem with a scalar list item is
 * reported at the list: with the failing items when the item's schema has the message, with the
 * whole list when the list's schema has it. A secret's value is never shown.
 */
import type { ErrorObject } from "ajv";
import { quote, show } from "../support/quote";
import { Schema } from "./schemas";
import { keyOf, schemaAt, valueAt, ValuePath } from "./subschema";

export interface SchemaProblem {
    /** The field or key as the file names it: `aws.shard`, `aims:database.port`, `environments[1]`. */
    readonly key: string;
    readonly message: string;
}

export interface ProblemContext {
    /** The schema the document was validated against. */
    readonly schema: Schema;
    /** The document, for the value of a list whose item is wrong. */
    readonly document: unknown;
    /** What the file calls an entry of a mapping: `field` in a tenant file, `key` in stack config. */
    readonly entry: "field" | "key";
    /** How to set a missing secret, said after "is required". */
    readonly setSecret?: (key: string) => string;
}

/** A problem whose message shows `values` in place of `{value}`; `listed` ones merge their values. */
interface Found {
    readonly key: string;
    readonly message: string;
    readonly values: unknown[];
    readonly listed?: boolean;
}

export function schemaProblems(
    errors: readonly ErrorObject[],
    context: ProblemContext,
): SchemaProblem[] {
    const byKey = new Map<string, Found>();
    for (const found of errors.map((error) => problemOf(error, context))) {
        const first = byKey.get(found.key);
        if (!first) byKey.set(found.key, { ...found, values: [...found.values] });
        else if (first.listed && found.listed && first.message === found.message)
            first.values.push(...found.values.filter((value) => !first.values.includes(value)));
    }
    return [...byKey.values()].map(({ key, message, values }) => ({
        key,
        message: message.split("{value}").join(values.map(show).join(", ")),
    }));
}

function problemOf(error: ErrorObject, context: ProblemContext): Found {
    const path = pathOf(error.instancePath);
    const params = error.params as Record<string, unknown>;
    const failing = error.parentSchema as Schema | undefined;
    switch (error.keyword) {
        case "required": {
            const key = keyOf([...path, String(params.missingProperty)]);
            const secret = schemaAt(context.schema, [...path, String(params.missingProperty)]);
            const how = secret?.["x-secret"] && context.setSecret?.(key);
            return { key, message: how ? `is required; ${how}` : "is required", values: [] };
        }
        case "additionalProperties": {
            const allowed = Object.keys(failing?.properties ?? {}).join(", ");
            return {
                key: keyOf([...path, entryName(String(params.additionalProperty))]),
                message: `unknown ${context.entry}; allowed: ${allowed}`,
                values: [],
            };
        }
        case "uniqueItems": {
            const repeated = (error.data as unknown[])[params.i as number];
            return {
                key: keyOf(path),
                message: "lists {value} more than once",
                values: [repeated],
            };
        }
    }
    const own = schemaAt(context.schema, path);
    const message = failing?.["x-message"] ?? own?.["x-message"];
    const list = path.length > 0 ? schemaAt(context.schema, path.slice(0, -1)) : undefined;
    const scalarItem = list?.type === "array" && own?.type !== "object" && own?.type !== "array";
    const allowed = ((failing?.enum ?? own?.enum ?? []) as unknown[]).join(", ");
    if (message !== undefined) {
        return {
            key: keyOf(scalarItem ? path.slice(0, -1) : path),
            message: message.replace("{allowed}", allowed),
            values: [error.data],
            listed: scalarItem,
        };
    }
    if (scalarItem && list["x-message"] !== undefined) {
        const listPath = path.slice(0, -1);
        return {
            key: keyOf(listPath),
            message: list["x-message"],
            values: [valueAt(context.document, listPath)],
        };
    }
    const text = defaultMessage(error, own, context.entry);
    const secret = own?.["x-secret"] === true;
    return {
        key: keyOf(path),
        message: secret
            ? text.replace("(got {value})", "(the value is a secret and is not shown)")
            : text,
        values: [error.data],
    };
}

function defaultMessage(error: ErrorObject, own: Schema | undefined, entry: string): string {
    const params = error.params as {
        type?: string;
        comparison?: string;
        limit?: number;
        allowedValues?: unknown[];
        pattern?: string;
    };
    const range =
        own?.type === "integer" &&
        typeof own.minimum === "number" &&
        typeof own.maximum === "number"
            ? `a whole number from ${own.minimum} to ${own.maximum}`
            : undefined;
    switch (error.keyword) {
        case "type":
            if (params.type === "object") return `must be a mapping of ${entry}s`;
            if (params.type === "integer")
                return `must be ${range ?? "a whole number"} (got {value})`;
            if (params.type === "boolean") return "must be true or false (got {value})";
            return `must be a${/^[aeiou]/.test(params.type ?? "") ? "n" : ""} ${params.type} (got {value})`;
        case "minimum":
        case "maximum":
            return `must be ${range ?? `${params.comparison} ${params.limit}`} (got {value})`;
        case "enum":
            return `must be one of ${(params.allowedValues ?? []).join(", ")} (got {value})`;
        case "pattern":
            return `must match ${params.pattern} (got {value})`;
        case "minItems":
            return `must list at least ${params.limit} item${params.limit === 1 ? "" : "s"}`;
        case "minProperties":
            return `must set at least one ${entry}, or be left out`;
        case "minLength":
            return "must not be empty";
        case "maxLength":
            return `must be at most ${params.limit} characters (got {value})`;
        case "not":
            return "must not be set";
        default:
            return error.message ?? error.keyword;
    }
}

/** `/aims:aws/listeners/0` -> `["aims:aws", "listeners", "0"]` (JSON Pointer, unescaped). */
function pathOf(instancePath: string): ValuePath {
    return instancePath
        .split("/")
        .slice(1)
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** An entry's name as written in the file, quoted when it is not a plain word. */
function entryName(name: string): string {
    return /^[A-Za-z0-9_:-]+$/.test(name) ? name : quote(name);
}

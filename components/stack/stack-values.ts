/**
 * The stack's `aims:` config as one document, keyed like the stack file (`aims:database`), in
 * the shape stack.schema.json describes. Pulumi hands every top-level value as text; it is read
 * as its schema's type says: text for a string, JSON for the rest.
 */
import { schemaOf, Schema } from "../json-schema/schemas";
import { resolved, schemaAt } from "../json-schema/subschema";
import type { ConfigSource } from "./config-source";

export type StackValues = Record<string, unknown>;

const STACK_SCHEMA = schemaOf("stack.schema.json");

export function readStackValues(source: ConfigSource): StackValues {
    return Object.fromEntries(
        source.keys().map((key) => {
            const schema = schemaAt(STACK_SCHEMA, [key]);
            return [key, fromText(schema, parse(schema, source.get(key) ?? ""))];
        }),
    );
}

function parse(schema: Schema | undefined, text: string): unknown {
    const isText = schema?.type === "string" || schema?.enum?.every((v) => typeof v === "string");
    if (isText) return text;
    try {
        return JSON.parse(text);
    } catch {
        return text; // the schema reports what it should be
    }
}

/**
 * `value` with "true" and "false" read as booleans and digits as whole numbers where the schema
 * wants those: a stack file may quote them (`waitForReady: "false"`), and the program has always
 * accepted that.
 */
function fromText(schema: Schema | undefined, value: unknown): unknown {
    if (typeof value === "string") {
        if (schema?.type === "boolean" && (value === "true" || value === "false"))
            return value === "true";
        if (schema?.type === "integer" && /^\d+$/.test(value)) return Number(value);
        return value;
    }
    if (Array.isArray(value)) {
        const items = schema?.items && resolved(schema.items);
        return value.map((item) => fromText(items, item));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value).map(([name, item]) => [
                name,
                fromText(schema?.properties?.[name] && resolved(schema.properties[name]), item),
            ]),
        );
    }
    return value;
}

/** The mapping at `key` of a document, or undefined when the value there is not a mapping. */
export function mappingAt(
    values: Readonly<Record<string, unknown>>,
    key: string,
): Record<string, unknown> | undefined {
    const value = values[key];
    return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
}

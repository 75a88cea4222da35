/**
 * Finding the schema of a value inside a document: the schema of `aims:database.port` within
 * the stack's schema. A `$ref` is followed and merged with the keywords beside it, which win.
 */
import { referencedSchema, Schema } from "./schemas";

/** A path into a document: property names and list indexes (`["aims:aws", "listeners", "0"]`). */
export type ValuePath = readonly string[];

/** `schema` with what its `$ref` names merged in. */
export function resolved(schema: Schema): Schema {
    if (schema.$ref === undefined) return schema;
    const { $ref, ...own } = schema;
    return { ...resolved(referencedSchema($ref)), ...own };
}

/** The schema of the value at `path`, or undefined where the schema says nothing about it. */
export function schemaAt(root: Schema, path: ValuePath): Schema | undefined {
    let schema: Schema | undefined = resolved(root);
    for (const segment of path) {
        const next: Schema | undefined =
            schema?.type === "array" ? schema.items : schema?.properties?.[segment];
        schema = next && resolved(next);
    }
    return schema;
}

/** Paths of every property marked `x-secret`, at any depth of nested mappings. */
export function secretPaths(root: Schema, at: ValuePath = []): ValuePath[] {
    const schema = resolved(root);
    if (schema["x-secret"] === true) return [at];
    return Object.entries(schema.properties ?? {}).flatMap(([name, property]) =>
        secretPaths(property, [...at, name]),
    );
}

/** The value at `path` in a document, or undefined. */
export function valueAt(document: unknown, path: ValuePath): unknown {
    return path.reduce<unknown>(
        (value, part) =>
            value !== null && typeof value === "object"
                ? (value as Record<string, unknown>)[part]
                : undefined,
        document,
    );
}

/** `["aims:aws", "listeners", "0", "arn"]` -> `aims:aws.listeners[0].arn`, as messages name keys. */
export function keyOf(path: ValuePath): string {
    return path.reduce(
        (key, part) => (/^\d+$/.test(part) ? `${key}[${part}]` : key ? `${key}.${part}` : part),
        "",
    );
}

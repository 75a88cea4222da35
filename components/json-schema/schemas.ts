/**
 * The project's JSON Schemas (schema/*.schema.json) in one ajv instance, which validates tenant
 * files and stack config alike. Schemas refer to each other by file name
 * (`common.schema.json#/definitions/port`), as editors resolve them next to each other.
 * Validation fills in each `default` the schema gives, so a validated value is complete.
 */
import Ajv, { ValidateFunction } from "ajv";
import awsSchema from "../../schema/aws.schema.json";
import backupSchema from "../../schema/backup.schema.json";
import commonSchema from "../../schema/common.schema.json";
import coreSchema from "../../schema/core.schema.json";
import databaseSchema from "../../schema/database.schema.json";
import imagesSchema from "../../schema/images.schema.json";
import kubernetesSchema from "../../schema/kubernetes.schema.json";
import ringsSchema from "../../schema/rings.schema.json";
import stackSchema from "../../schema/stack.schema.json";
import tenantSchema from "../../schema/tenant.schema.json";

/** A JSON Schema as this project writes them; `x-message` and `x-secret` are described in common.schema.json. */
export interface Schema {
    readonly [keyword: string]: unknown;
    readonly $ref?: string;
    readonly type?: string;
    readonly properties?: Readonly<Record<string, Schema>>;
    readonly items?: Schema;
    readonly required?: readonly string[];
    readonly enum?: readonly unknown[];
    readonly default?: unknown;
    readonly description?: string;
    readonly "x-message"?: string;
    readonly "x-secret"?: boolean;
}

const SCHEMAS = {
    "common.schema.json": commonSchema,
    "tenant.schema.json": tenantSchema,
    "stack.schema.json": stackSchema,
    "images.schema.json": imagesSchema,
    "database.schema.json": databaseSchema,
    "kubernetes.schema.json": kubernetesSchema,
    "rings.schema.json": ringsSchema,
    "aws.schema.json": awsSchema,
    "backup.schema.json": backupSchema,
    "core.schema.json": coreSchema,
} as const;

export type SchemaFile = keyof typeof SCHEMAS;

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, useDefaults: true });
ajv.addKeyword({ keyword: "x-message", schemaType: "string" });
ajv.addKeyword({ keyword: "x-secret", schemaType: "boolean" });
for (const [file, schema] of Object.entries(SCHEMAS)) ajv.addSchema(schema, file);

/** The validator of a schema file; it fills in defaults as it validates. */
export function validatorOf(file: SchemaFile): ValidateFunction {
    return ajv.getSchema(file)!;
}

/** The schema of a file, as written. */
export function schemaOf(file: SchemaFile): Schema {
    return SCHEMAS[file] as Schema;
}

/** The schema a `$ref` names: a file, or a definition in it (`common.schema.json#/definitions/port`). */
export function referencedSchema(ref: string): Schema {
    const found = ajv.getSchema(ref);
    if (!found) throw new Error(`schema reference ${ref} names no schema`);
    return found.schema as Schema;
}

/**
 * The secrets of the stack config: the values its schemas mark `x-secret`. Each must be set with
 * `pulumi config set --secret`, never written in a stack file in plain text.
 */
import { schemaOf } from "../json-schema/schemas";
import type { SchemaProblem } from "../json-schema/problems";
import { keyOf, secretPaths, valueAt, ValuePath } from "../json-schema/subschema";
import type { ConfigSource } from "./config-source";
import type { StackValues } from "./stack-values";

/** Where the secrets are: `["aims:database", "password"]`, ... */
export const STACK_SECRET_PATHS: readonly ValuePath[] = secretPaths(schemaOf("stack.schema.json"));

/** What a message tells the user to run to set a secret. */
export function setSecretCommand(key: string, stack: string): string {
    return `pulumi config set --secret --path ${key} --stack ${stack}`;
}

/** One problem per secret that is set, but not as a secret; the value is never shown. */
export function plainTextSecrets(
    values: StackValues,
    source: Pick<ConfigSource, "isSecret">,
    stack: string,
): SchemaProblem[] {
    return STACK_SECRET_PATHS.filter((path) => valueAt(values, path) !== undefined)
        .map(keyOf)
        .filter((key) => !source.isSecret(key))
        .map((key) => ({
            key,
            message: `is written in plain text in the stack file (the value is not shown); remove it, rotate it (it may be in the repository's history), and set it with: ${setSecretCommand(key, stack)}`,
        }));
}

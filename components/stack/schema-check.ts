/**
 * Checks the stack's `aims:` config against stack.schema.json (which fills in its defaults)
 * and for secrets written in plain text. What a schema cannot say is checked by the block's own
 * module, on the values this check found valid.
 */
import { schemaProblems, SchemaProblem } from "../json-schema/problems";
import { schemaOf, validatorOf } from "../json-schema/schemas";
import type { ConfigSource } from "./config-source";
import { plainTextSecrets, setSecretCommand } from "./secrets";
import type { StackValues } from "./stack-values";

export interface StackCheck {
    readonly problems: readonly SchemaProblem[];
    /** Whether no problem was found at `key`, inside it or around it (`aims:aws.region`). */
    isValid(key: string): boolean;
}

export function checkStackValues(
    values: StackValues,
    source: Pick<ConfigSource, "isSecret">,
    stack: string,
): StackCheck {
    const validate = validatorOf("stack.schema.json");
    const plainText = plainTextSecrets(values, source, stack);
    const found = validate(values)
        ? []
        : schemaProblems(validate.errors ?? [], {
              schema: schemaOf("stack.schema.json"),
              document: values,
              entry: "key",
              setSecret: (key) => `set it once with: ${setSecretCommand(key, stack)}`,
          });
    // A secret in plain text gets that one problem, not a second one about its value.
    const problems = [
        ...plainText,
        ...found.filter((problem) => !plainText.some(({ key }) => key === problem.key)),
    ];
    return {
        problems,
        isValid: (key) => !problems.some((problem) => related(problem.key, key)),
    };
}

/** Whether one key is the other, or inside it. */
function related(a: string, b: string): boolean {
    const inside = (inner: string, outer: string) =>
        inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
    return a === b || inside(a, b) || inside(b, a);
}

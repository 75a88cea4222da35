/**
 * The stacks the workflows run, found from the project's Pulumi.<stack>.yaml files rather than
 * from a list in the workflows: adding a shard stack (Pulumi.prod-2.yaml) adds its preview, its
 * deploy and its drift check. A stack file the workflows cannot place (an environment other than
 * dev, sit or prod, a file that does not read as a stack) is an error, never left out: a
 * forgotten stack would silently stop being deployed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ValidationError } from "../../components/support/errors";
import { projectStacks, ProjectStack } from "../../components/stack/project-stacks";
import { listStacks } from "../../components/stack/stack-file";
import { ENVIRONMENTS, Environment } from "../../components/vocabulary/words";

/** A stack the workflows run: its environment is known. */
export type DiscoveredStack = ProjectStack & { readonly environment: Environment };

/** What `npm run stacks -- --json` prints: each environment's stacks by shard, all of them, and each stack's environment. */
export type StackGroups = Record<Environment, string[]> & {
    readonly all: string[];
    readonly environmentOf: Record<string, Environment>;
};

/**
 * Pulumi's own rule for stack names. The workflows also put the name in job names, concurrency
 * groups and AWS session names, where anything else would break or be read as syntax.
 */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The project's stacks in deploy order: by environment (dev, sit, prod), then by shard. */
export function discoverStacks(projectDir: string): DiscoveredStack[] {
    const stacks = projectStacks(projectDir);
    const read = new Set(stacks.map((stack) => stack.file));
    const problems = listStacks(projectDir)
        .filter((stack) => !read.has(`Pulumi.${stack}.yaml`))
        .map((stack) => `Pulumi.${stack}.yaml: ${unreadableReason(projectDir, stack)}`);
    for (const stack of stacks) {
        if (!STACK_NAME.test(stack.stack)) {
            problems.push(
                `${stack.file}: the stack name ${JSON.stringify(stack.stack)} may only hold letters, digits, "-", "_" and ".", starting with a letter or digit`,
            );
        }
        if (stack.environment === undefined)
            problems.push(environmentProblem(projectDir, stack.file));
    }
    // Each problem starts with its file: in file order, whatever order the stacks came in.
    if (problems.length > 0) throw new ValidationError(problems.sort());
    // projectStacks gives them in that order already.
    return stacks as DiscoveredStack[];
}

/** `stacks`, in the order given, grouped as the workflows read them. */
export function stackGroups(stacks: readonly DiscoveredStack[]): StackGroups {
    const byEnvironment = Object.fromEntries(
        ENVIRONMENTS.map((environment) => [
            environment,
            stacks.filter((s) => s.environment === environment).map((s) => s.stack),
        ]),
    ) as Record<Environment, string[]>;
    return {
        ...byEnvironment,
        all: stacks.map((s) => s.stack),
        environmentOf: Object.fromEntries(stacks.map((s) => [s.stack, s.environment])),
    };
}

function environmentProblem(projectDir: string, file: string): string {
    const config = readDocument(path.join(projectDir, file)).config ?? {};
    const allowed = ENVIRONMENTS.join(", ");
    const value = config["aims:environment"];
    if (value === undefined) {
        const stack = file.replace(/^Pulumi\.|\.yaml$/g, "");
        return `${file}: aims:environment: not set, and the stack name ${JSON.stringify(stack)} is not an environment; set it to one of ${allowed}`;
    }
    return `${file}: aims:environment: must be one of ${allowed} (got ${JSON.stringify(value)})`;
}

/** Why projectStacks() could not read a stack file. */
function unreadableReason(projectDir: string, stack: string): string {
    const { error, config } = readDocument(path.join(projectDir, `Pulumi.${stack}.yaml`));
    if (error) return error;
    if (!config) return "has no config: mapping, so neither its environment nor its shard is known";
    return "could not be read as a stack file";
}

function readDocument(file: string): { error?: string; config?: Record<string, unknown> } {
    if (!fs.lstatSync(file).isFile()) return { error: "is not a regular file" };
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (err) {
        return { error: `is not valid YAML: ${(err as Error).message.split("\n")[0]}` };
    }
    const config = (document as { config?: unknown } | null)?.config;
    return config && typeof config === "object" && !Array.isArray(config)
        ? { config: config as Record<string, unknown> }
        : {};
}

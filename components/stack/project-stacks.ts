/**
 * The stacks of the project, as their files in the repository say. The program gets only its own
 * stack's config, but the other stack files sit next to it, so it reads from each what the checks
 * across stacks need: the base domain (hosts apart), the environment and shard (one stack per
 * shard, a stack for every tenant's shard), the AWS listeners (never used by two shards) and
 * the rings (a tenant's ring must be one that a stack deploying it declares).
 * A file it cannot read, or a value of the wrong type, is left out: that stack's own validation
 * reports it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ENVIRONMENTS, Environment, isOneOf } from "../vocabulary/words";
import stackSchema from "../../schema/stack.schema.json";

/** What the checks across stacks know of one stack. */
export interface ProjectStack {
    readonly stack: string;
    /** Pulumi.<stack>.yaml, for messages. */
    readonly file: string;
    readonly baseDomain?: string;
    readonly environment?: Environment;
    /** `aims:stackShard`: which shard of its environment the stack deploys. */
    readonly stackShard: number;
    /** ARNs of `aims:aws.listeners`. */
    readonly listenerArns: readonly string[];
    /** Names of `aims:rings`; none for a stack without rings. */
    readonly ringNames?: readonly string[];
}

/** Shard of a stack without `aims:stackShard`: the schema's default, the first. */
export const FIRST_STACK_SHARD: number = stackSchema.properties["aims:stackShard"].default;

const STACK_FILE = /^Pulumi\.([^/]+)\.yaml$/;
/** Far above any stack file; a larger one is not read. */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;

/** The running stack, from its settings (its config may differ from its file, in tests and previews). */
export function runningStack(settings: {
    readonly stack: string;
    readonly file: string;
    readonly baseDomain: string;
    readonly environment: Environment;
    readonly stackShard: number;
    readonly aws?: { readonly listeners: readonly { readonly arn: string }[] };
    readonly rings?: { readonly rings: readonly { readonly name: string }[] };
}): ProjectStack {
    const { stack, file, baseDomain, environment, stackShard } = settings;
    const listenerArns = (settings.aws?.listeners ?? []).map((listener) => listener.arn);
    const ringNames = settings.rings?.rings.map((ring) => ring.name);
    return {
        stack,
        file,
        baseDomain,
        environment,
        stackShard,
        listenerArns,
        ...(ringNames && { ringNames }),
    };
}

/**
 * Every stack file of `projectDir`, in the order dev, sit, prod, then by shard (stacks without a
 * valid environment last); `running`, when given, replaces its own file.
 */
export function projectStacks(projectDir: string, running?: ProjectStack): ProjectStack[] {
    const fromFiles = fs
        .readdirSync(projectDir)
        .filter((file) => STACK_FILE.test(file) && file !== running?.file)
        .flatMap((file) => {
            const config = readConfig(path.join(projectDir, file));
            return config ? [projectStackOf(STACK_FILE.exec(file)![1], config)] : [];
        });
    return [...(running ? [running] : []), ...fromFiles].sort(
        (a, b) =>
            environmentRank(a) - environmentRank(b) ||
            a.stackShard - b.stackShard ||
            a.stack.localeCompare(b.stack),
    );
}

/** The stack as the checks across stacks see it, from its raw `config:` mapping. */
export function projectStackOf(stack: string, config: Record<string, unknown>): ProjectStack {
    const environment = config["aims:environment"] ?? stack;
    const stackShard = config["aims:stackShard"] ?? FIRST_STACK_SHARD;
    const baseDomain = config["aims:baseDomain"];
    const listeners = (config["aims:aws"] as { listeners?: unknown } | undefined)?.listeners;
    const rings = config["aims:rings"];
    return {
        stack,
        file: `Pulumi.${stack}.yaml`,
        ...(typeof baseDomain === "string" && { baseDomain }),
        ...(typeof environment === "string" &&
            isOneOf(ENVIRONMENTS, environment) && { environment }),
        stackShard: Number.isInteger(stackShard) ? (stackShard as number) : FIRST_STACK_SHARD,
        listenerArns: Array.isArray(listeners)
            ? listeners.flatMap((listener: { arn?: unknown } | null) =>
                  typeof listener?.arn === "string" ? [listener.arn] : [],
              )
            : [],
        ...(Array.isArray(rings) && {
            ringNames: rings.flatMap((ring: { name?: unknown } | null) =>
                typeof ring?.name === "string" ? [ring.name] : [],
            ),
        }),
    };
}

const environmentRank = ({ environment }: ProjectStack): number =>
    environment ? ENVIRONMENTS.indexOf(environment) : ENVIRONMENTS.length;

function readConfig(file: string): Record<string, unknown> | undefined {
    try {
        const stats = fs.lstatSync(file);
        if (!stats.isFile() || stats.size > MAX_STACK_FILE_BYTES) return undefined;
        const document = yaml.load(fs.readFileSync(file, "utf8")) as
            { config?: Record<string, unknown> } | undefined;
        const config = document?.config;
        return config && typeof config === "object" && !Array.isArray(config) ? config : undefined;
    } catch {
        return undefined;
    }
}

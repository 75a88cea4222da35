/**
 * Shard stacks: an environment's tenants split over several stacks (prod, prod-2, ...), so that
 * no stack outgrows a fast preview. Each stack file names its environment and shard; each tenant
 * names its shard per environment (shard 1 when it names none). These rules hold across the stack
 * files: one stack per shard, a stack for every shard a tenant names, and no AWS listener shared
 * by two shards, whose tenants' rule priorities would otherwise collide unchecked.
 */
import type { TenantSpec } from "../tenant-files/registry";
import type { Environment } from "../vocabulary/words";
import { FIRST_STACK_SHARD, ProjectStack } from "./project-stacks";

/** The shard of `environment` that deploys the tenant. */
export function stackShardOf(
    tenant: Pick<TenantSpec, "stackShard">,
    environment: Environment,
): number {
    return tenant.stackShard?.[environment] ?? FIRST_STACK_SHARD;
}

/** Whether the stack of an environment's shard deploys the tenant; a stack without a valid environment deploys none. */
export function deploys(
    stack: { readonly environment?: Environment; readonly stackShard: number },
    tenant: Pick<TenantSpec, "environments" | "stackShard">,
): boolean {
    const { environment } = stack;
    return (
        environment !== undefined &&
        tenant.environments.includes(environment) &&
        stackShardOf(tenant, environment) === stack.stackShard
    );
}

/** Every problem of the shard layout of `stacks` with `tenants`, each naming its file. */
export function shardStackProblems(
    stacks: readonly ProjectStack[],
    tenants: readonly TenantSpec[],
): string[] {
    const problems: string[] = [];
    const byEnvironment = new Map<Environment, ProjectStack[]>();
    for (const stack of stacks) {
        if (!stack.environment) continue;
        const others = byEnvironment.get(stack.environment) ?? [];
        const sameShard = others.find((other) => other.stackShard === stack.stackShard);
        if (sameShard) {
            problems.push(
                `${stack.file}: aims:stackShard: shard ${stack.stackShard} of ${stack.environment} is also deployed by ${sameShard.file}; ` +
                    "two stacks would create the same tenants: give this stack a shard number of its own",
            );
        }
        for (const arn of stack.listenerArns) {
            const sharing = others.find((other) => other.listenerArns.includes(arn));
            if (sharing) {
                problems.push(
                    `${stack.file}: aims:aws.listeners: ${arn} is also a listener of ${sharing.file}, another shard stack of ${stack.environment}; ` +
                        "each stack checks only its own tenants' rule priorities, so theirs could collide: give each shard stack listeners of its own",
                );
            }
        }
        byEnvironment.set(stack.environment, [...others, stack]);
    }
    for (const tenant of tenants) {
        for (const [environment, shard] of Object.entries(tenant.stackShard ?? {})) {
            const shardStacks = byEnvironment.get(environment as Environment);
            if (!shardStacks || shardStacks.some((stack) => stack.stackShard === shard)) continue;
            const existing = shardStacks
                .map((stack) => `${stack.stackShard} (${stack.file})`)
                .join(", ");
            problems.push(
                `${tenant.file}: stackShard.${environment}: no stack deploys shard ${shard} of ${environment}; its shards are ${existing}. ` +
                    `Choose one of them, or add a stack file with aims:environment: ${environment} and aims:stackShard: ${shard}`,
            );
        }
    }
    return problems;
}

/** What choosing a new tenant's shard needs of a stack. */
export interface ShardCapacity {
    readonly environment?: Environment;
    readonly stackShard: number;
    readonly maxTenantsPerStack: number;
}

/**
 * The shard of `environment` a new tenant goes to: among the shards with room, the one with the
 * fewest tenants, the lowest number among equals; when every shard is full, the least loaded,
 * which validation then refuses. Undefined when the environment has no stack.
 */
export function leastLoadedShard(
    stacks: readonly ShardCapacity[],
    tenants: readonly Pick<TenantSpec, "environments" | "stackShard">[],
    environment: Environment,
): number | undefined {
    const loads = stacks
        .filter((stack) => stack.environment === environment)
        .map((stack) => {
            const load = tenants.filter((tenant) => deploys(stack, tenant)).length;
            return { shard: stack.stackShard, load, full: load >= stack.maxTenantsPerStack };
        })
        .sort((a, b) => Number(a.full) - Number(b.full) || a.load - b.load || a.shard - b.shard);
    return loads[0]?.shard;
}

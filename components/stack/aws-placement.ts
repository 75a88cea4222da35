/**
 * Where an AWS tenant's rules go (its shard: a listener of `aims:aws.listeners`) and whether they
 * fit: shards that exist, priorities that collide with no other tenant and no reserved rule, and
 * load balancers within their quotas. Checked with the stack settings, before anything is registered.
 */
import type { TenantSpec } from "../tenant-files/registry";
import { loadBalancerOfListener } from "./aws-arn";
import {
    HASHED_PRIORITY_MIN,
    listenerPriority,
    MAX_TENANT_PRIORITY,
    occupiedPriorities,
} from "./aws-priority";
import { AwsListener, AwsSettings, MAX_LISTENER_PRIORITY } from "./aws";

/** What one tenant adds to its load balancer: the api and web rules, the api and web target groups. */
export const RULES_PER_TENANT = 2;
export const TARGET_GROUPS_PER_TENANT = 2;
/** Quotas of one Application Load Balancer: rules (default rules excluded) and target groups. */
export const MAX_RULES_PER_LOAD_BALANCER = 100;
export const MAX_TARGET_GROUPS_PER_LOAD_BALANCER = 100;

type PlacedTenant = Pick<TenantSpec, "name" | "file" | "aws">;

/** The shard of a tenant: `aws.shard` of its file, or 0. */
export const shardOf = (tenant: Pick<TenantSpec, "aws">): number => tenant.aws?.shard ?? 0;

/** The listener of a tenant's shard; throws when the shard does not exist (validation reports it first). */
export function listenerOf(
    tenant: Pick<TenantSpec, "file" | "aws">,
    aws: Pick<AwsSettings, "listeners">,
): AwsListener {
    const listener = aws.listeners[shardOf(tenant)];
    if (!listener) {
        throw new Error(
            `${tenant.file}: aws.shard: there is no shard ${shardOf(tenant)} in aims:aws.listeners`,
        );
    }
    return listener;
}

/**
 * Every placement problem of the stack's AWS tenants, messages naming the tenant files (and
 * `stackFile` for problems of the stack config). Nothing here depends on the order of the files.
 */
export function awsPlacementProblems(
    tenants: readonly TenantSpec[],
    aws: AwsSettings,
    stackFile = "the stack file",
): string[] {
    if (aws.listeners.length === 0) return []; // the settings already report the missing listeners
    const problems: string[] = [];
    const byShard = new Map<number, PlacedTenant[]>();
    for (const tenant of [...tenants].sort((a, b) => a.file.localeCompare(b.file))) {
        const shard = shardOf(tenant);
        if (shard >= aws.listeners.length) {
            problems.push(
                `${tenant.file}: aws.shard: there is no shard ${shard}: aims:aws.listeners of ${stackFile} has ${describeShards(aws.listeners.length)}; choose one of them, or add a listener for shard ${shard} to aims:aws.listeners`,
            );
            continue;
        }
        const explicit = tenant.aws?.listenerPriority;
        if (explicit !== undefined && explicit < HASHED_PRIORITY_MIN) {
            problems.push(
                `${tenant.file}: aws.listenerPriority: must be at least ${HASHED_PRIORITY_MIN}: priorities 1 to ${HASHED_PRIORITY_MIN - 1} are the platform's own rules (maintenance, redirects, blocks for every host), which a tenant's rules must never be evaluated ahead of (got ${explicit})`,
            );
            continue;
        }
        if (explicit !== undefined && explicit > MAX_TENANT_PRIORITY) {
            problems.push(
                `${tenant.file}: aws.listenerPriority: must be at most ${MAX_TENANT_PRIORITY}: the tenant's second rule takes the next number, and ${MAX_LISTENER_PRIORITY} is the highest priority (got ${explicit})`,
            );
            continue;
        }
        byShard.set(shard, [...(byShard.get(shard) ?? []), tenant]);
    }
    aws.listeners.forEach((listener, shard) =>
        problems.push(...priorityProblems(shard, listener, byShard.get(shard) ?? [])),
    );
    problems.push(...capacityProblems(aws.listeners, byShard, stackFile));
    return problems;
}

type Owner =
    | { readonly reserved: true }
    | { readonly reserved: false; readonly tenant: PlacedTenant; readonly priority: number };

/**
 * Tenants with an explicit priority claim theirs first (someone chose them on purpose), then the
 * others in file order; a tenant that finds a number taken gets a message with the next free one.
 */
function priorityProblems(
    shard: number,
    listener: AwsListener,
    tenants: readonly PlacedTenant[],
): string[] {
    const problems: string[] = [];
    const used = new Map<number, Owner>(
        listener.reservedPriorities.map((priority) => [priority, { reserved: true }]),
    );
    // Numbers already suggested to another tenant in this run, so that two fixes never collide.
    const suggested = new Set<number>();
    const ordered = [
        ...tenants.filter((t) => t.aws?.listenerPriority !== undefined),
        ...tenants.filter((t) => t.aws?.listenerPriority === undefined),
    ];
    for (const tenant of ordered) {
        const priority = listenerPriority(tenant);
        const taken = occupiedPriorities(priority)
            .map((number) => ({ number, owner: used.get(number) }))
            .find(({ owner }) => owner !== undefined);
        if (!taken) {
            occupiedPriorities(priority).forEach((number) =>
                used.set(number, { reserved: false, tenant, priority }),
            );
            continue;
        }
        const free = nextFreePriority(priority, (p) => used.has(p) || suggested.has(p));
        if (free !== undefined) occupiedPriorities(free).forEach((number) => suggested.add(number));
        const origin =
            tenant.aws?.listenerPriority !== undefined
                ? "set in its file"
                : "derived from its name";
        const mine = `${tenant.file}: aws.listenerPriority: tenant ${tenant.name} needs listener rule priorities ${priority} and ${priority + 1} (${origin}) on shard ${shard}`;
        const fix =
            free === undefined
                ? "the listener has no two consecutive free priorities left; move the tenant to another shard with aws.shard"
                : `set aws.listenerPriority: ${free} in ${tenant.file} (the next free number on shard ${shard})`;
        const owner = taken.owner!;
        problems.push(
            owner.reserved
                ? `${mine}, but ${taken.number} is reserved on that listener (aims:aws.listeners[${shard}].reservedPriorities); ${fix}`
                : `${mine}, but tenant ${owner.tenant.name} (${owner.tenant.file}) already uses ${owner.priority} and ${owner.priority + 1} there; ${fix}, or change the priority in ${owner.tenant.file}`,
        );
    }
    return problems;
}

/** The lowest P from `from` upwards (then from the first tenant priority) whose two numbers are both free. */
function nextFreePriority(from: number, taken: (priority: number) => boolean): number | undefined {
    const free = (p: number) => !taken(p) && !taken(p + 1);
    for (let p = from; p <= MAX_TENANT_PRIORITY; p++) if (free(p)) return p;
    for (let p = HASHED_PRIORITY_MIN; p < from; p++) if (free(p)) return p;
    return undefined;
}

/** ALB quotas count per load balancer: shards whose listeners share one add up. */
function capacityProblems(
    listeners: readonly AwsListener[],
    byShard: ReadonlyMap<number, PlacedTenant[]>,
    stackFile: string,
): string[] {
    const loadBalancers = new Map<string, number[]>();
    listeners.forEach((listener, shard) => {
        const key = loadBalancerOfListener(listener.arn);
        loadBalancers.set(key, [...(loadBalancers.get(key) ?? []), shard]);
    });
    const problems: string[] = [];
    for (const [loadBalancer, shards] of loadBalancers) {
        const tenants = shards.flatMap((shard) => byShard.get(shard) ?? []);
        const reservedRules = new Set(
            shards.flatMap((shard) => listeners[shard].reservedPriorities),
        ).size;
        const reservedGroups = shards.reduce(
            (sum, shard) => sum + listeners[shard].reservedTargetGroups,
            0,
        );
        const rules = RULES_PER_TENANT * tenants.length + reservedRules;
        const groups = TARGET_GROUPS_PER_TENANT * tenants.length + reservedGroups;
        if (rules <= MAX_RULES_PER_LOAD_BALANCER && groups <= MAX_TARGET_GROUPS_PER_LOAD_BALANCER)
            continue;
        const room = Math.max(
            0,
            Math.min(
                Math.floor((MAX_RULES_PER_LOAD_BALANCER - reservedRules) / RULES_PER_TENANT),
                Math.floor(
                    (MAX_TARGET_GROUPS_PER_LOAD_BALANCER - reservedGroups) /
                        TARGET_GROUPS_PER_TENANT,
                ),
            ),
        );
        const onShards = shards
            .map(
                (shard) =>
                    `shard ${shard}: ${(byShard.get(shard) ?? []).map((t) => `${t.name} (${t.file})`).join(", ") || "none"}`,
            )
            .join("; ");
        problems.push(
            `${stackFile}: aims:aws.listeners[${shards.join(", ")}]: load balancer ${loadBalancer} would hold ${rules} listener rules ` +
                `(${tenants.length} tenants × ${RULES_PER_TENANT} + ${reservedRules} reserved) and ${groups} target groups (${tenants.length} × ${TARGET_GROUPS_PER_TENANT} + ${reservedGroups} reserved), ` +
                `over its limit of ${MAX_RULES_PER_LOAD_BALANCER} rules and ${MAX_TARGET_GROUPS_PER_LOAD_BALANCER} target groups; it holds at most ${room} tenants. ` +
                `Tenants on it: ${onShards}. Add a listener of another load balancer to aims:aws.listeners and move tenants there with aws.shard: <its index> in their files`,
        );
    }
    return problems;
}

function describeShards(count: number): string {
    return count === 1 ? "1 listener (shard 0)" : `${count} listeners (shards 0 to ${count - 1})`;
}

/**
 * The stacks a change can affect, so that a pull request previews, and a merge deploys, only
 * those. A tenant file reaches the stacks that deploy the tenant before the change and those that
 * deploy it after (a tenant moved between shards reaches both; a removed one, those it was in).
 * Every other path reaches every stack unless change-scope.ts lists it as harmless, and so does a
 * tenant file that is not a valid tenant at either commit: the program of every stack reads every
 * tenant file, and fails on a bad one.
 */
import { deploys, stackShardOf } from "../../components/stack/shard-stacks";
import type { TenantSpec } from "../../components/tenant-files/registry";
import { ChangedFile, verbOf } from "./git";
import { ChangeRefs, ChangeSet, readChangeSet } from "./change-set";
import { scopeOf } from "./change-scope";
import { DiscoveredStack, stackGroups, StackGroups } from "./stack-groups";
import { stacksAtCommit } from "./stacks-at-commit";
import { TenantChange, tenantChanges, TenantVersion } from "./tenant-versions";

export interface AffectedStacks {
    readonly change: ChangeSet;
    /** The affected stacks of the head commit, in deploy order. */
    readonly stacks: readonly DiscoveredStack[];
    /** Why each affected stack is affected. */
    readonly why: Readonly<Record<string, string>>;
}

/** What `npm run stacks -- --changed-since <ref> --json` prints. */
export type AffectedStackGroups = StackGroups & { readonly why: Readonly<Record<string, string>> };

/** A stack's `why` shows this many reasons, then how many more there are. */
const MAX_REASONS_SHOWN = 3;

/** The stacks of `refs.head` that the change from merge-base(`refs.base`, `refs.head`) can affect. */
export function affectedStacks(repoDir: string, refs: ChangeRefs): AffectedStacks {
    const change = readChangeSet(repoDir, refs);
    const stacks = stacksAtCommit(repoDir, change.head);
    return {
        change,
        ...affectedBy(change.files, tenantChanges(repoDir, change.files), stacks),
    };
}

export function affectedGroups(affected: AffectedStacks): AffectedStackGroups {
    return { ...stackGroups(affected.stacks), why: affected.why };
}

/** The stacks among `stacks` that `files` can affect, and why; `tenants` are the tenant files among them, read. */
export function affectedBy(
    files: readonly ChangedFile[],
    tenants: readonly TenantChange[],
    stacks: readonly DiscoveredStack[],
): Pick<AffectedStacks, "stacks" | "why"> {
    const everyStack: string[] = [];
    const byStack = new Map<string, string[]>(stacks.map((stack) => [stack.stack, []]));
    for (const file of files) {
        const scope = scopeOf(file.path);
        if (scope.scope === "every-stack")
            everyStack.push(`${file.path}: ${verbOf(file)} (${scope.what})`);
    }
    for (const { change, before, after } of tenants) {
        everyStack.push(
            ...sideProblems(change.path, before, stacks, "before"),
            ...sideProblems(change.path, after, stacks, "after"),
        );
        const was = stacksOf(before, stacks);
        const is = stacksOf(after, stacks);
        for (const stack of stacks) {
            const reason = tenantReason(change, was.includes(stack), is.includes(stack));
            if (reason) byStack.get(stack.stack)!.push(reason);
        }
    }
    const affected = stacks.filter(
        (stack) => everyStack.length > 0 || byStack.get(stack.stack)!.length > 0,
    );
    return {
        stacks: affected,
        why: Object.fromEntries(
            affected.map((stack) => [
                stack.stack,
                summarise([...everyStack, ...byStack.get(stack.stack)!]),
            ]),
        ),
    };
}

function tenantReason(change: ChangedFile, was: boolean, is: boolean): string | undefined {
    if (!was && !is) return undefined;
    const verb = verbOf(change);
    if (was && is) return `${change.path}: ${verb}`;
    if (change.status !== "M" && change.status !== "T") return `${change.path}: ${verb}`;
    return `${change.path}: ${verb}, ${was ? "leaves" : "joins"} this stack`;
}

function stacksOf(version: TenantVersion, stacks: readonly DiscoveredStack[]): DiscoveredStack[] {
    return version.state === "tenant"
        ? stacks.filter((stack) => deploys(stack, version.tenant))
        : [];
}

/** Why a version of a tenant file reaches every stack: it is not a valid tenant, or names a shard no stack deploys. */
function sideProblems(
    file: string,
    version: TenantVersion,
    stacks: readonly DiscoveredStack[],
    side: "before" | "after",
): string[] {
    if (version.state === "invalid")
        return [`${file}: ${version.problems[0]}, ${side} the change (every stack reads it)`];
    if (version.state === "absent") return [];
    return missingShards(version.tenant, stacks).map(
        (shard) => `${file}: names ${shard}, which no stack deploys, ${side} the change`,
    );
}

/** The shards the tenant names that no stack deploys, in environments that have stacks. */
export function missingShards(tenant: TenantSpec, stacks: readonly DiscoveredStack[]): string[] {
    return tenant.environments.flatMap((environment) => {
        const shards = stacks.filter((stack) => stack.environment === environment);
        const shard = stackShardOf(tenant, environment);
        return shards.length === 0 || shards.some((stack) => stack.stackShard === shard)
            ? []
            : [`shard ${shard} of ${environment}`];
    });
}

function summarise(reasons: readonly string[]): string {
    const shown = reasons.slice(0, MAX_REASONS_SHOWN).join("; ");
    const more = reasons.length - MAX_REASONS_SHOWN;
    return more > 0 ? `${shown}; and ${more} more` : shown;
}

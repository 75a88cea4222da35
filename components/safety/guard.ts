/**
 * The deletion guard. A declarative list has one catastrophic failure: it comes back short (a
 * bad merge, a broken checkout, a wrong environment) and `pulumi up` deletes schools with
 * their data. So the program compares the tenants it is about to deploy with those the stack
 * deployed last time (its own `tenants` output) and refuses, before registering anything:
 * - a lost history: the stack was deployed but its `tenants` output is missing or unreadable;
 * - a removal a reviewer has not confirmed in `aims:allowTenantRemoval`, more removals at once
 *   than `aims:maxTenantRemovals`, and an empty list;
 * - the removal of a tenant that was never offboarding (no backup), unless `aims:forceTenantRemoval`;
 * - a move between platforms not confirmed in `aims:allowPlatformMove`, and a move to another
 *   shard stack, which is a removal from this one;
 * - a confirmation that confirms nothing, so that it cannot confirm a later accident;
 * - with rings, a ring's version that goes back unconfirmed (./ring-history.ts).
 */
import {
    DeployedTenant,
    DeploymentHistory,
    MARKER_OUTPUT,
    readDeploymentHistory,
    TENANTS_OUTPUT,
} from "./deployment-history";
import { throwIfProblems } from "../support/errors";
import type { TenantSpec } from "../tenant-files/registry";
import { platformMoveSummary, removalSummary } from "./removal";
import { ringHistoryProblems } from "./ring-history";
import { platformOf, StackSettings } from "../stack/settings";
import { stackShardOf } from "../stack/shard-stacks";

export type GuardSettings = Pick<
    StackSettings,
    | "file"
    | "environment"
    | "stackShard"
    | "platform"
    | "protectData"
    | "allowTenantRemoval"
    | "forceTenantRemoval"
    | "maxTenantRemovals"
    | "allowPlatformMove"
    | "acceptMissingTenantHistory"
>;

/**
 * Every problem of the update from `history` to `next`; none means it may go ahead.
 * `otherShards`: the environment's tenants that other shard stacks deploy, to tell a move.
 */
export function guardProblems(
    history: DeploymentHistory,
    next: readonly TenantSpec[],
    settings: GuardSettings,
    otherShards: readonly TenantSpec[] = [],
): string[] {
    const deployed = history.kind === "deployed" ? history.tenants : [];
    return [
        ...historyProblems(history, settings),
        ...removalGuardProblems(deployed, next, settings, otherShards),
        ...platformMoveProblems(deployed, next, settings),
    ];
}

function historyProblems(history: DeploymentHistory, settings: GuardSettings): string[] {
    const { file } = settings;
    if (history.kind === "lost" && !settings.acceptMissingTenantHistory) {
        return [
            `${file}: the stack has been deployed, but ${history.reason}; refusing: without it the deletion guard cannot tell which tenants ` +
                `this update would remove. Find out why (\`pulumi stack output\`, \`pulumi stack --show-urns\`); once you know which tenants the stack ` +
                `has, set aims:acceptMissingTenantHistory: true in ${file} for one update, and take it off again right after (README, "Safety")`,
        ];
    }
    if (history.kind !== "lost" && settings.acceptMissingTenantHistory) {
        const state =
            history.kind === "new"
                ? "the stack is new"
                : `its "${TENANTS_OUTPUT}" and "${MARKER_OUTPUT}" outputs are intact`;
        return [
            `${file}: aims:acceptMissingTenantHistory: is true, but ${state}; take it off: left on, it would let a later loss of ` +
                "the stack's history through unnoticed",
        ];
    }
    return [];
}

export function removalGuardProblems(
    deployed: readonly DeployedTenant[],
    next: readonly TenantSpec[],
    settings: GuardSettings,
    otherShards: readonly TenantSpec[] = [],
): string[] {
    const { file, environment } = settings;
    const problems: string[] = [];
    const nextNames = new Set(next.map((tenant) => tenant.name));
    const deployedNames = new Set(deployed.map((tenant) => tenant.name));
    if (next.length === 0) {
        problems.push(
            `${file}: the stack would deploy no tenant to ${environment}${deployed.length > 0 ? ` and remove all ${deployed.length} it has` : ""}; ` +
                "refusing: an empty list is far more often a broken checkout than an intention. To tear the stack down, run `pulumi destroy`",
        );
    }
    const disappearing = deployed.filter((tenant) => !nextNames.has(tenant.name));
    if (disappearing.length > settings.maxTenantRemovals) {
        problems.push(
            `${file}: aims:maxTenantRemovals: this update would remove ${disappearing.length} tenants from ${environment} ` +
                `(${disappearing.map((t) => t.name).join(", ")}), more than the ${settings.maxTenantRemovals} allowed at once; ` +
                "remove them in separate changes, or raise aims:maxTenantRemovals for this one change",
        );
    }
    for (const tenant of disappearing.filter(
        (t) => !settings.allowTenantRemoval.includes(t.name),
    )) {
        const moved = otherShards.find((other) => other.name === tenant.name);
        if (moved) {
            problems.push(shardMoveProblem(tenant, moved, settings));
            continue;
        }
        problems.push(
            `${file}: aims:allowTenantRemoval: removing ${removalSummary(tenant, settings)}. ` +
                `Refusing an unconfirmed removal: if it is intended, add "${tenant.name}" to aims:allowTenantRemoval in ${file}; ` +
                `if not, restore tenants/${tenant.name}.yaml or its environments`,
        );
    }
    for (const tenant of disappearing.filter(
        (t) => t.status !== "offboarding" && !settings.forceTenantRemoval.includes(t.name),
    )) {
        problems.push(
            `${file}: aims:forceTenantRemoval: ${tenant.name} was ${tenant.status} when the stack last deployed it, so no offboarding ` +
                `backup of its database was taken; refusing to remove it, confirmed or not. Go through offboarding first: keep tenants/${tenant.name}.yaml ` +
                `with status: offboarding, deploy that, then remove it (docs/offboarding.md); or, to remove it without a backup, ` +
                `add "${tenant.name}" to aims:forceTenantRemoval as well as to aims:allowTenantRemoval in ${file}`,
        );
    }
    for (const name of settings.allowTenantRemoval) {
        if (nextNames.has(name)) {
            problems.push(
                `${file}: aims:allowTenantRemoval: lists "${name}", which this stack still deploys; ` +
                    "take it off the list so that it cannot confirm a later, accidental removal",
            );
        } else if (!deployedNames.has(name)) {
            problems.push(
                `${file}: aims:allowTenantRemoval: lists "${name}", which matches no tenant the stack deployed last time ` +
                    `(${namesOrNone(deployed)}); a typo, or a removal already done: take it off the list`,
            );
        }
    }
    for (const name of settings.forceTenantRemoval) {
        const tenant = disappearing.find((t) => t.name === name);
        if (!tenant) {
            problems.push(
                `${file}: aims:forceTenantRemoval: lists "${name}", which this update does not remove; take it off the list`,
            );
        } else if (tenant.status === "offboarding") {
            problems.push(
                `${file}: aims:forceTenantRemoval: lists "${name}", which was offboarding, so its backup was taken; ` +
                    "the force is not needed: take it off the list",
            );
        }
    }
    return problems;
}

/** A move deletes the old platform's namespace or access point and secrets, so it is a removal of its own. */
export function platformMoveProblems(
    deployed: readonly DeployedTenant[],
    next: readonly TenantSpec[],
    settings: GuardSettings,
): string[] {
    const { file } = settings;
    const problems: string[] = [];
    const moving = new Set<string>();
    for (const tenant of next) {
        const before = deployed.find((previous) => previous.name === tenant.name);
        const after = platformOf(tenant, settings);
        if (!before || before.platform === after) continue;
        moving.add(tenant.name);
        if (settings.allowPlatformMove.includes(tenant.name)) continue;
        const cause = tenant.platform
            ? `platform: ${tenant.platform} in ${tenant.file}`
            : `aims:platform: ${settings.platform} in ${file}`;
        problems.push(
            `${file}: aims:allowPlatformMove: ${cause} moves ${platformMoveSummary(tenant, before.platform, after, settings)}. ` +
                `Refusing an unconfirmed platform move: if it is intended, add "${tenant.name}" to aims:allowPlatformMove in ${file}; ` +
                `if not, put the tenant back on ${before.platform}`,
        );
    }
    for (const name of settings.allowPlatformMove.filter((allowed) => !moving.has(allowed))) {
        problems.push(
            `${file}: aims:allowPlatformMove: lists "${name}", which this update does not move between platforms; ` +
                "take it off the list so that it cannot confirm a later, accidental move",
        );
    }
    return problems;
}

/** A tenant whose file now names another shard: removed here, created anew in the other stack. */
function shardMoveProblem(
    tenant: DeployedTenant,
    moved: TenantSpec,
    settings: GuardSettings,
): string {
    const { file, environment, stackShard } = settings;
    const shard = stackShardOf(moved, environment);
    return (
        `${file}: aims:allowTenantRemoval: stackShard.${environment}: ${shard} in ${moved.file} moves ${tenant.name} from this stack (shard ${stackShard}) ` +
        `to shard ${shard} of ${environment}, where it would be declared again from nothing. Here that means removing ${removalSummary(tenant, settings)}. ` +
        `Refusing an unconfirmed removal: a tenant stays on the shard that first deployed it; put stackShard.${environment} back to ${stackShard}`
    );
}

const namesOrNone = (tenants: readonly DeployedTenant[]): string =>
    tenants.map((t) => t.name).join(", ") || "none";

/**
 * Throws a ValidationError with every problem when the update would lose a tenant, or lower a
 * ring's version, unconfirmed.
 */
export async function guardTenantRemovals(
    next: readonly TenantSpec[],
    settings: GuardSettings & Pick<StackSettings, "rings">,
    otherShards: readonly TenantSpec[] = [],
): Promise<void> {
    const history = await readDeploymentHistory();
    throwIfProblems([
        ...guardProblems(history, next, settings, otherShards),
        ...ringHistoryProblems(history, settings),
    ]);
}

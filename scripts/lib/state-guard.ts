/**
 * The deletion guard, read from the stack's state rather than from its outputs alone. The
 * program's guard (components/safety/guard.ts) reads the `tenants` output of the last update that
 * finished; an update killed before the end writes none, so after a killed first `up` the next
 * update would look like a new stack and remove a tenant unguarded. The state holds one Tenant
 * component per tenant the stack has begun to deploy, finished or not: the deploy jobs compare
 * those, and the outputs, with the tenant files and the confirmations before every `up`.
 */
import {
    DeployedTenant,
    interpretHistory,
    MARKER_OUTPUT,
    TENANTS_OUTPUT,
} from "../../components/safety/deployment-history";
import {
    GuardSettings,
    platformMoveProblems,
    removalGuardProblems,
} from "../../components/safety/guard";
import type { TenantSpec } from "../../components/tenant-files/registry";
import {
    TENANT_SERVICE_TYPE,
    TENANT_TYPE,
    TENANT_WORKLOAD_TYPE,
} from "../../components/vocabulary/type-tokens";
import { isOneOf, PLATFORMS, TENANT_STATUSES } from "../../components/vocabulary/words";
import { StackState, stackOutputs, urnName } from "./recover/state";

const PROGRAM_OUTPUTS = new Set([TENANTS_OUTPUT, MARKER_OUTPUT]);

/**
 * The tenants whose Tenant component the state holds. A component the killed update never
 * finished has no outputs: its platform is told by its children, and its status taken as
 * active, the strictest (removing it then needs aims:forceTenantRemoval).
 */
export function tenantsOfState(
    state: StackState,
    defaultPlatform: DeployedTenant["platform"],
): DeployedTenant[] {
    return state.resources
        .filter((resource) => resource.type === TENANT_TYPE)
        .map((component) => {
            const outputs = component.outputs ?? {};
            const children = state.resources
                .filter((r) => r.parent === component.urn)
                .map((r) => r.type);
            const platformOfChildren = children.includes(TENANT_WORKLOAD_TYPE)
                ? "kubernetes"
                : children.includes(TENANT_SERVICE_TYPE)
                  ? "aws"
                  : defaultPlatform;
            return {
                name: urnName(component.urn),
                platform: isOneOf(PLATFORMS, outputs.platform)
                    ? outputs.platform
                    : platformOfChildren,
                status: isOneOf(TENANT_STATUSES, outputs.status) ? outputs.status : "active",
            };
        });
}

/** Why the stack's outputs are not the program's: keys it never writes, or a list without its marker. */
export function outputProblems(state: StackState, file: string): string[] {
    const outputs = stackOutputs(state) ?? {};
    const keys = Object.keys(outputs);
    if (keys.length === 0) return [];
    const foreign = keys.filter((key) => !PROGRAM_OUTPUTS.has(key));
    const problems: string[] = [];
    if (foreign.length > 0)
        problems.push(
            `${file}: the stack's outputs are not this program's: it never writes ${foreign.map((k) => `"${k}"`).join(", ")}; ` +
                "refusing to take the stack for one of ours (is this the right stack and backend?)",
        );
    const history = interpretHistory(outputs[TENANTS_OUTPUT], outputs[MARKER_OUTPUT]);
    if (history.kind === "lost")
        problems.push(
            `${file}: the stack's outputs are not what this program writes: ${history.reason}; refusing`,
        );
    else if (!(MARKER_OUTPUT in outputs))
        problems.push(
            `${file}: the stack has outputs but no "${MARKER_OUTPUT}" marker: it was not deployed by this program, or its outputs were edited; refusing`,
        );
    return problems;
}

/** Every problem of an update to `next`, judged against the outputs and the state's Tenant components together. */
export function stateGuardProblems(
    state: StackState,
    next: readonly TenantSpec[],
    settings: GuardSettings,
    otherShards: readonly TenantSpec[] = [],
): string[] {
    const outputs = stackOutputs(state) ?? {};
    const history = interpretHistory(outputs[TENANTS_OUTPUT], outputs[MARKER_OUTPUT]);
    const fromOutputs = history.kind === "deployed" ? history.tenants : [];
    const fromState = tenantsOfState(state, settings.platform);
    const deployed = [
        ...fromOutputs,
        ...fromState.filter((t) => !fromOutputs.some((o) => o.name === t.name)),
    ];
    const problems = settings.acceptMissingTenantHistory
        ? []
        : outputProblems(state, settings.file);
    return [
        ...problems,
        ...removalGuardProblems(deployed, next, settings, otherShards),
        ...platformMoveProblems(deployed, next, settings),
    ];
}

/**
 * The parts of a stack's state (`pulumi stack export`) that recovery reads: its resources, its
 * pending operations, and its outputs. Secret values stay encrypted; nothing here decrypts them.
 */
import { TENANT_TYPE } from "../../../components/vocabulary/type-tokens";

export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly custom?: boolean;
    readonly id?: string;
    readonly parent?: string;
    readonly provider?: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

export interface PendingOperation {
    readonly resource: StateResource;
    /** creating, updating, deleting, reading, importing */
    readonly type: string;
}

export interface StackState {
    readonly resources: readonly StateResource[];
    readonly pendingOperations: readonly PendingOperation[];
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** The state from `pulumi stack export` output; throws when it is not a stack export. */
export function parseStackExport(text: string): StackState {
    const exported = JSON.parse(text) as {
        deployment?: { resources?: StateResource[]; pending_operations?: PendingOperation[] };
    };
    if (typeof exported !== "object" || exported === null || !("deployment" in exported))
        throw new Error("`pulumi stack export` printed no deployment");
    return {
        resources: exported.deployment?.resources ?? [],
        pendingOperations: exported.deployment?.pending_operations ?? [],
    };
}

/** The last part of a URN: the resource's name. */
export const urnName = (urn: string): string => urn.split("::").pop() ?? "";

/** The outputs of the stack resource, or undefined when the stack has never finished an update. */
export function stackOutputs(state: StackState): Record<string, unknown> | undefined {
    return state.resources.find((resource) => resource.type === STACK_TYPE)?.outputs;
}

/** The names of the tenants whose Tenant component the state holds. */
export function tenantsInState(state: StackState): string[] {
    return state.resources
        .filter((resource) => resource.type === TENANT_TYPE)
        .map((resource) => urnName(resource.urn));
}

/** The tenant a resource belongs to: the Tenant component among its URN's parent types, named `<tenant>` or `<tenant>-<role>`. */
export function tenantOfResource(urn: string, tenants: ReadonlySet<string>): string | undefined {
    if (!urn.split("::")[2]?.split("$").includes(TENANT_TYPE)) return undefined;
    const name = urnName(urn);
    // Tenant names may hold hyphens: the longest tenant that prefixes the name wins.
    return [...tenants]
        .filter((tenant) => name === tenant || name.startsWith(`${tenant}-`))
        .sort((a, b) => b.length - a.length)[0];
}

/**
 * What the stack deployed last time, as the deletion guard needs it: read from the stack's own
 * outputs through a StackReference to itself. Two outputs matter: `tenants`, the list of tenants,
 * and `aimsStack`, a marker that says the stack has been deployed by this program. The marker
 * is what tells a new stack (no output at all) from a deployed one whose list went missing.
 */
import * as pulumi from "@pulumi/pulumi";
import { isOneOf, Platform, PLATFORMS, TENANT_STATUSES, TenantStatus } from "../vocabulary/words";

/** A tenant as the stack's previous `tenants` output recorded it. */
export interface DeployedTenant {
    readonly name: string;
    readonly platform: Platform;
    readonly status: TenantStatus;
}

/** A ring as the stack's previous `rings` output recorded it. */
export interface DeployedRing {
    readonly name: string;
    readonly version: string;
}

export const TENANTS_OUTPUT = "tenants";
/** The rings and their versions, in a stack with rings: a ring's version may not go back unconfirmed. */
export const RINGS_OUTPUT = "rings";
/** The Pulumi name of the StackReference through which the stack reads its own outputs. */
export const HISTORY_REFERENCE_NAME = "deployed-tenants";
export const MARKER_OUTPUT = "aimsStack";
/** Layout of the outputs the guard reads; raise it when `tenants` changes shape. */
export const OUTPUTS_VERSION = 1;

/** The `aimsStack` output. Stable on purpose: a no-change update must show no diff. */
export interface StackMarker {
    readonly outputsVersion: number;
}

export const stackMarker = (): StackMarker => ({ outputsVersion: OUTPUTS_VERSION });

export type DeploymentHistory =
    /** No marker and no tenants output: the stack has never been deployed. */
    | { readonly kind: "new" }
    | {
          readonly kind: "deployed";
          readonly tenants: readonly DeployedTenant[];
          /** Absent when the stack had no rings (or was deployed before rings existed). */
          readonly rings?: readonly DeployedRing[];
      }
    /** The stack was deployed, but what it deployed cannot be known; `reason` says why. */
    | { readonly kind: "lost"; readonly reason: string };

/**
 * Interprets the two outputs of the previous update (undefined when absent). In doubt it says
 * "lost": the guard refuses then, since it cannot tell which tenants an update would remove.
 */
export function interpretHistory(
    tenants: unknown,
    marker: unknown,
    rings?: unknown,
): DeploymentHistory {
    const hasMarker = marker !== undefined && marker !== null;
    if (hasMarker) {
        const version = (marker as Partial<StackMarker>)?.outputsVersion;
        if (
            typeof marker !== "object" ||
            Array.isArray(marker) ||
            !Number.isInteger(version) ||
            (version as number) < 1
        ) {
            return lost(
                `its "${MARKER_OUTPUT}" output is not what this program writes (got ${describe(marker)})`,
            );
        }
        if ((version as number) > OUTPUTS_VERSION) {
            return lost(
                `its "${MARKER_OUTPUT}" output was written by a newer version of this program (outputsVersion ${version})`,
            );
        }
    }
    if (tenants === undefined || tenants === null) {
        return hasMarker
            ? lost(
                  `its "${TENANTS_OUTPUT}" output is missing, although its "${MARKER_OUTPUT}" output says it has been deployed`,
              )
            : { kind: "new" };
    }
    if (!Array.isArray(tenants)) {
        return lost(`its "${TENANTS_OUTPUT}" output is not a list (got ${describe(tenants)})`);
    }
    // The guard never lets an update deploy no tenant, so an empty list is not a real history.
    if (tenants.length === 0) {
        return lost(`its "${TENANTS_OUTPUT}" output is an empty list`);
    }
    const invalid = tenants.findIndex((tenant) => !isDeployedTenant(tenant));
    if (invalid >= 0) {
        return lost(
            `its "${TENANTS_OUTPUT}" output has an entry [${invalid}] without a name, a known platform and a known status`,
        );
    }
    const names = tenants.map((tenant) => tenant.name as string);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated !== undefined) {
        return lost(`its "${TENANTS_OUTPUT}" output lists "${repeated}" more than once`);
    }
    if (rings !== undefined && rings !== null && !isRingList(rings)) {
        return lost(
            `its "${RINGS_OUTPUT}" output is not a list of rings with a name and a version (got ${describe(rings)})`,
        );
    }
    return {
        kind: "deployed",
        tenants: tenants.map(({ name, platform, status }) => ({ name, platform, status })),
        ...(isRingList(rings) && {
            rings: rings.map(({ name, version }) => ({ name, version })),
        }),
    };
}

function isRingList(value: unknown): value is DeployedRing[] {
    return (
        Array.isArray(value) &&
        value.every(
            (ring: Partial<DeployedRing> | null) =>
                typeof ring?.name === "string" && typeof ring.version === "string",
        )
    );
}

function isDeployedTenant(value: unknown): value is DeployedTenant {
    const tenant = value as Partial<DeployedTenant> | null;
    return (
        typeof tenant === "object" &&
        tenant !== null &&
        !Array.isArray(tenant) &&
        typeof tenant.name === "string" &&
        tenant.name !== "" &&
        isOneOf(PLATFORMS, tenant.platform) &&
        isOneOf(TENANT_STATUSES, tenant.status)
    );
}

const lost = (reason: string): DeploymentHistory => ({ kind: "lost", reason });

/** A short, shape-only description: an output is never quoted in full in a message. */
function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * The stack's history, read through a StackReference to the stack itself. For a stack that has
 * never been updated the reference finds no output, and both values are undefined.
 */
export async function readDeploymentHistory(): Promise<DeploymentHistory> {
    const self = new pulumi.StackReference(HISTORY_REFERENCE_NAME, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const valueOf = async (name: string): Promise<unknown> => {
        const details = await self.getOutputDetails(name);
        return details.value ?? details.secretValue;
    };
    const [tenants, marker, rings] = await Promise.all([
        valueOf(TENANTS_OUTPUT),
        valueOf(MARKER_OUTPUT),
        valueOf(RINGS_OUTPUT),
    ]);
    return interpretHistory(tenants, marker, rings);
}

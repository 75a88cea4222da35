/**
 * A stack's fleet as `release` sees it: its rings in order, each with its version, soak time and
 * tenants, and each tenant's health at the version it should run. Read from the stack file and
 * the tenant files (offline), and from the cluster (./health.ts).
 */
import type { TenantSpec } from "../../../components/tenant-files/registry";
import { readOfflineSettings } from "../../../components/stack/stack-file";
import { platformOf, StackSettings, tenantsOfStack } from "../../../components/stack/settings";
import { ringOf } from "../../../components/stack/rings";
import type { Environment, Platform, TenantStatus } from "../../../components/vocabulary/words";
import type { ClusterReader } from "./cluster";
import { kubernetesTenantHealth } from "./health";

/**
 * healthy: runs the ring's version, all replicas available; unhealthy / unknown: does not, or
 * cannot be told (both block a promotion); not running: suspended or offboarding, so it proves
 * and blocks nothing; pinned: runs its file's image.tag, so it proves and blocks nothing either.
 */
export type TenantHealth = "healthy" | "unhealthy" | "unknown" | "not running" | "pinned";

export interface TenantState {
    readonly name: string;
    readonly platform: Platform;
    readonly status: TenantStatus;
    readonly health: TenantHealth;
    /** The pinned tag, for a pinned tenant. */
    readonly pin?: string;
    readonly reason?: string;
    /** Healthy: when it started running the version (ISO time). */
    readonly since?: string;
}

export interface RingState {
    readonly name: string;
    readonly version: string;
    readonly soakMinutes: number;
    /** Whether aims:rollbackRings lists it. */
    readonly rolledBack: boolean;
    readonly tenants: readonly TenantState[];
}

export interface StackFleet {
    readonly stack: string;
    readonly file: string;
    readonly environment: Environment;
    /** Undefined for a stack without rings, whose tenants all run `tag`. */
    readonly rings?: readonly RingState[];
    readonly tag?: string;
}

/** Opens the cluster of a stack's aims:kubernetes.context; it may throw (no kubeconfig, no context). */
export type ClusterOf = (context: string | undefined) => ClusterReader;

export async function readFleet(
    projectDir: string,
    stack: string,
    allTenants: readonly TenantSpec[],
    clusterOf: ClusterOf,
): Promise<StackFleet> {
    const settings = readOfflineSettings(projectDir, stack, allTenants);
    const { file, environment } = settings;
    if (!settings.rings) return { stack, file, environment, tag: settings.images.tag };
    const tenants = tenantsOfStack(allTenants, settings);
    const health = healthReader(settings, clusterOf);
    const rings: RingState[] = [];
    for (const ring of settings.rings.rings) {
        const members = tenants.filter((tenant) => ringOf(tenant, settings.rings) === ring.name);
        const states: TenantState[] = [];
        for (const tenant of members) states.push(await health(tenant, ring.version));
        rings.push({
            name: ring.name,
            version: ring.version,
            soakMinutes: ring.soakMinutes,
            rolledBack: settings.rings.rollbackRings.includes(ring.name),
            tenants: states,
        });
    }
    return { stack, file, environment, rings };
}

function healthReader(settings: StackSettings, clusterOf: ClusterOf) {
    let cluster: ClusterReader | Error | undefined;
    const repositories = [settings.images.frontend, settings.images.backend];
    return async (tenant: TenantSpec, version: string): Promise<TenantState> => {
        const platform = platformOf(tenant, settings);
        const base = { name: tenant.name, platform, status: tenant.status };
        if (tenant.status !== "active") return { ...base, health: "not running" };
        const pin = tenant.image?.tag;
        if (pin !== undefined) return { ...base, health: "pinned", pin };
        if (platform === "aws") {
            return {
                ...base,
                health: "unknown",
                reason: "this command does not read ECS services yet; see the service's deployments in the ECS console",
            };
        }
        if (cluster === undefined) {
            try {
                cluster = clusterOf(settings.kubernetes?.context);
            } catch (err) {
                cluster = err as Error;
            }
        }
        if (cluster instanceof Error)
            return {
                ...base,
                health: "unknown",
                reason: `cannot open the cluster of context ${settings.kubernetes?.context ?? "(current)"}: ${cluster.message}`,
            };
        const found = await kubernetesTenantHealth(cluster, tenant.name, version, repositories);
        return found.state === "healthy"
            ? { ...base, health: "healthy", since: found.since.toISOString() }
            : { ...base, health: found.state, reason: found.reason };
    };
}

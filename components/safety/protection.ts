/** Resource options of a tenant's data resources: database, role, secrets, namespace, access point. */
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";

export interface DataProtection {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
}

/**
 * Set explicitly on each data resource, never inherited from the Tenant. An offboarding tenant
 * is no longer protected, so that removing its file can delete it, but its data is still
 * retained on delete wherever the stack protects data.
 */
export function dataProtection(
    settings: Pick<StackSettings, "protectData">,
    tenant: Pick<TenantSpec, "status">,
): DataProtection {
    return {
        protect: settings.protectData && tenant.status !== "offboarding",
        retainOnDelete: settings.protectData,
    };
}

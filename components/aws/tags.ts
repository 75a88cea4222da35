/** Tags of a tenant's AWS resources; the provider adds the environment and `aims:managed-by`. */
import { DATA_RETAINED_TAG, RING_TAG, TENANT_STATUS_TAG } from "../vocabulary/naming";
import type { DataProtection } from "../safety/protection";
import type { TenantSpec } from "../tenant-files/registry";

export const TENANT_TAG = "aims:tenant";

/**
 * The status tag tells the policy pack that an offboarding tenant's data may go unprotected;
 * the data-retained tag shows it the retainOnDelete of the tenant's data, which it cannot read.
 * The ring tag, in a stack with rings, finds a ring's services.
 */
export function tenantTags(
    tenant: Pick<TenantSpec, "name" | "status">,
    protection: Pick<DataProtection, "retainOnDelete">,
    ring?: string,
): Record<string, string> {
    return {
        [TENANT_TAG]: tenant.name,
        [TENANT_STATUS_TAG]: tenant.status,
        [DATA_RETAINED_TAG]: String(protection.retainOnDelete),
        ...(ring && { [RING_TAG]: ring }),
    };
}

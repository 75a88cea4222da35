/** Tags of a tenant's AWS resources; the provider adds the environment and `aims:managed-by`. */
import { TENANT_STATUS_TAG } from "../naming";
import type { TenantSpec } from "../registry";

export const TENANT_TAG = "aims:tenant";

/** The status tag tells the policy pack that an offboarding tenant's data may go unprotected. */
export function tenantTags(spec: Pick<TenantSpec, "name" | "status">): Record<string, string> {
    return { [TENANT_TAG]: spec.name, [TENANT_STATUS_TAG]: spec.status };
}

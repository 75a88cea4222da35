/** What a tenant's status means on AWS: only an active tenant runs tasks and receives traffic. */
import type { TenantSpec } from "../registry";
import { TenantStatus } from "../vocabulary";

export const SERVING_STATUSES: readonly TenantStatus[] = ["active"];

export const isServing = (status: TenantStatus): boolean => SERVING_STATUSES.includes(status);

/** The body of the load balancer's 503 for a tenant that is not serving (plain text, at most 1024 bytes). */
export function unavailableMessage(spec: Pick<TenantSpec, "status">): string {
    return spec.status === "offboarding"
        ? "This school's portal has been closed. Please contact your school for help."
        : "This school's portal is suspended. Please contact your school for help.";
}

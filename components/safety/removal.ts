/** What removing a tenant, or moving it between platforms, deletes, in words: for the tenant CLI and the deletion guard. */
import { tenantDatabaseName } from "../adoption";
import { logGroupName, namespaceName } from "../vocabulary/naming";
import { dataProtection } from "./protection";
import type { TenantSpec } from "../tenant-files/registry";
import { platformOf, StackSettings } from "../stack/settings";
import type { Platform } from "../vocabulary/words";

type SummarySettings = Pick<StackSettings, "environment" | "platform" | "protectData">;

export function removalSummary(
    tenant: Pick<TenantSpec, "name" | "platform" | "status" | "adopt">,
    settings: SummarySettings,
): string {
    const platform = platformOf(tenant, settings);
    const database = tenantDatabaseName(tenant, settings.environment);
    const protection = dataProtection(settings, tenant);
    const data = protection.retainOnDelete
        ? `database ${database} and its role are kept on the server (retainOnDelete); drop them by hand once the retention period is over`
        : `database ${database} and its role are dropped with all their data`;
    const blocked = protection.protect
        ? "; the tenant's data resources are protected, so `pulumi up` refuses until its status is offboarding"
        : "";
    const backup =
        tenant.status === "offboarding"
            ? "; its offboarding backup job goes too, the dump stays in the backup bucket"
            : "";
    return `${tenant.name} in ${settings.environment} (${platform}): deletes ${platformPart(platform, tenant.name, settings)}${backup}; ${data}${blocked}`;
}

/** A move deletes the old platform's part of the tenant and creates the new one; the database stays. */
export function platformMoveSummary(
    tenant: Pick<TenantSpec, "name" | "status" | "adopt">,
    from: Platform,
    to: Platform,
    settings: SummarySettings,
): string {
    const protection = dataProtection(settings, tenant);
    const data =
        from === "kubernetes"
            ? "namespace and secrets"
            : "EFS access point and Secrets Manager secrets";
    const kept = protection.retainOnDelete
        ? `; its ${data} are retained on delete: they leave the stack but stay in place until removed by hand`
        : `; its ${data} are deleted with their content`;
    const blocked = protection.protect
        ? ", and being protected they make `pulumi up` fail until the tenant's status is offboarding"
        : "";
    return (
        `${tenant.name} in ${settings.environment} from ${from} to ${to}: deletes ${platformPart(from, tenant.name, settings)}${kept}${blocked}; ` +
        `database ${tenantDatabaseName(tenant, settings.environment)} and its role stay, and ${to} gets the tenant's resources anew`
    );
}

function platformPart(
    platform: Platform,
    tenant: string,
    settings: Pick<StackSettings, "environment" | "protectData">,
): string {
    if (platform === "kubernetes") {
        return `namespace ${namespaceName(tenant)} with its Helm release, secrets, ingress, network policy and quota`;
    }
    const logs = `log group ${logGroupName(settings.environment, tenant)}${settings.protectData ? " (retained on delete)" : ""}`;
    return `its ECS service and task definition, target groups and listener rules, task role, ${logs}, EFS access point and Secrets Manager secrets`;
}

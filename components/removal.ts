/** What removing a tenant from a stack deletes, in words, for the tenant CLI and the deletion guard. */
import { databaseName, logGroupName, namespaceName } from "./naming";
import { dataProtection } from "./protection";
import type { TenantSpec } from "./registry";
import { platformOf, StackSettings } from "./settings";

export function removalSummary(spec: Pick<TenantSpec, "name" | "platform" | "status">, settings: Pick<StackSettings, "environment" | "platform" | "protectData">): string {
    const platform = platformOf(spec, settings);
    const workload = platform === "kubernetes"
        ? `namespace ${namespaceName(spec.name)} with its Helm release, secrets, ingress, network policy and quota`
        : `its ECS service and task definition, target groups and listener rules, task role, log group ${logGroupName(settings.environment, spec.name)}, EFS access point and Secrets Manager secrets`;
    const database = databaseName(spec.name);
    const protection = dataProtection(settings, spec);
    const data = protection.retainOnDelete
        ? `database ${database} and its role are kept on the server (retainOnDelete); drop them by hand once the retention period is over`
        : `database ${database} and its role are dropped with all their data`;
    const blocked = protection.protect
        ? "; the tenant's data resources are protected, so `pulumi up` refuses until its status is offboarding"
        : "";
    const backup = spec.status === "offboarding" ? "; its offboarding backup job goes too, the dump stays in the backup bucket" : "";
    return `${spec.name} in ${settings.environment} (${platform}): deletes ${workload}${backup}; ${data}${blocked}`;
}

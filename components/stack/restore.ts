/**
 * The rules of tenants' `restore` fields that need the stack: a tenant restores only in the
 * stacks of the environments its field names, only on Kubernetes, and only from its own folder
 * below the stack's `aims:backup.prefix`. That `aims:backup` is set at all is checked with the
 * block (./backup.ts).
 */
import type { RestoreSpec } from "../tenant-files/restore";
import { restoreFolder } from "../tenant-files/restore";
import type { TenantSpec } from "../tenant-files/registry";
import type { Environment, Platform } from "../vocabulary/words";
import { mappingAt, StackValues } from "./stack-values";
import type { StackTenants } from "./tenant-rules";

/** What a tenant restores in `env`, if anything. */
export function restoreOf(
    tenant: Pick<TenantSpec, "restore">,
    env: Environment | undefined,
): RestoreSpec | undefined {
    return env === undefined ? undefined : tenant.restore?.[env];
}

/** A tenant of the stack that restores its database, and where it runs. */
export interface RestoringTenant {
    readonly name: string;
    readonly platform: Platform;
}

export function restoringTenants({
    tenants,
    environment,
    platformOf,
}: StackTenants): RestoringTenant[] {
    return tenants
        .filter((tenant) => restoreOf(tenant, environment))
        .map((tenant) => ({ name: tenant.name, platform: platformOf(tenant) }));
}

/** Problems of the stack's restoring tenants, each naming the tenant file and the field. */
export function restoreStackProblems(
    values: StackValues,
    isValid: (key: string) => boolean,
    { tenants, environment, platformOf, file }: StackTenants,
): string[] {
    const backup = mappingAt(values, "aims:backup");
    const prefix =
        backup && isValid("aims:backup.prefix") && typeof backup.prefix === "string"
            ? backup.prefix
            : undefined;
    const problems: string[] = [];
    for (const tenant of tenants) {
        const restore = restoreOf(tenant, environment);
        if (!restore || !environment) continue;
        const field = `restore.${environment}`;
        if (platformOf(tenant) === "aws") {
            problems.push(
                `${tenant.file}: ${field}: is not supported yet for a tenant on aws, and ${file} runs this tenant on aws (aims:platform); restore its database by hand (docs/offboarding.md), or set platform: kubernetes`,
            );
        }
        const folder = prefix && `${prefix}/${restoreFolder(environment, tenant.name)}`;
        if (folder && !restore.dump.startsWith(folder)) {
            problems.push(
                `${tenant.file}: ${field}.dump: must lie in the tenant's folder ${folder} of ${file}'s backup bucket (aims:backup.prefix is ${JSON.stringify(prefix)}), got ${JSON.stringify(restore.dump)}`,
            );
        }
    }
    return problems;
}

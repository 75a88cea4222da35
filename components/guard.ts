/**
 * The deletion guard. A declarative list has one catastrophic failure: it comes back short (a
 * bad merge, a broken checkout, a wrong environment) and `pulumi up` deletes schools with
 * their data. So the program compares the tenants it is about to deploy with those the stack
 * deployed last time (its own `tenants` output) and refuses, before registering anything, any
 * removal a reviewer has not confirmed in `aims:allowTenantRemoval`, more removals at once than
 * `aims:maxTenantRemovals`, and an empty list.
 */
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "./errors";
import type { TenantSpec } from "./registry";
import { removalSummary } from "./removal";
import type { StackSettings } from "./settings";
import { Platform, TenantStatus } from "./vocabulary";

/** A tenant as the stack's previous `tenants` output recorded it. */
export interface DeployedTenant {
    readonly name: string;
    readonly platform?: Platform;
    readonly status: TenantStatus;
}

export type GuardSettings = Pick<StackSettings, "file" | "environment" | "platform" | "protectData" | "allowTenantRemoval" | "maxTenantRemovals">;

export function removalGuardProblems(deployed: readonly DeployedTenant[], next: readonly TenantSpec[], settings: GuardSettings): string[] {
    const { file, environment } = settings;
    const problems: string[] = [];
    const nextNames = new Set(next.map((tenant) => tenant.name));
    if (next.length === 0) {
        problems.push(`${file}: the stack would deploy no tenant to ${environment}${deployed.length > 0 ? ` and remove all ${deployed.length} it has` : ""}; ` +
            "refusing: an empty list is far more often a broken checkout than an intention. To tear the stack down, run `pulumi destroy`");
    }
    const disappearing = deployed.filter((tenant) => !nextNames.has(tenant.name));
    if (disappearing.length > settings.maxTenantRemovals) {
        problems.push(`${file}: aims:maxTenantRemovals: this update would remove ${disappearing.length} tenants from ${environment} ` +
            `(${disappearing.map((t) => t.name).join(", ")}), more than the ${settings.maxTenantRemovals} allowed at once; ` +
            "remove them in separate changes, or raise aims:maxTenantRemovals for this one change");
    }
    for (const tenant of disappearing.filter((t) => !settings.allowTenantRemoval.includes(t.name))) {
        problems.push(`${file}: aims:allowTenantRemoval: removing ${removalSummary(tenant, settings)}. ` +
            `Refusing an unconfirmed removal: if it is intended, add "${tenant.name}" to aims:allowTenantRemoval in ${file}; ` +
            `if not, restore tenants/${tenant.name}.yaml or its environments`);
    }
    for (const name of settings.allowTenantRemoval.filter((allowed) => nextNames.has(allowed))) {
        problems.push(`${file}: aims:allowTenantRemoval: lists "${name}", which this stack still deploys; ` +
            "take it off the list so that it cannot confirm a later, accidental removal");
    }
    return problems;
}

/** The tenants the stack deployed last time: its own `tenants` output, through a StackReference. */
export async function readDeployedTenants(): Promise<DeployedTenant[]> {
    const self = new pulumi.StackReference("deployed-tenants", {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const details = await self.getOutputDetails("tenants");
    const value: unknown = details.value ?? details.secretValue;
    if (value === undefined || value === null) {
        return [];
    }
    const valid = Array.isArray(value) && value.every((t) => typeof t?.name === "string" && typeof t?.status === "string");
    if (!valid) {
        throw new ValidationError([`the stack's previous "tenants" output is not a list of tenants; refusing to guess which tenants exist`]);
    }
    return (value as DeployedTenant[]).map(({ name, platform, status }) => ({ name, platform, status }));
}

/** Throws a ValidationError with every problem when the update would lose a tenant unconfirmed. */
export async function guardTenantRemovals(next: readonly TenantSpec[], settings: GuardSettings): Promise<void> {
    const problems = removalGuardProblems(await readDeployedTenants(), next, settings);
    if (problems.length > 0) throw new ValidationError(problems);
}

/** What the Tenant hands its platform part: the Kubernetes TenantWorkload or the AWS TenantService. */
import * as pulumi from "@pulumi/pulumi";
import type { AdoptionImportIds } from "./adoption";
import type { TenantDatabase } from "./database";
import type { DataProtection } from "./safety/protection";
import type { TenantSpec } from "./tenant-files/registry";
import type { StackSettings } from "./stack/settings";

/**
 * The stack config a platform part reads. Its platform's block and `aims:backup` are not in it:
 * the Tenant checks once that the tenant has them and passes them as args of their own.
 */
export type PlatformStackSettings = Omit<StackSettings, "kubernetes" | "aws" | "backup">;

export interface TenantPlatformArgs {
    /** The validated tenant file. */
    readonly tenant: TenantSpec;
    /** The validated stack config. */
    readonly settings: PlatformStackSettings;
    /** Host the tenant is served at: `<name>.<baseDomain>` or the tenant's domain. */
    readonly host: string;
    /** Django SECRET_KEY, secret; none for an adopted tenant, which keeps its own. */
    readonly secretKey?: pulumi.Input<string>;
    /** Set for a tenant adopted from the Argo CD setup in this environment: what to import. */
    readonly adoption?: AdoptionImportIds;
    /** The tenant's own database and role; the password is secret, and unknown to the program for an adopted tenant. */
    readonly database: Pick<TenantDatabase, "databaseName" | "roleName" | "password">;
    /** protect / retainOnDelete of the platform's data resources (secrets, namespace, access point). */
    readonly protection: DataProtection;
}

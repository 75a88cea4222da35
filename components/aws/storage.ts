/**
 * The tenant's share of the stack's EFS file system: an access point rooted at /tenants/<name>,
 * which forces every file operation to the app's user. With IAM authorisation on the mount and a
 * task role scoped to this access point, a tenant's tasks cannot reach another tenant's files.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APP_USER } from "../vocabulary/app-contract";
import { DataProtection } from "../safety/protection";
import type { TenantSpec } from "../tenant-files/registry";

/** The owner may write, the others (none, through this access point) only read. */
export const TENANT_DIRECTORY_PERMISSIONS = "0755";

export const tenantDirectory = (tenant: string): string => `/tenants/${tenant}`;

export function accessPointArgs(
    tenant: Pick<TenantSpec, "name">,
    fileSystemId: string,
    tags: Record<string, string>,
): aws.efs.AccessPointArgs {
    return {
        fileSystemId,
        posixUser: { uid: APP_USER.uid, gid: APP_USER.gid },
        rootDirectory: {
            path: tenantDirectory(tenant.name),
            // EFS creates the directory on first mount, owned by the app's user.
            creationInfo: {
                ownerUid: APP_USER.uid,
                ownerGid: APP_USER.gid,
                permissions: TENANT_DIRECTORY_PERMISSIONS,
            },
        },
        tags,
    };
}

export function createAccessPoint(
    name: string,
    args: {
        tenant: Pick<TenantSpec, "name">;
        fileSystemId: string;
        protection: DataProtection;
        tags: Record<string, string>;
    },
    opts: pulumi.CustomResourceOptions,
): aws.efs.AccessPoint {
    return new aws.efs.AccessPoint(
        `${name}-media`,
        accessPointArgs(args.tenant, args.fileSystemId, args.tags),
        { ...opts, ...args.protection },
    );
}

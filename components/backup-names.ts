/**
 * Names of the offboarding backup's resources. Two would break their limit for the longest tenant
 * names (a Job's name becomes a 63-character label value, an IAM role name has 64 characters);
 * those keep a readable prefix and a hash of the whole name, so they stay deterministic and distinct.
 */
import { createHash } from "node:crypto";
import type { Environment } from "./vocabulary";

export const JOB_NAME_LIMIT = 63;
export const IAM_ROLE_NAME_LIMIT = 64;
const HASH_LENGTH = 6;

/** Kubernetes Secret with the object-storage access key pair, in the tenant's namespace. */
export const backupCredentialsSecretName = (tenant: string): string =>
    `${tenant}-backup-credentials`;
/** Kubernetes Job that dumps and uploads the database, in the tenant's namespace. */
export const backupJobName = (tenant: string): string =>
    fitName(`${tenant}-offboarding-backup`, JOB_NAME_LIMIT);
/** IAM role of the ECS backup task. */
export const backupRoleName = (env: Environment, tenant: string): string =>
    fitName(`${env}-${tenant}-backup`, IAM_ROLE_NAME_LIMIT);
/** ECS task definition family of the backup task (at most 255 characters, far more than any tenant needs). */
export const backupTaskFamilyName = (env: Environment, tenant: string): string =>
    `${env}-${tenant}-backup`;

/** `full` when it fits in `limit`; otherwise a prefix of it, `-`, and six hex digits of its hash. */
export function fitName(full: string, limit: number): string {
    if (full.length <= limit) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
    const prefix = full.slice(0, limit - HASH_LENGTH - 1).replace(/-+$/, "");
    return `${prefix}-${hash}`;
}

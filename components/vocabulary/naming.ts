/**
 * Every name derived from a tenant name, and the limits those names must respect.
 * The registry rejects a tenant whose derived names would break a limit, so the functions
 * here never shorten a name, except where a fixed limit is tighter than the longest tenant name
 * allows: those names go through `fitName`.
 */
import { createHash } from "node:crypto";
import { ENVIRONMENTS, Environment } from "./words";

/** Lowercase RFC 1035 label: Kubernetes Service names (the chart's) must start with a letter. */
export const TENANT_NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

export const namespaceName = (tenant: string): string => tenant;
export const releaseName = (tenant: string): string => tenant;
export const databaseName = (tenant: string): string => `tenant_${tenant.replace(/-/g, "_")}`;
export const databaseRoleName = databaseName;
/**
 * The database and role name the Argo CD setup gave a school: `tenant_<name>`, hyphens kept.
 * An adopted tenant keeps it, because renaming a database needs every connection closed.
 */
export const argoCdDatabaseName = (tenant: string): string => `tenant_${tenant}`;

/** The database credentials of the tenant's role and, unless the tenant is adopted, Django's SECRET_KEY. */
export const databaseSecretName = (tenant: string): string => `${tenant}-database`;
/** Django's SECRET_KEY of a school adopted from the Argo CD setup, which keeps the secret it had. */
export const djangoSecretName = (tenant: string): string => `${tenant}-django-secret`;
export const tlsSecretName = (tenant: string): string => `${tenant}-tls`;
export const imagePullSecretName = (tenant: string): string => `${tenant}-registry`;
/** The core's secrets of one tenant: its database password, the bootstrap secret, the media keys. */
export const coreSecretName = (tenant: string): string => `${tenant}-core`;
/** Services the tenant chart creates; the Ingress routes to them. */
export const frontendServiceName = (release: string): string => `${release}-frontend`;
export const backendServiceName = (release: string): string => `${release}-backend`;

export const taskRoleName = (env: Environment, tenant: string): string => `${env}-${tenant}-task`;
export const dbCredentialsSecretName = (env: Environment, tenant: string): string =>
    `${env}-${tenant}-db-credentials`;
export const coreSecretsSecretName = (env: Environment, tenant: string): string =>
    `${env}-${tenant}-core`;
export const logGroupName = (env: Environment, tenant: string): string => `/ecs/${env}-${tenant}`;
export const taskFamilyName = (env: Environment, tenant: string): string => `${env}-${tenant}`;
export const ecsServiceName = (tenant: string): string => tenant;

export const TARGET_GROUP_NAME_LIMIT = 32;

/**
 * The two target groups of an AWS tenant: `web` (Next.js, the default route) and `api` (Django,
 * /api and /admin). The role comes last, so a tenant's names never equal another tenant's in full.
 */
export const TARGET_GROUP_ROLES = ["web", "api"] as const;
export type TargetGroupRole = (typeof TARGET_GROUP_ROLES)[number];

/** `<env>-<tenant>-<role>`, fitted into 32 characters; the registry rejects the unlikely collision. */
export const targetGroupName = (env: Environment, tenant: string, role: TargetGroupRole): string =>
    fitName(`${env}-${tenant}-${role}`, TARGET_GROUP_NAME_LIMIT);

/**
 * The offboarding backup's names. Its Job name becomes a 63-character label value and its IAM
 * role name has 64 characters: both are fitted, since the longest tenant names would break them.
 */
export const JOB_NAME_LIMIT = 63;
export const IAM_ROLE_NAME_LIMIT = 64;
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
/** `<prefix>/<env>/<tenant>/tenant_<name>.dump`: no timestamp, the bucket's versioning keeps every dump. */
export const backupObjectKey = (
    backup: { readonly prefix: string },
    env: Environment,
    tenant: string,
): string => `${backup.prefix}/${env}/${tenant}/${databaseName(tenant)}.dump`;

/** Hex digits of the hash of a restore's dump and version in its Job's name. */
export const RESTORE_HASH_LENGTH = 8;
/**
 * Kubernetes Job that restores the tenant's database from a dump: a new dump or version is a new
 * name, and so a new Job, which runs once; an unchanged one is the Job that already ran.
 */
export const restoreJobName = (
    tenant: string,
    restore: { readonly dump: string; readonly versionId?: string },
): string => {
    const hash = createHash("sha256")
        .update(JSON.stringify([restore.dump, restore.versionId ?? null]))
        .digest("hex")
        .slice(0, RESTORE_HASH_LENGTH);
    return fitName(`${tenant}-restore-${hash}`, JOB_NAME_LIMIT);
};

const FITTED_HASH_LENGTH = 6;

/**
 * `full` when it fits in `limit` characters; otherwise a readable prefix of it, `-`, and six hex
 * digits of a hash of the whole, so the name stays deterministic and names sharing a prefix differ.
 */
export function fitName(full: string, limit: number): string {
    if (full.length <= limit) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, FITTED_HASH_LENGTH);
    const prefix = full.slice(0, limit - FITTED_HASH_LENGTH - 1).replace(/-+$/, "");
    return `${prefix}-${hash}`;
}

/** The host a tenant is served at: its own domain, or `<name>.<baseDomain>`. */
export function tenantHost(tenant: { name: string; domain?: string }, baseDomain: string): string {
    return tenant.domain ?? `${tenant.name}.${baseDomain}`;
}

/** Where a tenant's status is visible on its resources: a namespace label, an AWS tag. */
export const TENANT_STATUS_LABEL = "aims.example.org/status";
export const TENANT_STATUS_TAG = "aims:status";
/**
 * Where a tenant's data says whether it is retained on delete ("true" or "false"): the policy
 * pack sees `protect` but not `retainOnDelete`, so the program states it here, from the same
 * DataProtection value that sets the option.
 */
export const DATA_RETAINED_LABEL = "aims.example.org/data-retained";
export const DATA_RETAINED_TAG = "aims:data-retained";
/** Where a tenant's ring of fleet upgrades is visible, in a stack with rings: a namespace label, an AWS tag. */
export const RING_LABEL = "aims.example.org/ring";
export const RING_TAG = "aims:ring";
/** Where the stack's environment is visible: a namespace label, a default tag of the AWS provider. */
export const ENVIRONMENT_LABEL = "aims.example.org/environment";
export const ENVIRONMENT_TAG = "aims:environment";

export interface NameLimit {
    readonly what: string;
    readonly limit: number;
    readonly derive: (tenant: string, env: Environment) => string;
}

/** The limits the registry enforces. Lengths are counted in bytes (PostgreSQL counts bytes). */
export const NAME_LIMITS: readonly NameLimit[] = [
    { what: "Kubernetes namespace", limit: 63, derive: namespaceName },
    { what: "Helm release", limit: 53, derive: releaseName },
    { what: "PostgreSQL database and role", limit: 63, derive: databaseName },
    { what: "Kubernetes secret", limit: 253, derive: djangoSecretName },
    {
        what: "Kubernetes service",
        limit: 63,
        derive: (tenant) => frontendServiceName(releaseName(tenant)),
    },
    {
        what: "AWS IAM role",
        limit: IAM_ROLE_NAME_LIMIT,
        derive: (tenant, env) => taskRoleName(env, tenant),
    },
    {
        what: "AWS secret",
        limit: 512,
        derive: (tenant, env) => dbCredentialsSecretName(env, tenant),
    },
    {
        what: "CloudWatch log group",
        limit: 512,
        derive: (tenant, env) => logGroupName(env, tenant),
    },
    { what: "ECS task family", limit: 255, derive: (tenant, env) => taskFamilyName(env, tenant) },
];

/** One message per derived name of `tenant` that would break its limit in some environment. */
export function nameLimitProblems(tenant: string): string[] {
    const problems = new Set<string>();
    for (const { what, limit, derive } of NAME_LIMITS) {
        for (const env of ENVIRONMENTS) {
            const derived = derive(tenant, env);
            const length = Buffer.byteLength(derived, "utf8");
            if (length > limit) {
                problems.add(
                    `the ${what} name "${derived}" would be ${length} characters, over its limit of ${limit}`,
                );
            }
        }
    }
    return [...problems];
}

/** The longest tenant name whose derived names all fit; tenant.schema.json states it as maxLength. */
export const MAX_TENANT_NAME_LENGTH: number = (() => {
    let length = 63;
    while (nameLimitProblems("a".repeat(length)).length > 0) {
        length--;
    }
    return length;
})();

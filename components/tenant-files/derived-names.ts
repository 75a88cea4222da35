/**
 * Every name a tenant's name leads to, wherever it must be unique: the names of its cloud and
 * cluster objects (naming.ts) and the Pulumi names of its resources (a
 * resource's URN is its type and name, so two tenants' resources of one type must not share a
 * name). Two tenants whose names differ can still derive one name: `school1`'s backup task family
 * is `dev-school1-backup`, the task family of a tenant named `school1-backup`. The check covers
 * every name a tenant may ever need, whatever its status, platform and environments now, so that
 * offboarding or moving a tenant later never meets a collision. test/derived-names.test.ts checks
 * that the list covers every resource a tenant registers.
 */
import {
    backendServiceName,
    backupCredentialsSecretName,
    backupJobName,
    backupRoleName,
    backupTaskFamilyName,
    coreSecretName,
    coreSecretsSecretName,
    databaseName,
    databaseRoleName,
    databaseSecretName,
    dbCredentialsSecretName,
    djangoSecretName,
    ecsServiceName,
    frontendServiceName,
    imagePullSecretName,
    logGroupName,
    namespaceName,
    releaseName,
    TARGET_GROUP_ROLES,
    targetGroupName,
    taskFamilyName,
    taskRoleName,
    tlsSecretName,
} from "../vocabulary/naming";
import {
    TENANT_DATABASE_TYPE,
    TENANT_SERVICE_TYPE,
    TENANT_TYPE,
    TENANT_WORKLOAD_TYPE,
} from "../vocabulary/type-tokens";
import { ENVIRONMENTS, Environment } from "../vocabulary/words";

export interface DerivedName {
    /** What the name is, for messages: "ECS task family". */
    readonly what: string;
    /** Where the name must be unique; names in different scopes never collide. */
    readonly scope: string;
    readonly name: string;
}

type Derive = (tenant: string, env: Environment) => string;

/** A name unique within `scope` (by default: among every name of the same `what`). */
const named = (
    what: string,
    derive: Derive,
    scope?: (tenant: string, env: Environment) => string,
) => ({ what, derive, scope: scope ?? (() => what) });
/** A Kubernetes object in the tenant's namespace: unique only there. */
const inNamespace = (what: string, derive: Derive) =>
    named(what, derive, (tenant) => `${what} in namespace ${namespaceName(tenant)}`);

const OBJECT_NAMES = [
    named("Kubernetes namespace", namespaceName),
    inNamespace("Helm release", releaseName),
    inNamespace("Kubernetes Secret", djangoSecretName),
    inNamespace("Kubernetes Secret", databaseSecretName),
    inNamespace("Kubernetes Secret", tlsSecretName),
    inNamespace("Kubernetes Secret", imagePullSecretName),
    inNamespace("Kubernetes Secret", backupCredentialsSecretName),
    inNamespace("Kubernetes Secret", coreSecretName),
    inNamespace("Kubernetes Service", (tenant) => frontendServiceName(releaseName(tenant))),
    inNamespace("Kubernetes Service", (tenant) => backendServiceName(releaseName(tenant))),
    inNamespace("Kubernetes Job", backupJobName),
    named("PostgreSQL database", databaseName),
    named("PostgreSQL role", databaseRoleName),
    named("IAM role", (tenant, env) => taskRoleName(env, tenant)),
    named("IAM role", (tenant, env) => backupRoleName(env, tenant)),
    named("Secrets Manager secret", (tenant, env) => dbCredentialsSecretName(env, tenant)),
    named("Secrets Manager secret", (tenant, env) => coreSecretsSecretName(env, tenant)),
    named("CloudWatch log group", (tenant, env) => logGroupName(env, tenant)),
    named("ECS task family", (tenant, env) => taskFamilyName(env, tenant)),
    named("ECS task family", (tenant, env) => backupTaskFamilyName(env, tenant)),
    named(
        "ECS service",
        (tenant) => ecsServiceName(tenant),
        (_tenant, env) => `ECS service in the ${env} cluster`,
    ),
    ...TARGET_GROUP_ROLES.map((role) =>
        named("target group", (tenant, env) => targetGroupName(env, tenant, role)),
    ),
];

/**
 * The Pulumi names of a tenant's resources, `<tenant>` or `<tenant>-<suffix>`, by resource type.
 * Components are listed too: their names are part of their children's URNs.
 */
export const RESOURCE_NAME_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
    [TENANT_TYPE]: [""],
    [TENANT_DATABASE_TYPE]: [""],
    [TENANT_WORKLOAD_TYPE]: [""],
    [TENANT_SERVICE_TYPE]: [""],
    "random:index/randomPassword:RandomPassword": ["secret-key", "db-password"],
    "postgresql:index/role:Role": ["db-role"],
    "postgresql:index/database:Database": ["db"],
    "postgresql:index/grant:Grant": ["db-revoke-public", "db-revoke-public-schema-create"],
    "postgresql:index/grantRole:GrantRole": ["db-admin-membership"],
    "kubernetes:core/v1:Namespace": ["namespace"],
    "kubernetes:core/v1:Secret": [
        "django-secret",
        "database-secret",
        "registry-secret",
        "backup-credentials",
        "core-secret",
    ],
    "kubernetes:core/v1:ResourceQuota": ["quota"],
    "kubernetes:core/v1:LimitRange": ["limits"],
    "kubernetes:helm.sh/v3:Release": ["release"],
    "kubernetes:networking.k8s.io/v1:Ingress": ["ingress"],
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": ["network-policy"],
    "kubernetes:batch/v1:Job": ["offboarding-backup", "restore"],
    "aws:iam/role:Role": ["task-role", "backup-role"],
    "aws:iam/rolePolicy:RolePolicy": ["task-policy", "backup-policy"],
    "aws:ecs/taskDefinition:TaskDefinition": ["task", "backup-task"],
    "aws:ecs/service:Service": ["service"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs"],
    "aws:efs/accessPoint:AccessPoint": ["media"],
    "aws:lb/targetGroup:TargetGroup": TARGET_GROUP_ROLES,
    "aws:lb/listenerRule:ListenerRule": TARGET_GROUP_ROLES.map((role) => `${role}-rule`),
    "aws:secretsmanager/secret:Secret": ["db-credentials", "core"],
    "aws:secretsmanager/secretVersion:SecretVersion": ["db-credentials-value", "core-value"],
    "command:local:Command": ["offboarding-backup", "core-cleanup", "rollout"],
};

export const resourceName = (tenant: string, suffix: string): string =>
    suffix === "" ? tenant : `${tenant}-${suffix}`;

/** Every name `tenant` leads to, in every environment. */
export function derivedNames(tenant: string): DerivedName[] {
    const names: DerivedName[] = [];
    for (const env of ENVIRONMENTS) {
        for (const { what, derive, scope } of OBJECT_NAMES) {
            names.push({ what, scope: scope(tenant, env), name: derive(tenant, env) });
        }
    }
    for (const [type, suffixes] of Object.entries(RESOURCE_NAME_SUFFIXES)) {
        for (const suffix of suffixes) {
            names.push({
                what: `Pulumi resource name (${type})`,
                scope: `Pulumi ${type}`,
                name: resourceName(tenant, suffix),
            });
        }
    }
    return names;
}

/**
 * One problem per tenant file whose derived names meet another tenant's, naming the first
 * shared name; `files` maps tenant names to their files.
 */
export function derivedNameCollisions(
    tenants: ReadonlyArray<{ readonly name: string; readonly file: string }>,
): string[] {
    const owners = new Map<string, { tenant: string; file: string; what: string }>();
    const problems: string[] = [];
    for (const { name: tenant, file } of tenants) {
        for (const { what, scope, name } of derivedNames(tenant)) {
            const key = `${scope}\u0000${name}`;
            const owner = owners.get(key);
            if (owner === undefined) {
                owners.set(key, { tenant, file, what });
            } else if (owner.tenant !== tenant) {
                problems.push(
                    `${file}: name: its ${what} "${name}" is also the ${owner.what} "${name}" of tenant ${owner.tenant} (${owner.file}); rename one of the two tenants`,
                );
                break;
            }
        }
    }
    return problems;
}

/**
 * Adopting a school that already runs under the Argo CD setup: which of its resources are
 * imported, under which names, and which of their properties the program leaves as they are.
 * Pure functions; the resource creators pass what they return as resource options.
 */
import {
    argoCdDatabaseName,
    databaseName,
    databaseSecretName,
    djangoSecretName,
    namespaceName,
} from "./vocabulary/naming";
import type { TenantSpec } from "./tenant-files/registry";
import type { Environment } from "./vocabulary/words";

/** True when the tenant's file adopts it in this environment (`adopt: true` or a list naming it). */
export function isAdopted(tenant: Pick<TenantSpec, "adopt">, environment: Environment): boolean {
    return tenant.adopt?.includes(environment) ?? false;
}

/** The tenant's database and role name: the Argo CD setup's for an adopted tenant, the program's otherwise. */
export function tenantDatabaseName(
    tenant: Pick<TenantSpec, "name" | "adopt">,
    environment: Environment,
): string {
    return isAdopted(tenant, environment)
        ? argoCdDatabaseName(tenant.name)
        : databaseName(tenant.name);
}

/**
 * The Secret whose `secret-key` is Django's SECRET_KEY: an adopted school's own Django secret,
 * otherwise the tenant's database secret, which holds SECRET_KEY beside the credentials.
 */
export function djangoKeySecretName(
    tenant: Pick<TenantSpec, "name" | "adopt">,
    environment: Environment,
): string {
    return isAdopted(tenant, environment)
        ? djangoSecretName(tenant.name)
        : databaseSecretName(tenant.name);
}

/** The `import` ids of an adopted tenant's resources, in each provider's format. */
export interface AdoptionImportIds {
    /** A namespace imports by its name. */
    readonly namespace: string;
    /** Namespaced objects import as `<namespace>/<name>`. */
    readonly djangoSecret: string;
    readonly databaseSecret: string;
    /** PostgreSQL databases and roles import by their name. */
    readonly database: string;
    readonly role: string;
}

export function adoptionImportIds(tenant: string): AdoptionImportIds {
    const namespace = namespaceName(tenant);
    return {
        namespace,
        djangoSecret: `${namespace}/${djangoSecretName(tenant)}`,
        databaseSecret: `${namespace}/${databaseSecretName(tenant)}`,
        database: argoCdDatabaseName(tenant),
        role: argoCdDatabaseName(tenant),
    };
}

/**
 * What the program never writes on an adopted resource. The running school's SECRET_KEY, its
 * role's password and the credentials its pods use are kept as they are: the program cannot
 * know them, and generating new ones would sign everyone out and cut the app off its database.
 * Rotating them is a documented step of its own (docs/adoption.md).
 */
export const KEPT_ON_ADOPTION = {
    role: ["password"],
    appSecret: ["data", "stringData"],
} as const;

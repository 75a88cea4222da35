/**
 * The `aims:core` block of a stack (schema/core.schema.json): the aims-core site that signs
 * schools up and drives their lifecycle. Tenant backends connect to its database, call it back
 * once bootstrapped, and store their media in its object storage; removing a tenant calls its
 * cleanup API. Optional: a stack without it deploys tenants that know nothing of a core. Checked
 * here beyond the schema: which tenants need the object storage's access keys.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SchemaProblem } from "../json-schema/problems";
import { setSecretCommand } from "./secrets";

export interface CoreSettings {
    /** https URL of the core site, without a trailing slash: `https://core.example.org`. */
    readonly url: string;
    /** The core database (aimsgodb) as tenant backends reach it: CORE_DB_*. */
    readonly database: CoreDatabase;
    /** TENANT_BOOTSTRAP_SECRET, shared with the core; a secret. */
    readonly bootstrapSecret: pulumi.Output<string>;
    /** X-Admin-API-Key of the core's admin API; a secret. */
    readonly adminApiKey: pulumi.Output<string>;
    /** S3-compatible storage of the tenants' media; USE_REMOTE_MEDIA is false without it. */
    readonly objectStorage?: ObjectStorageSettings;
}

export interface CoreDatabase {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly user: string;
    /** A secret: `pulumi config set --secret --path aims:core.database.password`. */
    readonly password: pulumi.Output<string>;
}

export interface ObjectStorageSettings {
    /** https URL of storage other than AWS S3; AWS S3 when unset. */
    readonly endpoint?: string;
    readonly bucket: string;
    readonly region: string;
    /** First part of every tenant's key prefix: `<prefix>/<tenant>/`. */
    readonly prefix: string;
    /** Required by Kubernetes tenants, and by AWS tenants when `endpoint` is set; both parts secrets. */
    readonly credentials?: {
        readonly accessKeyId: pulumi.Output<string>;
        readonly secretAccessKey: pulumi.Output<string>;
    };
}

/** The core's endpoints this program and the tenants call. */
export const BOOTSTRAP_READY_PATH = "/api/auth/tenant-bootstrap-ready/";
export const DELETE_TENANT_PATH = "/api/admin/delete-tenant/";

export const bootstrapReadyUrl = (core: Pick<CoreSettings, "url">): string =>
    `${core.url}${BOOTSTRAP_READY_PATH}`;
export const deleteTenantUrl = (core: Pick<CoreSettings, "url">): string =>
    `${core.url}${DELETE_TENANT_PATH}`;

/**
 * The object storage's access keys are required when `needsStorageKeys` says a tenant of the
 * stack must be given them: a Kubernetes tenant, or any tenant when the storage is not AWS S3.
 */
export function coreProblems(
    block: Record<string, unknown>,
    needsStorageKeys: (endpointSet: boolean) => boolean,
    stack: string,
): SchemaProblem[] {
    const storage = block.objectStorage as Record<string, unknown> | undefined;
    if (storage === null || typeof storage !== "object") return [];
    if (!needsStorageKeys(storage.endpoint !== undefined)) return [];
    return ["accessKeyId", "secretAccessKey"]
        .filter((field) => storage[field] === undefined)
        .map((field) => {
            const key = `aims:core.objectStorage.${field}`;
            return {
                key,
                message: `is required: tenants of this stack that cannot use an IAM role (Kubernetes, or storage other than AWS S3) use it; set it once with: ${setSecretCommand(key, stack)}`,
            };
        });
}

/** The block as the schema describes it, defaults filled in. */
interface CoreValues {
    readonly url: string;
    readonly database: Omit<CoreDatabase, "password"> & { readonly password: string };
    readonly bootstrapSecret: string;
    readonly adminApiKey: string;
    readonly objectStorage?: Omit<ObjectStorageSettings, "credentials"> & {
        readonly accessKeyId?: string;
        readonly secretAccessKey?: string;
    };
}

/** The settings of a block without problems; URLs as their origin, without a trailing slash. */
export function coreSettings(block: Record<string, unknown>): CoreSettings {
    const values = block as unknown as CoreValues;
    return {
        url: new URL(values.url).origin,
        database: { ...values.database, password: pulumi.secret(values.database.password) },
        bootstrapSecret: pulumi.secret(values.bootstrapSecret),
        adminApiKey: pulumi.secret(values.adminApiKey),
        ...(values.objectStorage && { objectStorage: objectStorageSettings(values.objectStorage) }),
    };
}

function objectStorageSettings(
    storage: NonNullable<CoreValues["objectStorage"]>,
): ObjectStorageSettings {
    const { endpoint, accessKeyId, secretAccessKey, ...values } = storage;
    return {
        ...(endpoint !== undefined && { endpoint: new URL(endpoint).origin }),
        ...values,
        ...(accessKeyId !== undefined &&
            secretAccessKey !== undefined && {
                credentials: {
                    accessKeyId: pulumi.secret(accessKeyId),
                    secretAccessKey: pulumi.secret(secretAccessKey),
                },
            }),
    };
}

/** Where a tenant's media go in the bucket: its own prefix, `<prefix>/<tenant>`. */
export const mediaPrefix = (
    storage: Pick<ObjectStorageSettings, "prefix">,
    tenant: string,
): string => `${storage.prefix}/${tenant}`;

/**
 * The `aims:core` block of a stack: the aims-core site that signs schools up and drives their
 * lifecycle. Tenant backends connect to its database, call it back once bootstrapped, and store
 * their media in its object storage; removing a tenant calls its cleanup API. Optional: a stack
 * without it deploys tenants that know nothing of a core.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigBlock, ConfigReader, parseUrl } from "./config";

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

export const CORE_KEYS = [
    "url",
    "database",
    "bootstrapSecret",
    "adminApiKey",
    "objectStorage",
] as const;
const DATABASE_KEYS = ["host", "port", "name", "user", "password"] as const;
const OBJECT_STORAGE_KEYS = [
    "endpoint",
    "bucket",
    "region",
    "prefix",
    "accessKeyId",
    "secretAccessKey",
] as const;
export const DEFAULT_MEDIA_PREFIX = "tenants";

/** The core's endpoints this program and the tenants call. */
export const BOOTSTRAP_READY_PATH = "/api/auth/tenant-bootstrap-ready/";
export const DELETE_TENANT_PATH = "/api/admin/delete-tenant/";

export const bootstrapReadyUrl = (core: Pick<CoreSettings, "url">): string =>
    `${core.url}${BOOTSTRAP_READY_PATH}`;
export const deleteTenantUrl = (core: Pick<CoreSettings, "url">): string =>
    `${core.url}${DELETE_TENANT_PATH}`;

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** What the secrets' messages tell the user to run. */
const setSecret = (key: string) =>
    `set it once per stack with: pulumi config set --secret --path aims:core.${key}`;

/**
 * Reads `aims:core`; `needsStorageKeys` says whether a tenant of the stack must be given the
 * object-storage access keys (a Kubernetes tenant, or any tenant when the storage is not AWS S3).
 */
export function readCoreSettings(
    reader: ConfigReader,
    needsStorageKeys: (endpointSet: boolean) => boolean,
): CoreSettings | undefined {
    const block = reader.block("core");
    if (!block) return undefined;
    block.rejectUnknown(CORE_KEYS);
    const url = readCoreUrl(block);
    const database = readCoreDatabase(block);
    const bootstrapSecret = requiredSecret(block, "bootstrapSecret");
    const adminApiKey = requiredSecret(block, "adminApiKey");
    const objectStorage = readObjectStorage(block, needsStorageKeys);
    return {
        url,
        database,
        bootstrapSecret,
        adminApiKey,
        ...(objectStorage && { objectStorage }),
    };
}

function readCoreUrl(block: ConfigBlock): string {
    const value = block.string("url") ?? "";
    if (value === "") return value;
    const url = parseUrl(value);
    if (
        !url ||
        url.protocol !== "https:" ||
        url.username ||
        url.password ||
        url.search ||
        url.hash ||
        url.pathname !== "/"
    ) {
        block.report(
            "url",
            `must be the core's https base URL without credentials, path or query, such as https://core.aims.example.org (got ${JSON.stringify(value)})`,
        );
        return "";
    }
    return url.origin;
}

function readCoreDatabase(block: ConfigBlock): CoreDatabase {
    const database = block.block("database");
    database?.rejectUnknown(DATABASE_KEYS);
    const host = database?.string("host") ?? "";
    if (host !== "" && !HOST.test(host)) {
        database?.report(
            "host",
            `must be a host name or IP address such as aimsgodb.database.svc.cluster.local (got ${JSON.stringify(host)})`,
        );
    }
    const identifier = (field: string, example: string) => {
        const value = database?.string(field) ?? "";
        if (value !== "" && !IDENTIFIER.test(value)) {
            database?.report(
                field,
                `must be a PostgreSQL name such as ${example}: letters, digits, '_', '$' and '-', at most 63 characters (got ${JSON.stringify(value)})`,
            );
        }
        return value;
    };
    const name = identifier("name", "aimsgodb");
    const user = identifier("user", "aims_tenant");
    const password = database && requiredSecret(database, "password", "database.password");
    return {
        host,
        port: database?.integer("port", { min: 1, max: 65535 }, 5432) ?? 5432,
        name,
        user,
        password: password ?? pulumi.secret(""),
    };
}

function requiredSecret(
    block: ConfigBlock,
    field: string,
    keyPath: string = field,
): pulumi.Output<string> {
    if (!block.has(field)) {
        block.report(field, `is required; ${setSecret(keyPath)}`);
        return pulumi.secret("");
    }
    return pulumi.secret(block.optionalSecret(field) ?? "");
}

function readObjectStorage(
    core: ConfigBlock,
    needsStorageKeys: (endpointSet: boolean) => boolean,
): ObjectStorageSettings | undefined {
    const block = core.block("objectStorage", false);
    if (!block) return undefined;
    block.rejectUnknown(OBJECT_STORAGE_KEYS);
    const endpoint = block.optionalString("endpoint");
    const endpointUrl = endpoint === undefined ? undefined : parseUrl(endpoint);
    if (
        endpoint !== undefined &&
        (!endpointUrl ||
            endpointUrl.protocol !== "https:" ||
            endpointUrl.username ||
            endpointUrl.password ||
            endpointUrl.pathname !== "/" ||
            endpointUrl.search)
    ) {
        block.report(
            "endpoint",
            `must be an https URL without credentials, path or query, such as https://objects.example.org (got ${JSON.stringify(endpoint)})`,
        );
    }
    const bucket = block.string("bucket") ?? "";
    if (bucket !== "" && (!BUCKET.test(bucket) || bucket.includes(".."))) {
        block.report(
            "bucket",
            `must be a bucket name such as aims-dev-media: 3 to 63 lowercase letters, digits, '.' and '-' (got ${JSON.stringify(bucket)})`,
        );
    }
    const region = block.string("region") ?? "";
    if (region !== "" && !REGION.test(region)) {
        block.report(
            "region",
            `must be a region name such as eu-west-1: lowercase letters, digits and '-' (got ${JSON.stringify(region)})`,
        );
    }
    const prefix = block.string("prefix", DEFAULT_MEDIA_PREFIX);
    if (!PREFIX.test(prefix)) {
        block.report(
            "prefix",
            `must be an object key prefix such as ${DEFAULT_MEDIA_PREFIX}: '/'-separated parts of letters, digits, '.', '_' and '-', no leading or trailing '/' (got ${JSON.stringify(prefix)})`,
        );
    }
    const keysRequired = needsStorageKeys(endpoint !== undefined);
    const why =
        "is required: tenants of this stack that cannot use an IAM role (Kubernetes, or storage other than AWS S3) use it";
    for (const field of ["accessKeyId", "secretAccessKey"]) {
        if (keysRequired && !block.has(field))
            block.report(field, `${why}; ${setSecret(`objectStorage.${field}`)}`);
    }
    const accessKeyId = block.optionalSecret("accessKeyId");
    const secretAccessKey = block.optionalSecret("secretAccessKey");
    return {
        ...(endpoint !== undefined && { endpoint: endpointUrl?.origin ?? endpoint }),
        bucket,
        region,
        prefix,
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

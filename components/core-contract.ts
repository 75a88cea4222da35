/**
 * What a tenant's apps get of the core, the same on Kubernetes and on ECS: the plain settings
 * (CORE_DB_HOST, CORE_BOOTSTRAP_READY_URL, OBJECT_STORAGE_BUCKET, ...), the secret ones, which
 * each platform passes only by reference (a Kubernetes Secret, a Secrets Manager secret), and the
 * bootstrap-ready callback both platforms run after migrate and bootstrap.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapReadyUrl, CoreSettings, mediaPrefix } from "./stack/core";
import { PROJECT_ROOT } from "./support/project-root";

/** The callback script (charts/tenant/files/), which the chart embeds and the ECS task runs. */
export const BOOTSTRAP_READY_SCRIPT_PATH = path.join(
    PROJECT_ROOT,
    "charts",
    "tenant",
    "files",
    "bootstrap-ready.py",
);
export const BOOTSTRAP_READY_SCRIPT: string = fs.readFileSync(BOOTSTRAP_READY_SCRIPT_PATH, "utf8");
export const BOOTSTRAP_READY_COMMAND: readonly string[] = ["python", "-c", BOOTSTRAP_READY_SCRIPT];

/** How long the callback keeps trying before it fails the rollout. */
export const BOOTSTRAP_READY_ATTEMPTS = 8;
export const BOOTSTRAP_READY_DEADLINE_SECONDS = 300;

/** Keys of the secret (Kubernetes Secret or JSON Secrets Manager secret) holding the core's secrets for one tenant. */
export const CORE_SECRET_KEYS = {
    databasePassword: "core-db-password",
    bootstrapSecret: "bootstrap-secret",
    accessKeyId: "object-storage-access-key-id",
    secretAccessKey: "object-storage-secret-access-key",
} as const;
export type CoreSecretKey = keyof typeof CORE_SECRET_KEYS;

/** The content of that secret, each value secret; the object-storage keys only `withStorageKeys`. */
export function coreSecretValues(
    core: CoreSettings,
    withStorageKeys: boolean,
): Record<string, pulumi.Output<string>> {
    const credentials = withStorageKeys ? core.objectStorage?.credentials : undefined;
    return {
        [CORE_SECRET_KEYS.databasePassword]: pulumi.secret(core.database.password),
        [CORE_SECRET_KEYS.bootstrapSecret]: pulumi.secret(core.bootstrapSecret),
        ...(credentials && {
            [CORE_SECRET_KEYS.accessKeyId]: pulumi.secret(credentials.accessKeyId),
            [CORE_SECRET_KEYS.secretAccessKey]: pulumi.secret(credentials.secretAccessKey),
        }),
    };
}

/** Each secret variable of the backend, and the key of the core secret it is read from. */
export function coreSecretVariables(
    core: Pick<CoreSettings, "objectStorage">,
    withStorageKeys: boolean,
): Record<string, string> {
    return {
        CORE_DB_PASSWORD: CORE_SECRET_KEYS.databasePassword,
        TENANT_BOOTSTRAP_SECRET: CORE_SECRET_KEYS.bootstrapSecret,
        ...(core.objectStorage &&
            withStorageKeys && {
                OBJECT_STORAGE_ACCESS_KEY_ID: CORE_SECRET_KEYS.accessKeyId,
                OBJECT_STORAGE_SECRET_ACCESS_KEY: CORE_SECRET_KEYS.secretAccessKey,
            }),
    };
}

/** The backend's plain core variables; without a core, only USE_REMOTE_MEDIA=false. */
export function coreEnvironment(
    core: CoreSettings | undefined,
    tenant: { name: string; schoolId?: string },
): Record<string, string> {
    if (!core) return { USE_REMOTE_MEDIA: "false" };
    const storage = core.objectStorage;
    return {
        CORE_DB_HOST: core.database.host,
        CORE_DB_PORT: String(core.database.port),
        CORE_DB_NAME: core.database.name,
        CORE_DB_USER: core.database.user,
        CORE_BOOTSTRAP_READY_URL: bootstrapReadyUrl(core),
        TENANT_SCHOOL_ID: tenant.schoolId ?? "",
        USE_REMOTE_MEDIA: storage ? "true" : "false",
        ...(storage && {
            ...(storage.endpoint !== undefined && { OBJECT_STORAGE_ENDPOINT: storage.endpoint }),
            OBJECT_STORAGE_BUCKET: storage.bucket,
            OBJECT_STORAGE_REGION: storage.region,
            OBJECT_STORAGE_PREFIX: mediaPrefix(storage, tenant.name),
        }),
    };
}

/** Bounds of the callback, as its environment. */
export const bootstrapReadyEnvironment = (): Record<string, string> => ({
    BOOTSTRAP_READY_ATTEMPTS: String(BOOTSTRAP_READY_ATTEMPTS),
    BOOTSTRAP_READY_DEADLINE_SECONDS: String(BOOTSTRAP_READY_DEADLINE_SECONDS),
});

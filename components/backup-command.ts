/**
 * What the offboarding backup container runs, on Kubernetes and on ECS alike: pg_dump of the
 * tenant's own database to a scratch file, then one upload to the stack's bucket. The upload
 * starts only once the dump is complete, so a failed dump never becomes the newest object.
 */
import { BackupSettings, backupObjectKey } from "./stack/backup";
import { databaseName } from "./naming";
import type { Environment } from "./vocabulary";

export const BACKUP_CONTAINER = "backup";
/** The non-root user and group of the app's containers on both platforms, and of the backup's. */
export const BACKUP_USER = { uid: 10001, gid: 10001 } as const;
/** Where the dump is written: an emptyDir on Kubernetes, a scratch volume on ECS (the root filesystem is read-only). */
export const BACKUP_SCRATCH_PATH = "/tmp";
/** How long a backup may run before it counts as failed: the Job's deadline, the ECS wait's limit. */
export const BACKUP_DEADLINE_SECONDS = 3600;
/** The largest dump the scratch space holds: Fargate's default ephemeral storage, and the emptyDir's size limit. */
export const BACKUP_SCRATCH_GIB = 20;

const DUMP_FILE = `${BACKUP_SCRATCH_PATH}/backup.dump`;

/**
 * `sh -e`: the first failing step fails the container, and with it the Job or the ECS task. The
 * endpoint flag is passed only when set, for aws CLI versions that ignore AWS_ENDPOINT_URL.
 */
export const BACKUP_SCRIPT = [
    `pg_dump --format=custom --no-owner --no-password --file=${DUMP_FILE}`,
    `aws s3 cp --only-show-errors ${DUMP_FILE} "s3://$BACKUP_BUCKET/$BACKUP_KEY" \${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"}`,
].join("\n");

export const BACKUP_COMMAND: readonly string[] = ["sh", "-ec", BACKUP_SCRIPT];

export interface BackupEnvironmentInputs {
    readonly backup: Pick<BackupSettings, "bucket" | "prefix" | "region" | "endpoint">;
    readonly environment: Environment;
    readonly tenant: string;
    /** Where the tenant's own role reaches PostgreSQL on its platform, and its database when it is not the derived one (an adopted tenant's). */
    readonly database: { readonly host: string; readonly port: number; readonly name?: string };
}

/**
 * The container's plain environment. PGUSER and PGPASSWORD are not in it: each platform passes
 * them as references to the tenant's database secret.
 */
export function backupEnvironment({
    backup,
    environment,
    tenant,
    database,
}: BackupEnvironmentInputs): Record<string, string> {
    return {
        PGHOST: database.host,
        PGPORT: String(database.port),
        PGDATABASE: database.name ?? databaseName(tenant),
        BACKUP_BUCKET: backup.bucket,
        BACKUP_KEY: backupObjectKey(backup, environment, tenant),
        AWS_DEFAULT_REGION: backup.region,
        ...(backup.endpoint !== undefined && {
            AWS_ENDPOINT_URL: backup.endpoint,
            // Recent aws CLIs add checksums by default that not every S3-compatible store accepts.
            AWS_REQUEST_CHECKSUM_CALCULATION: "when_required",
            AWS_RESPONSE_CHECKSUM_VALIDATION: "when_required",
        }),
        // The aws CLI may write a cache under $HOME; the root filesystem is read-only.
        HOME: BACKUP_SCRATCH_PATH,
    };
}

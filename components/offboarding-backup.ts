/**
 * The offboarding backup, as both platforms run it: one container that dumps the tenant's own
 * database with pg_dump to scratch space, then uploads the file once to the stack's bucket
 * (aims:backup). The upload starts only once the dump is complete, so a failed dump never becomes
 * the newest object. kubernetes/backup.ts runs the container as a Job, aws/backup.ts as a one-shot
 * ECS task; each passes the tenant's database credentials by reference to its own secret.
 */
import { APP_USER, SCRATCH_PATH } from "./vocabulary/app-contract";
import type { BackupSettings } from "./stack/backup";
import { backupObjectKey, databaseName } from "./vocabulary/naming";
import type { Environment } from "./vocabulary/words";

export const BACKUP_CONTAINER = "backup";
/** Where the dump is written: an emptyDir on Kubernetes, a scratch volume on ECS (the root filesystem is read-only). */
export const BACKUP_SCRATCH_PATH = SCRATCH_PATH;
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

/** The keys of the tenant's database credentials the dump logs in with. */
export type DatabaseCredential = "username" | "password";

export interface BackupContainerInputs {
    readonly backup: Pick<BackupSettings, "bucket" | "prefix" | "region" | "endpoint" | "image">;
    readonly environment: Environment;
    readonly tenant: string;
    /** Where the tenant's own role reaches PostgreSQL on its platform, and its database when it is not the derived one (an adopted tenant's). */
    readonly database: { readonly host: string; readonly port: number; readonly name?: string };
}

/** The backup container, whatever runs it. */
export interface BackupContainer {
    readonly name: string;
    readonly image: string;
    readonly command: readonly string[];
    readonly user: { readonly uid: number; readonly gid: number };
    /** Plain variables. */
    readonly environment: Readonly<Record<string, string>>;
    /** Variables each platform sets from the tenant's database credentials secret: variable to key. */
    readonly credentials: Readonly<Record<string, DatabaseCredential>>;
    /** Writable scratch space for the dump: the only writable path. */
    readonly scratchPath: string;
}

export function backupContainer(inputs: BackupContainerInputs): BackupContainer {
    return {
        name: BACKUP_CONTAINER,
        image: inputs.backup.image,
        command: BACKUP_COMMAND,
        user: APP_USER,
        environment: backupEnvironment(inputs),
        credentials: { PGUSER: "username", PGPASSWORD: "password" },
        scratchPath: BACKUP_SCRATCH_PATH,
    };
}

function backupEnvironment({
    backup,
    environment,
    tenant,
    database,
}: BackupContainerInputs): Record<string, string> {
    return {
        PGHOST: database.host,
        PGPORT: String(database.port),
        PGDATABASE: database.name ?? databaseName(tenant),
        BACKUP_BUCKET: backup.bucket,
        BACKUP_KEY: backupObjectKey(backup, environment, tenant),
        ...objectStorageEnvironment(backup),
    };
}

/** The aws CLI's variables for the bucket's storage; the restore container sets them too. */
export function objectStorageEnvironment(
    backup: Pick<BackupSettings, "region" | "endpoint">,
): Record<string, string> {
    return {
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

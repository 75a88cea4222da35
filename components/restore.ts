/**
 * The restore of a tenant's database from a dump of the stack's bucket (aims:backup), the
 * other direction of the offboarding backup: one container that downloads the object (a given
 * S3 version, or the newest) to scratch space, checks that it is a pg_dump archive, and restores
 * it with the tenant's own role in one transaction, so a missing object, a corrupt dump or a
 * failing statement leaves the database as it was. kubernetes/restore.ts runs it as a Job; AWS
 * tenants cannot restore yet (tenant-files/restore.ts refuses it).
 *
 * The bucket, key and version reach the script as variables, never as part of its text, so no
 * key can inject shell.
 */
import type { BackupSettings } from "./stack/backup";
import type { RestoreSpec } from "./tenant-files/restore";
import {
    BACKUP_SCRATCH_PATH,
    BackupContainer,
    BackupContainerInputs,
    objectStorageEnvironment,
} from "./offboarding-backup";
import { APP_USER } from "./vocabulary/app-contract";
import { databaseName } from "./vocabulary/naming";

export const RESTORE_CONTAINER = "restore";

const DUMP_FILE = `${BACKUP_SCRATCH_PATH}/restore.dump`;
const SOURCE = `"s3://$RESTORE_BUCKET/$RESTORE_KEY\${RESTORE_VERSION_ID:+ (version $RESTORE_VERSION_ID)}"`;
const FAIL = (message: string) => [
    `    echo "restore of tenant $TENANT: ${message}" >&2`,
    "    exit 1",
];

/**
 * `sh -e`. pg_restore runs in a single transaction and stops at the first error: it commits all
 * of the dump or nothing. `--clean --if-exists` replaces what the dump holds, so the same restore
 * serves a new, empty database and a rollback; `--no-owner --no-privileges` leaves every object
 * to the tenant's role, whatever role owned it when it was dumped.
 */
export const RESTORE_SCRIPT = [
    `source=${SOURCE}`,
    `if ! detail=$(aws s3api get-object --bucket "$RESTORE_BUCKET" --key "$RESTORE_KEY" \${RESTORE_VERSION_ID:+--version-id "$RESTORE_VERSION_ID"} \${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} ${DUMP_FILE} 2>&1 >/dev/null); then`,
    ...FAIL("the dump $source does not exist (or is not readable with the backup key): $detail"),
    "fi",
    `if ! detail=$(pg_restore --list ${DUMP_FILE} 2>&1 >/dev/null); then`,
    ...FAIL("the dump $source is not a valid pg_dump archive: $detail"),
    "fi",
    `if ! pg_restore --single-transaction --exit-on-error --no-owner --no-privileges --clean --if-exists --no-password --dbname="$PGDATABASE" ${DUMP_FILE}; then`,
    ...FAIL(
        "pg_restore of $source failed (above); its transaction was rolled back and database $PGDATABASE is as it was",
    ),
    "fi",
    `echo "restore of tenant $TENANT: restored $source into database $PGDATABASE"`,
].join("\n");

export const RESTORE_COMMAND: readonly string[] = ["sh", "-ec", RESTORE_SCRIPT];

export interface RestoreContainerInputs extends Omit<BackupContainerInputs, "backup"> {
    readonly backup: Pick<BackupSettings, "bucket" | "region" | "endpoint" | "image">;
    readonly restore: RestoreSpec;
}

/** The restore container, whatever runs it: the backup's image, user and scratch space. */
export function restoreContainer(inputs: RestoreContainerInputs): BackupContainer {
    const { backup, tenant, database, restore } = inputs;
    return {
        name: RESTORE_CONTAINER,
        image: backup.image,
        command: RESTORE_COMMAND,
        user: APP_USER,
        environment: {
            TENANT: tenant,
            PGHOST: database.host,
            PGPORT: String(database.port),
            PGDATABASE: database.name ?? databaseName(tenant),
            RESTORE_BUCKET: backup.bucket,
            RESTORE_KEY: restore.dump,
            ...(restore.versionId !== undefined && { RESTORE_VERSION_ID: restore.versionId }),
            ...objectStorageEnvironment(backup),
        },
        credentials: { PGUSER: "username", PGPASSWORD: "password" },
        scratchPath: BACKUP_SCRATCH_PATH,
    };
}

/**
 * The container of the ECS offboarding backup task, built from resolved values so tests call it
 * directly. It runs the same script as the Kubernetes Job (components/backup-command.ts), as the
 * app's non-root user with a read-only root filesystem; the database credentials are references
 * to the tenant's Secrets Manager secret, and S3 access comes from the task's role.
 */
import {
    BACKUP_COMMAND,
    BACKUP_CONTAINER,
    BACKUP_SCRATCH_PATH,
    BACKUP_USER,
    backupEnvironment,
    BackupEnvironmentInputs,
} from "../backup-command";
import { ContainerDefinition, secretKeyReference, VOLUMES } from "./containers";

/** The awslogs stream prefix: streams are `backup/backup/<task id>` in the tenant's log group. */
export const BACKUP_LOG_STREAM_PREFIX = "backup";

export interface BackupContainerValues extends BackupEnvironmentInputs {
    readonly image: string;
    /** ARN of the secret holding the tenant's JSON database credentials (username, password, ...). */
    readonly databaseCredentialsArn: string;
    readonly logGroup: string;
    /** The stack's region, where the log group is. */
    readonly region: string;
}

export function backupContainerDefinitions(values: BackupContainerValues): ContainerDefinition[] {
    return [
        {
            name: BACKUP_CONTAINER,
            image: values.image,
            essential: true,
            command: BACKUP_COMMAND,
            user: `${BACKUP_USER.uid}:${BACKUP_USER.gid}`,
            readonlyRootFilesystem: true,
            privileged: false,
            linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
            portMappings: [],
            environment: Object.entries(backupEnvironment(values)).map(([name, value]) => ({
                name,
                value,
            })),
            secrets: [
                {
                    name: "PGUSER",
                    valueFrom: secretKeyReference(values.databaseCredentialsArn, "username"),
                },
                {
                    name: "PGPASSWORD",
                    valueFrom: secretKeyReference(values.databaseCredentialsArn, "password"),
                },
            ],
            mountPoints: [
                { sourceVolume: VOLUMES.tmp, containerPath: BACKUP_SCRATCH_PATH, readOnly: false },
            ],
            logConfiguration: {
                logDriver: "awslogs",
                options: {
                    "awslogs-group": values.logGroup,
                    "awslogs-region": values.region,
                    "awslogs-stream-prefix": BACKUP_LOG_STREAM_PREFIX,
                },
            },
        },
    ];
}

/**
 * The offboarding backup of an AWS tenant: the container of components/offboarding-backup.ts as
 * a Fargate task with its own IAM role (write one object, read the tenant's database
 * credentials), and a one-shot run of that task, started and awaited where `pulumi up` runs
 * (run-task-once.ts). The database credentials are references to the tenant's Secrets Manager
 * secret; S3 access comes from the task's role, not from a key pair.
 */
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { BackupSettings } from "../stack/backup";
import { backupObjectKey, backupRoleName, backupTaskFamilyName } from "../vocabulary/naming";
import { BACKUP_DEADLINE_SECONDS, BackupContainer, backupContainer } from "../offboarding-backup";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { partitionOf } from "../stack/aws-arn";
import { ContainerDefinition, secretKeyReference, VOLUMES } from "./containers";
import { PolicyDocument, taskAssumeRolePolicy } from "./iam";
import { runTaskOnceScript } from "./run-task-once";
import { databaseEndpoint } from "./secrets";
import { AwsSettings } from "../stack/aws";

/** Size of the backup task: pg_dump and the aws CLI need little; the dump goes to ephemeral storage. */
export const BACKUP_TASK_CPU = 512;
export const BACKUP_TASK_MEMORY = 1024;
/** ECS's `startedBy` of every backup task. */
export const BACKUP_STARTED_BY = "aims-offboarding-backup";
/** The awslogs stream prefix: streams are `backup/backup/<task id>` in the tenant's log group. */
export const BACKUP_LOG_STREAM_PREFIX = "backup";

/** `arn:<partition>:s3:::<bucket>/<key>`: the one object the backup may write. */
export function backupObjectArn(
    partition: string,
    backup: Pick<BackupSettings, "bucket" | "prefix">,
    environment: StackSettings["environment"],
    tenant: string,
): string {
    return `arn:${partition}:s3:::${backup.bucket}/${backupObjectKey(backup, environment, tenant)}`;
}

/** Write exactly the tenant's dump object and read exactly its database credentials; nothing else. */
export function backupRolePolicy(resources: {
    objectArn: string;
    databaseCredentialsArn: string;
}): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WriteOwnBackup",
                Effect: "Allow",
                Action: ["s3:PutObject"],
                Resource: resources.objectArn,
            },
            {
                Sid: "ReadOwnDatabaseCredentials",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: resources.databaseCredentialsArn,
            },
        ],
    };
}

export interface BackupTaskValues {
    readonly container: BackupContainer;
    /** ARN of the secret holding the tenant's JSON database credentials (username, password, ...). */
    readonly databaseCredentialsArn: string;
    readonly logGroup: string;
    /** The stack's region, where the log group is. */
    readonly region: string;
}

/** The backup container as ECS runs it: unprivileged, read-only root filesystem, scratch on a task volume. */
export function backupContainerDefinitions(values: BackupTaskValues): ContainerDefinition[] {
    const { container } = values;
    return [
        {
            name: container.name,
            image: container.image,
            essential: true,
            command: container.command,
            user: `${container.user.uid}:${container.user.gid}`,
            readonlyRootFilesystem: true,
            privileged: false,
            linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
            portMappings: [],
            environment: Object.entries(container.environment).map(([name, value]) => ({
                name,
                value,
            })),
            secrets: Object.entries(container.credentials).map(([name, key]) => ({
                name,
                valueFrom: secretKeyReference(values.databaseCredentialsArn, key),
            })),
            mountPoints: [
                {
                    sourceVolume: VOLUMES.tmp,
                    containerPath: container.scratchPath,
                    readOnly: false,
                },
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

export interface OffboardingBackupArgs {
    readonly tenant: Pick<TenantSpec, "name">;
    readonly settings: Pick<StackSettings, "environment" | "database">;
    readonly aws: Pick<
        AwsSettings,
        | "region"
        | "accountId"
        | "clusterArn"
        | "subnetIds"
        | "securityGroupIds"
        | "executionRoleArn"
        | "databaseHost"
        | "databasePort"
    >;
    readonly backup: BackupSettings;
    readonly databaseCredentialsArn: pulumi.Input<string>;
    readonly logGroupName: pulumi.Input<string>;
    readonly tags: Record<string, string>;
}

export interface OffboardingBackup {
    readonly role: aws.iam.Role;
    readonly policy: aws.iam.RolePolicy;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    /** The one-shot run; its stdout is the task's ARN. */
    readonly run: command.local.Command;
}

/** `opts.dependsOn` is what the run waits for: the credentials' value, the scaled-down service. */
export function createOffboardingBackup(
    name: string,
    args: OffboardingBackupArgs,
    opts: pulumi.CustomResourceOptions,
): OffboardingBackup {
    const { tenant, settings, backup, tags } = args;
    const env = settings.environment;
    const place = { region: args.aws.region, accountId: args.aws.accountId };
    // Only the run waits for opts.dependsOn.
    const own = { ...opts, dependsOn: [] };

    const role = new aws.iam.Role(
        `${name}-backup-role`,
        {
            name: backupRoleName(env, tenant.name),
            description: `Offboarding backup of tenant ${tenant.name}`,
            assumeRolePolicy: JSON.stringify(taskAssumeRolePolicy(place)),
            tags,
        },
        own,
    );
    const objectArn = backupObjectArn(partitionOf(args.aws.region), backup, env, tenant.name);
    const policy = new aws.iam.RolePolicy(
        `${name}-backup-policy`,
        {
            name: "offboarding-backup",
            role: role.name,
            policy: pulumi
                .output(args.databaseCredentialsArn)
                .apply((databaseCredentialsArn) =>
                    JSON.stringify(backupRolePolicy({ objectArn, databaseCredentialsArn })),
                ),
        },
        own,
    );

    const container = backupContainer({
        backup,
        environment: env,
        tenant: tenant.name,
        database: databaseEndpoint(settings, args.aws),
    });
    const definitions = pulumi
        .all([args.databaseCredentialsArn, args.logGroupName])
        .apply(([databaseCredentialsArn, logGroup]) =>
            backupContainerDefinitions({
                container,
                databaseCredentialsArn,
                logGroup,
                region: args.aws.region,
            }),
        );
    const taskDefinition = new aws.ecs.TaskDefinition(
        `${name}-backup-task`,
        {
            family: backupTaskFamilyName(env, tenant.name),
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(BACKUP_TASK_CPU),
            memory: String(BACKUP_TASK_MEMORY),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            executionRoleArn: args.aws.executionRoleArn,
            taskRoleArn: role.arn,
            // Scratch space for the dump on the task's ephemeral storage (Fargate's default 20 GiB).
            volumes: [{ name: VOLUMES.tmp }],
            containerDefinitions: pulumi.jsonStringify(definitions),
            tags,
        },
        own,
    );

    const run = new command.local.Command(
        `${name}-offboarding-backup`,
        {
            create: pulumi
                .all([taskDefinition.arn, args.logGroupName])
                .apply(([taskDefinitionArn, logGroup]) =>
                    runTaskOnceScript({
                        ...place,
                        clusterArn: args.aws.clusterArn,
                        taskDefinitionArn,
                        subnetIds: args.aws.subnetIds,
                        securityGroupIds: args.aws.securityGroupIds,
                        container: container.name,
                        startedBy: BACKUP_STARTED_BY,
                        what: `offboarding backup of tenant ${tenant.name}`,
                        deadlineSeconds: BACKUP_DEADLINE_SECONDS,
                        logGroup,
                        logStreamPrefix: BACKUP_LOG_STREAM_PREFIX,
                    }),
                ),
            // Once per task definition: a new revision (another image, another bucket) dumps again.
            triggers: [taskDefinition.arn],
        },
        pulumi.mergeOptions(opts, { dependsOn: [policy] }),
    );

    return { role, policy, taskDefinition, run };
}

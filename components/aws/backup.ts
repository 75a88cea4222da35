/**
 * The offboarding backup of an AWS tenant: its own IAM role (write one object, read the tenant's
 * database credentials), a Fargate task definition that dumps the database and uploads it, and a
 * one-shot run of that task, started and awaited where `pulumi up` runs (run-task-once.ts).
 */
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_CONTAINER } from "../backup-command";
import { backupRoleName, backupTaskFamilyName } from "../backup-names";
import { BackupSettings, backupObjectKey } from "../stack/backup";
import type { TenantSpec } from "../registry";
import type { StackSettings } from "../stack/settings";
import { partitionOf } from "../stack/aws-arn";
import { BACKUP_LOG_STREAM_PREFIX, backupContainerDefinitions } from "./backup-container";
import { VOLUMES } from "./containers";
import { PolicyDocument, taskAssumeRolePolicy } from "./iam";
import { runTaskOnceScript } from "./run-task-once";
import { databaseEndpoint } from "./secrets";
import { AwsSettings } from "../stack/aws";

/** Size of the backup task: pg_dump and the aws CLI need little; the dump goes to ephemeral storage. */
export const BACKUP_TASK_CPU = 512;
export const BACKUP_TASK_MEMORY = 1024;
/** ECS's `startedBy` of every backup task. */
export const BACKUP_STARTED_BY = "aims-offboarding-backup";

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

export interface OffboardingBackupArgs {
    readonly spec: TenantSpec;
    readonly settings: StackSettings;
    readonly aws: AwsSettings;
    readonly databaseCredentialsArn: pulumi.Input<string>;
    readonly logGroupName: pulumi.Input<string>;
    readonly tags: Record<string, string>;
    /** What must exist or have happened before the task runs: the credentials' value, the scaled-down service. */
    readonly after: readonly pulumi.Resource[];
}

export interface OffboardingBackup {
    readonly role: aws.iam.Role;
    readonly policy: aws.iam.RolePolicy;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    /** The one-shot run; its stdout is the task's ARN. */
    readonly run: command.local.Command;
}

export function createOffboardingBackup(
    name: string,
    args: OffboardingBackupArgs,
    parent: pulumi.Resource,
): OffboardingBackup {
    const { spec, settings, tags } = args;
    const backup = settings.backup;
    if (!backup) {
        throw new Error(
            `${spec.file}: is offboarding but ${settings.file} has no aims:backup block`,
        );
    }
    const env = settings.environment;
    const place = { region: args.aws.region, accountId: args.aws.accountId };

    const role = new aws.iam.Role(
        `${name}-backup-role`,
        {
            name: backupRoleName(env, spec.name),
            description: `Offboarding backup of tenant ${spec.name}`,
            assumeRolePolicy: JSON.stringify(taskAssumeRolePolicy(place)),
            tags,
        },
        { parent },
    );
    const objectArn = backupObjectArn(partitionOf(args.aws.region), backup, env, spec.name);
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
        { parent },
    );

    const definitions = pulumi
        .all([args.databaseCredentialsArn, args.logGroupName])
        .apply(([databaseCredentialsArn, logGroup]) =>
            backupContainerDefinitions({
                backup,
                environment: env,
                tenant: spec.name,
                database: databaseEndpoint(settings),
                image: backup.image,
                databaseCredentialsArn,
                logGroup,
                region: args.aws.region,
            }),
        );
    const taskDefinition = new aws.ecs.TaskDefinition(
        `${name}-backup-task`,
        {
            family: backupTaskFamilyName(env, spec.name),
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
        { parent },
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
                        container: BACKUP_CONTAINER,
                        startedBy: BACKUP_STARTED_BY,
                        what: `offboarding backup of tenant ${spec.name}`,
                        logGroup,
                        logStreamPrefix: BACKUP_LOG_STREAM_PREFIX,
                    }),
                ),
            // Once per task definition: a new revision (another image, another bucket) dumps again.
            triggers: [taskDefinition.arn],
        },
        { parent, dependsOn: [policy, ...args.after] },
    );

    return { role, policy, taskDefinition, run };
}

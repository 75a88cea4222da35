/**
 * The tenant's own task role: what its running app may do in AWS. Only read its own secrets, mount
 * the file system through its own access point and, with media in AWS S3, use its own prefix there.
 * The shared execution role (aims:aws.executionRoleArn) starts the tasks; it is not managed here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { taskRoleName } from "../vocabulary/naming";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { partitionOf } from "../stack/aws-arn";

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: Record<string, string>;
    readonly Action: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly PolicyStatement[];
}

/** Only ECS tasks of the stack's account and region may assume the role (confused-deputy guard). */
export function taskAssumeRolePolicy(place: { region: string; accountId: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": place.accountId },
                    ArnLike: {
                        "aws:SourceArn": `arn:${partitionOf(place.region)}:ecs:${place.region}:${place.accountId}:*`,
                    },
                },
            },
        ],
    };
}

export interface TaskPolicyResources {
    /** ARNs of the tenant's secrets. */
    readonly secretArns: readonly string[];
    readonly fileSystemArn: string;
    readonly accessPointArn: string;
    /** The tenant's media in AWS S3: its bucket and its own key prefix (no trailing '/'). */
    readonly media?: {
        readonly partition: string;
        readonly bucket: string;
        readonly prefix: string;
    };
}

/** Read, write and delete the objects under the tenant's own prefix, and list only that prefix. */
export function mediaStatements(
    media: NonNullable<TaskPolicyResources["media"]>,
): PolicyStatement[] {
    const bucketArn = `arn:${media.partition}:s3:::${media.bucket}`;
    return [
        {
            Sid: "OwnMediaObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: `${bucketArn}/${media.prefix}/*`,
        },
        {
            Sid: "ListOwnMedia",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: bucketArn,
            Condition: { StringLike: { "s3:prefix": `${media.prefix}/*` } },
        },
    ];
}

export function taskRolePolicy(resources: TaskPolicyResources): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadOwnSecrets",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [...resources.secretArns],
            },
            {
                Sid: "MountOwnAccessPoint",
                Effect: "Allow",
                Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                Resource: resources.fileSystemArn,
                Condition: {
                    StringEquals: { "elasticfilesystem:AccessPointArn": resources.accessPointArn },
                },
            },
            ...(resources.media ? mediaStatements(resources.media) : []),
        ],
    };
}

export interface TaskRoleArgs {
    readonly tenant: Pick<TenantSpec, "name">;
    readonly settings: Pick<StackSettings, "environment">;
    readonly region: string;
    readonly accountId: string;
    readonly secretArns: readonly pulumi.Input<string>[];
    readonly fileSystemArn: string;
    readonly accessPointArn: pulumi.Input<string>;
    readonly media?: TaskPolicyResources["media"];
    readonly tags: Record<string, string>;
}

export interface TaskRole {
    readonly role: aws.iam.Role;
    /** Tasks must start only once it is attached: the EFS mount needs it. */
    readonly policy: aws.iam.RolePolicy;
}

export function createTaskRole(
    name: string,
    args: TaskRoleArgs,
    opts: pulumi.CustomResourceOptions,
): TaskRole {
    const role = new aws.iam.Role(
        `${name}-task-role`,
        {
            name: taskRoleName(args.settings.environment, args.tenant.name),
            description: `ECS tasks of tenant ${args.tenant.name}`,
            assumeRolePolicy: JSON.stringify(taskAssumeRolePolicy(args)),
            tags: args.tags,
        },
        opts,
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-task-policy`,
        {
            name: "tenant-resources",
            role: role.name,
            policy: pulumi
                .all([pulumi.all([...args.secretArns]), args.accessPointArn])
                .apply(([secretArns, accessPointArn]) =>
                    JSON.stringify(
                        taskRolePolicy({
                            secretArns,
                            fileSystemArn: args.fileSystemArn,
                            accessPointArn,
                            ...(args.media && { media: args.media }),
                        }),
                    ),
                ),
        },
        opts,
    );
    return { role, policy };
}

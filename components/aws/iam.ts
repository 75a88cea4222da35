/**
 * The tenant's own task role: what its running app may do in AWS. Only read its two secrets and
 * mount the file system through its own access point; nothing else, and no wildcard resource.
 * The shared execution role (aims:aws.executionRoleArn) starts the tasks; it is not managed here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { taskRoleName } from "../naming";
import type { TenantSpec } from "../registry";
import type { StackSettings } from "../settings";
import { partitionOf } from "./arn";

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
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:SourceAccount": place.accountId },
                ArnLike: { "aws:SourceArn": `arn:${partitionOf(place.region)}:ecs:${place.region}:${place.accountId}:*` },
            },
        }],
    };
}

export interface TaskPolicyResources {
    /** ARNs of the tenant's two secrets. */
    readonly secretArns: readonly string[];
    readonly fileSystemArn: string;
    readonly accessPointArn: string;
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
                Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": resources.accessPointArn } },
            },
        ],
    };
}

export interface TaskRoleArgs {
    readonly spec: TenantSpec;
    readonly settings: StackSettings;
    readonly region: string;
    readonly accountId: string;
    readonly secretArns: readonly pulumi.Input<string>[];
    readonly fileSystemArn: string;
    readonly accessPointArn: pulumi.Input<string>;
    readonly tags: Record<string, string>;
}

export interface TaskRole {
    readonly role: aws.iam.Role;
    /** Tasks must start only once it is attached: the EFS mount needs it. */
    readonly policy: aws.iam.RolePolicy;
}

export function createTaskRole(name: string, args: TaskRoleArgs, parent: pulumi.Resource): TaskRole {
    const role = new aws.iam.Role(`${name}-task-role`, {
        name: taskRoleName(args.settings.environment, args.spec.name),
        description: `ECS tasks of tenant ${args.spec.name}`,
        assumeRolePolicy: JSON.stringify(taskAssumeRolePolicy(args)),
        tags: args.tags,
    }, { parent });
    const policy = new aws.iam.RolePolicy(`${name}-task-policy`, {
        name: "tenant-resources",
        role: role.name,
        policy: pulumi.all([pulumi.all([...args.secretArns]), args.accessPointArn]).apply(([secretArns, accessPointArn]) =>
            JSON.stringify(taskRolePolicy({ secretArns, fileSystemArn: args.fileSystemArn, accessPointArn }))),
    }, { parent });
    return { role, policy };
}

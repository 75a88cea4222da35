/** The tenant's Fargate task definition: its size from the plan, its role, volumes and containers. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { coreEnvironment, coreSecretVariables } from "../core-contract";
import { databaseName, taskFamilyName } from "../vocabulary/naming";
import { PLANS } from "../vocabulary/plans";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { containerDefinitions, VOLUMES } from "./containers";
import { databaseEndpoint, usesStorageKeysOnAws } from "./secrets";
import { AwsSettings } from "../stack/aws";
import { appVersionOf } from "../stack/rings";

/** `repository:tag`: the tenant's `image.tag` pin, else its ring's version, else the stack's tag. */
export function imageReference(
    repository: string,
    tenant: Pick<TenantSpec, "image" | "ring">,
    settings: Pick<StackSettings, "images" | "rings">,
): string {
    return `${repository}:${appVersionOf(tenant, settings).tag}`;
}

/** Task volumes: the tenant's EFS directory through its access point, encrypted and IAM-authorised. */
export function taskVolumes(
    fileSystemId: string,
    accessPointId: pulumi.Input<string>,
): aws.types.input.ecs.TaskDefinitionVolume[] {
    return [
        {
            name: VOLUMES.media,
            efsVolumeConfiguration: {
                fileSystemId,
                transitEncryption: "ENABLED",
                authorizationConfig: { accessPointId, iam: "ENABLED" },
            },
        },
        // No host path: bind mounts on the task's ephemeral storage, gone with the task.
        { name: VOLUMES.tmp },
        { name: VOLUMES.nextCache },
    ];
}

export interface TenantTaskDefinitionArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan" | "image" | "ring" | "schoolId">;
    readonly settings: Pick<
        StackSettings,
        "environment" | "images" | "rings" | "database" | "core"
    >;
    readonly aws: Pick<
        AwsSettings,
        "region" | "executionRoleArn" | "efsFileSystemId" | "databaseHost" | "databasePort"
    >;
    readonly host: string;
    /** The tenant's database credentials and SECRET_KEY. */
    readonly databaseCredentialsArn: pulumi.Input<string>;
    /** The tenant's core secret, when the stack has a core. */
    readonly coreSecretArn?: pulumi.Input<string>;
    readonly accessPointId: pulumi.Input<string>;
    readonly logGroupName: pulumi.Input<string>;
    readonly taskRoleArn: pulumi.Input<string>;
    readonly tags: Record<string, string>;
}

export function createTaskDefinition(
    name: string,
    args: TenantTaskDefinitionArgs,
    opts: pulumi.CustomResourceOptions,
): aws.ecs.TaskDefinition {
    const { tenant, settings } = args;
    const plan = PLANS[tenant.plan].ecs;
    const core = settings.core;
    const definitions = pulumi
        .all([args.databaseCredentialsArn, args.logGroupName, args.coreSecretArn])
        .apply(([databaseCredentialsArn, logGroup, coreSecretArn]) =>
            containerDefinitions({
                tenant: tenant.name,
                host: args.host,
                frontendImage: imageReference(settings.images.frontend, tenant, settings),
                backendImage: imageReference(settings.images.backend, tenant, settings),
                database: {
                    ...databaseEndpoint(settings, args.aws),
                    name: databaseName(tenant.name),
                },
                databaseCredentialsArn,
                logGroup,
                region: args.aws.region,
                coreEnvironment: coreEnvironment(core, tenant),
                ...(core &&
                    coreSecretArn && {
                        coreSecrets: {
                            arn: coreSecretArn,
                            variables: coreSecretVariables(core, usesStorageKeysOnAws(core)),
                        },
                    }),
            }),
        );
    return new aws.ecs.TaskDefinition(
        `${name}-task`,
        {
            family: taskFamilyName(settings.environment, tenant.name),
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(plan.cpu),
            memory: String(plan.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            executionRoleArn: args.aws.executionRoleArn,
            taskRoleArn: args.taskRoleArn,
            volumes: taskVolumes(args.aws.efsFileSystemId, args.accessPointId),
            containerDefinitions: pulumi.jsonStringify(definitions),
            tags: args.tags,
        },
        opts,
    );
}

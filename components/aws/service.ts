/**
 * TenantService: the AWS part of a tenant. Its secrets, EFS access point, log group, task role,
 * task definition, target groups and listener rules on its shard, the ECS service, and while
 * offboarding the one-shot backup task, all children of this component, in the stack's region through the stack's aws provider (inherited).
 */
import * as pulumi from "@pulumi/pulumi";
import type { BackupSettings } from "../stack/backup";
import { mediaPrefix } from "../stack/core";
import type { TenantPlatformArgs } from "../platform-args";
import type { StackSettings } from "../stack/settings";
import { TENANT_SERVICE_TYPE } from "../vocabulary/type-tokens";
import { fileSystemArn, partitionOf } from "../stack/aws-arn";
import { createOffboardingBackup } from "./backup";
import { createEcsService } from "./ecs-service";
import { createTaskRole } from "./iam";
import { createLoadBalancing } from "./load-balancing";
import { createLogGroup } from "./logs";
import { listenerOf } from "../stack/aws-placement";
import { listenerPriority } from "../stack/aws-priority";
import { createSecrets } from "./secrets";
import { AwsSettings } from "../stack/aws";
import { createAccessPoint } from "./storage";
import { tenantTags } from "./tags";
import { ringOf } from "../stack/rings";
import { createTaskDefinition } from "./task-definition";

export interface TenantServiceArgs extends TenantPlatformArgs {
    /** The stack's `aims:aws`. */
    readonly aws: AwsSettings;
    /** Set exactly while the tenant is offboarding: where its database is dumped. */
    readonly backup?: BackupSettings;
}

export class TenantService extends pulumi.ComponentResource {
    /** Name of the ECS service in the stack's cluster. */
    public readonly serviceName: pulumi.Output<string>;
    /** P: priority of the tenant's api rule; its web rule has P + 1. */
    public readonly listenerPriority: pulumi.Output<number>;
    /** ARN of the tenant's task role. */
    public readonly taskRoleArn: pulumi.Output<string>;

    constructor(name: string, args: TenantServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TENANT_SERVICE_TYPE, name, {}, opts);
        const { tenant, settings, aws: awsSettings, host, protection, secretKey, database } = args;
        if (secretKey === undefined || database.password === undefined) {
            // The registry and the settings refuse adopt for AWS tenants; this is the backstop.
            throw new Error(
                `${tenant.file}: an AWS tenant needs the program's own SECRET_KEY and database password; only Kubernetes tenants are adopted`,
            );
        }
        const listener = listenerOf(tenant, awsSettings);
        const priority = listenerPriority(tenant);
        const tags = tenantTags(tenant, protection, ringOf(tenant, settings.rings));

        const media = awsMediaAccess(settings, awsSettings, tenant.name);
        const secrets = createSecrets(
            name,
            {
                tenant,
                settings,
                aws: awsSettings,
                secretKey,
                database: { ...database, password: database.password },
                protection,
                tags,
            },
            { parent: this },
        );
        const accessPoint = createAccessPoint(
            name,
            { tenant, fileSystemId: awsSettings.efsFileSystemId, protection, tags },
            { parent: this },
        );
        const logGroup = createLogGroup(
            name,
            { tenant, settings, retentionInDays: awsSettings.logRetentionDays, tags },
            { parent: this },
        );
        const taskRole = createTaskRole(
            name,
            {
                tenant,
                settings,
                tags,
                region: awsSettings.region,
                accountId: awsSettings.accountId,
                secretArns: [
                    secrets.databaseCredentials.arn,
                    ...(secrets.core ? [secrets.core.arn] : []),
                ],
                fileSystemArn: fileSystemArn(awsSettings, awsSettings.efsFileSystemId),
                accessPointArn: accessPoint.arn,
                ...(media && { media }),
            },
            { parent: this },
        );
        const taskDefinition = createTaskDefinition(
            name,
            {
                tenant,
                settings,
                host,
                tags,
                aws: awsSettings,
                databaseCredentialsArn: secrets.databaseCredentials.arn,
                ...(secrets.core && { coreSecretArn: secrets.core.arn }),
                accessPointId: accessPoint.id,
                logGroupName: logGroup.name,
                taskRoleArn: taskRole.role.arn,
            },
            { parent: this },
        );
        const loadBalancing = createLoadBalancing(
            name,
            { tenant, settings, host, priority, tags, aws: awsSettings, listenerArn: listener.arn },
            { parent: this },
        );
        const service = createEcsService(
            name,
            {
                tenant,
                tags,
                aws: awsSettings,
                taskDefinitionArn: taskDefinition.arn,
                targetGroupArns: {
                    api: loadBalancing.targetGroups.api.arn,
                    web: loadBalancing.targetGroups.web.arn,
                },
            },
            {
                parent: this,
                // ECS refuses a target group no listener rule uses, and a task must not start
                // before its role's policy is attached and its secrets have their values.
                dependsOn: [
                    loadBalancing.rules.api,
                    loadBalancing.rules.web,
                    taskRole.policy,
                    ...secrets.versions,
                ],
            },
        );
        if (args.backup) {
            createOffboardingBackup(
                name,
                {
                    tenant,
                    settings,
                    aws: awsSettings,
                    backup: args.backup,
                    databaseCredentialsArn: secrets.databaseCredentials.arn,
                    logGroupName: logGroup.name,
                    tags,
                },
                // The dump runs once the service is scaled to zero and the credentials have their value.
                { parent: this, dependsOn: [service, ...secrets.versions] },
            );
        }

        this.serviceName = service.name;
        this.listenerPriority = pulumi.output(priority);
        this.taskRoleArn = taskRole.role.arn;
        this.registerOutputs({
            serviceName: this.serviceName,
            listenerPriority: this.listenerPriority,
            taskRoleArn: this.taskRoleArn,
        });
    }
}

/** With media in AWS S3 (no `endpoint`), the task role's access to the tenant's own prefix. */
export function awsMediaAccess(
    settings: Pick<StackSettings, "core">,
    aws: Pick<AwsSettings, "region">,
    tenant: string,
): { partition: string; bucket: string; prefix: string } | undefined {
    const storage = settings.core?.objectStorage;
    if (!storage || storage.endpoint !== undefined) return undefined;
    return {
        partition: partitionOf(aws.region),
        bucket: storage.bucket,
        prefix: mediaPrefix(storage, tenant),
    };
}

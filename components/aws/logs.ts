/**
 * The tenant's CloudWatch log group: every container of its tasks writes there (awslogs). Where
 * the stack protects data (always in prod) it is retained on delete: removing the tenant or
 * moving it to Kubernetes leaves its logs for the retention period they were kept for.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logGroupName } from "../vocabulary/naming";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";

export function createLogGroup(
    name: string,
    args: {
        tenant: Pick<TenantSpec, "name">;
        settings: Pick<StackSettings, "environment" | "protectData">;
        retentionInDays: number;
        tags: Record<string, string>;
    },
    opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        {
            name: logGroupName(args.settings.environment, args.tenant.name),
            retentionInDays: args.retentionInDays,
            tags: args.tags,
        },
        {
            ...opts,
            retainOnDelete: args.settings.protectData || args.settings.environment === "prod",
        },
    );
}

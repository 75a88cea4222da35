/** The tenant's CloudWatch log group: every container of its tasks writes there (awslogs). */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logGroupName } from "../naming";
import type { TenantSpec } from "../registry";
import type { StackSettings } from "../settings";

export function createLogGroup(name: string, args: { spec: TenantSpec; settings: StackSettings; retentionInDays: number; tags: Record<string, string> }, parent: pulumi.Resource): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(`${name}-logs`, {
        name: logGroupName(args.settings.environment, args.spec.name),
        retentionInDays: args.retentionInDays,
        tags: args.tags,
    }, { parent });
}

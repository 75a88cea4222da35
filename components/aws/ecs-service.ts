/** The tenant's ECS service on the shared Fargate cluster, registered in its two target groups. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isRunning } from "../vocabulary/app-contract";
import { ecsServiceName, TargetGroupRole } from "../vocabulary/naming";
import { PLANS } from "../vocabulary/plans";
import type { TenantSpec } from "../tenant-files/registry";
import { TARGET_GROUPS } from "./load-balancing";
import { AwsSettings } from "../stack/aws";

/**
 * Seconds ECS ignores load balancer health checks of a new task: the backend starts only after
 * the migrations and the bootstrap have run.
 */
export const HEALTH_CHECK_GRACE_PERIOD_SECONDS = 300;

/** Tasks of an active tenant; a suspended or offboarding tenant runs none and keeps its data. */
export function desiredCount(tenant: Pick<TenantSpec, "plan" | "status">): number {
    return isRunning(tenant.status) ? PLANS[tenant.plan].ecs.desiredCount : 0;
}

export interface TenantEcsServiceArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan" | "status">;
    readonly aws: Pick<AwsSettings, "clusterArn" | "subnetIds" | "securityGroupIds">;
    readonly taskDefinitionArn: pulumi.Input<string>;
    readonly targetGroupArns: Readonly<Record<TargetGroupRole, pulumi.Input<string>>>;
    readonly tags: Record<string, string>;
}

/** `opts.dependsOn`: the listener rules of its target groups, its role's policy, its secrets' values. */
export function createEcsService(
    name: string,
    args: TenantEcsServiceArgs,
    opts: pulumi.CustomResourceOptions,
): aws.ecs.Service {
    const { tenant } = args;
    return new aws.ecs.Service(
        `${name}-service`,
        {
            name: ecsServiceName(tenant.name),
            cluster: args.aws.clusterArn,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            taskDefinition: args.taskDefinitionArn,
            desiredCount: desiredCount(tenant),
            networkConfiguration: {
                subnets: [...args.aws.subnetIds],
                securityGroups: [...args.aws.securityGroupIds],
                assignPublicIp: false,
            },
            loadBalancers: (Object.keys(TARGET_GROUPS) as TargetGroupRole[]).map((role) => ({
                targetGroupArn: args.targetGroupArns[role],
                containerName: TARGET_GROUPS[role].container,
                containerPort: TARGET_GROUPS[role].port,
            })),
            healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_PERIOD_SECONDS,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            enableExecuteCommand: false,
            // `pulumi up` fails, naming the tenant's service, when its rollout does not settle or the
            // circuit breaker rolls it back: as on Kubernetes, an update that gives a ring a version
            // succeeds only once the ring runs it (docs/releases.md).
            waitForSteadyState: true,
            tags: args.tags,
        },
        opts,
    );
}

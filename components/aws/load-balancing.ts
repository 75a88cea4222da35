/**
 * How the tenant's traffic arrives: two target groups (Django and Next.js, as the Kubernetes
 * Ingress routes) and two rules on its shard's listener, matching its host. The `api` rule sends
 * Django's paths (API_PATH_PATTERNS) to Django and is evaluated first; the `web` rule sends the rest to Next.js.
 * A tenant that is not running keeps both rules, answering a fixed 503 instead of forwarding.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKEND_PORT, CONTAINERS, FRONTEND_PORT, isRunning } from "../vocabulary/app-contract";
import { TargetGroupRole, targetGroupName } from "../vocabulary/naming";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { rulePriorities } from "../stack/aws-priority";
import { AwsSettings } from "../stack/aws";

/**
 * Django's paths, as the Ingress routes them: /api, /admin, /static and /media. With the host an
 * ALB rule takes five condition values at most, so only the paths under each (`/api/*`) are
 * matched: Django's URLs all end in '/', and a bare `/admin` goes to Next.js (docs/aws.md).
 */
export const API_PATH_PATTERNS = ["/api/*", "/admin/*", "/static/*", "/media/*"] as const;
/** Seconds a deregistered task keeps serving its open requests: short, the apps answer quickly. */
export const DEREGISTRATION_DELAY_SECONDS = 30;

export interface TargetGroupSpec {
    readonly role: TargetGroupRole;
    readonly port: number;
    /** Container the ECS service registers in this target group. */
    readonly container: string;
}

export const TARGET_GROUPS: Readonly<Record<TargetGroupRole, TargetGroupSpec>> = {
    web: { role: "web", port: FRONTEND_PORT, container: CONTAINERS.frontend },
    api: { role: "api", port: BACKEND_PORT, container: CONTAINERS.backend },
};

export function targetGroupArgs(
    role: TargetGroupRole,
    tenant: Pick<TenantSpec, "name">,
    settings: Pick<StackSettings, "environment">,
    awsSettings: Pick<AwsSettings, "vpcId" | "frontendHealthCheckPath" | "backendHealthCheckPath">,
    tags: Record<string, string>,
): aws.lb.TargetGroupArgs {
    const web = role === "web";
    return {
        name: targetGroupName(settings.environment, tenant.name, role),
        targetType: "ip",
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        port: TARGET_GROUPS[role].port,
        vpcId: awsSettings.vpcId,
        deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
        healthCheck: {
            enabled: true,
            protocol: "HTTP",
            port: "traffic-port",
            path: web ? awsSettings.frontendHealthCheckPath : awsSettings.backendHealthCheckPath,
            // Next.js may redirect its home page (to a login page); Django's health path answers 200.
            matcher: web ? "200-399" : "200-299",
            interval: 15,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        },
        tags,
    };
}

/**
 * A rule matches its one host exactly: ALB host conditions are case-insensitive and read `*` and
 * `?` as wildcards, which no tenant host may contain (the registry refuses them). With every
 * tenant's host distinct, no tenant rule can match another tenant's request, so the order of
 * tenants' priorities on a listener never decides whose rule serves a host.
 */
export function ruleConditions(
    role: TargetGroupRole,
    host: string,
): aws.types.input.lb.ListenerRuleCondition[] {
    if (/[*?]/.test(host)) {
        throw new Error(
            `a listener rule host must be one exact host, not a pattern (got ${JSON.stringify(host)})`,
        );
    }
    const hostHeader = { hostHeader: { values: [host] } };
    return role === "api"
        ? [hostHeader, { pathPattern: { values: [...API_PATH_PATTERNS] } }]
        : [hostHeader];
}

/** The body of the load balancer's 503 for a tenant that is not running (plain text, at most 1024 bytes). */
export function unavailableMessage(tenant: Pick<TenantSpec, "status">): string {
    return tenant.status === "offboarding"
        ? "This school's portal has been closed. Please contact your school for help."
        : "This school's portal is suspended. Please contact your school for help.";
}

export function ruleActions(
    tenant: Pick<TenantSpec, "status">,
    targetGroupArn: pulumi.Input<string>,
): aws.types.input.lb.ListenerRuleAction[] {
    if (isRunning(tenant.status)) {
        return [{ type: "forward", targetGroupArn }];
    }
    return [
        {
            type: "fixed-response",
            fixedResponse: {
                contentType: "text/plain",
                statusCode: "503",
                messageBody: unavailableMessage(tenant),
            },
        },
    ];
}

export interface TenantLoadBalancingArgs {
    readonly tenant: Pick<TenantSpec, "name" | "status">;
    readonly settings: Pick<StackSettings, "environment">;
    readonly aws: Pick<AwsSettings, "vpcId" | "frontendHealthCheckPath" | "backendHealthCheckPath">;
    readonly host: string;
    /** The tenant's shard listener. */
    readonly listenerArn: string;
    /** P: the api rule takes it, the web rule P + 1. */
    readonly priority: number;
    readonly tags: Record<string, string>;
}

export interface TenantLoadBalancing {
    readonly targetGroups: Readonly<Record<TargetGroupRole, aws.lb.TargetGroup>>;
    readonly rules: Readonly<Record<TargetGroupRole, aws.lb.ListenerRule>>;
}

export function createLoadBalancing(
    name: string,
    args: TenantLoadBalancingArgs,
    opts: pulumi.CustomResourceOptions,
): TenantLoadBalancing {
    const priorities = rulePriorities(args.priority);
    const create = (role: TargetGroupRole) => {
        const targetGroup = new aws.lb.TargetGroup(
            `${name}-${role}`,
            targetGroupArgs(role, args.tenant, args.settings, args.aws, args.tags),
            opts,
        );
        const rule = new aws.lb.ListenerRule(
            `${name}-${role}-rule`,
            {
                listenerArn: args.listenerArn,
                priority: priorities[role],
                conditions: ruleConditions(role, args.host),
                actions: ruleActions(args.tenant, targetGroup.arn),
                tags: args.tags,
            },
            opts,
        );
        return { targetGroup, rule };
    };
    const api = create("api");
    const web = create("web");
    return {
        targetGroups: { api: api.targetGroup, web: web.targetGroup },
        rules: { api: api.rule, web: web.rule },
    };
}

/**
 * The `aims:aws` block of a stack (schema/aws.schema.json): the shared AWS infrastructure tenants
 * run on. Checked here beyond the schema, offline: the region is an AWS region, and every ARN is
 * one of the right service, in the stack's partition, region and account.
 */
import type { SchemaProblem } from "../json-schema/problems";
import awsSchema from "../../schema/aws.schema.json";
import commonSchema from "../../schema/common.schema.json";
import { KNOWN_REGIONS, parseArn, partitionOf } from "./aws-arn";

export interface AwsListener {
    /** ARN of the shared HTTPS listener (one load balancer shard). */
    readonly arn: string;
    /** Listener rule priorities that other rules of the listener already use. */
    readonly reservedPriorities: readonly number[];
    /** Target groups of the load balancer that are not the tenants' (its default action's, for example). */
    readonly reservedTargetGroups: number;
}

export interface AwsSettings {
    readonly region: string;
    /** The provider refuses to act on any other account, so a wrong profile cannot touch prod. */
    readonly accountId: string;
    readonly clusterArn: string;
    readonly vpcId: string;
    /** Private subnets of the tenants' tasks. */
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
    /** Listener shards; a tenant goes to `aws.shard` of its file, or to shard 0. */
    readonly listeners: readonly AwsListener[];
    readonly efsFileSystemId: string;
    /** Shared role ECS uses to pull images, write logs and inject the tenants' secrets; not managed here. */
    readonly executionRoleArn: string;
    /** One of CloudWatch's allowed values (CLOUDWATCH_RETENTION_DAYS). */
    readonly logRetentionDays: number;
    /** Host the tasks use for PostgreSQL; defaults to the admin host of `aims:database`. */
    readonly databaseHost?: string;
    /** Port the tasks use for PostgreSQL; defaults to the admin port of `aims:database`. */
    readonly databasePort?: number;
    /** Path the load balancer checks on the frontend (Next.js, port 3000). */
    readonly frontendHealthCheckPath: string;
    /** Path the load balancer checks on the backend (Django, port 8000); it must answer whatever the Host header. */
    readonly backendHealthCheckPath: string;
}

/** The only retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] =
    awsSchema.properties.logRetentionDays.enum;
/** A listener rule priority is 1..50000 (Elastic Load Balancing). */
export const MAX_LISTENER_PRIORITY: number = commonSchema.definitions.listenerPriority.maximum;

interface ArnRule {
    readonly service: string;
    /** IAM ARNs have no region. */
    readonly regional: boolean;
    readonly resource: RegExp;
    /** What the value must be, for the message: "an ECS cluster ARN". */
    readonly what: string;
    /** Example resource part, completed with the stack's partition, region and account. */
    readonly example: string;
}

const CLUSTER_ARN: ArnRule = {
    service: "ecs",
    regional: true,
    resource: /^cluster\/[A-Za-z0-9_-]{1,255}$/,
    what: "an ECS cluster ARN",
    example: "cluster/aims-dev",
};
const LISTENER_ARN: ArnRule = {
    service: "elasticloadbalancing",
    regional: true,
    resource: /^listener\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
    what: "an Application Load Balancer listener ARN",
    example: "listener/app/aims-dev/50dc6c495c0c9188/f2f7dc8efc522ab2",
};
const ROLE_ARN: ArnRule = {
    service: "iam",
    regional: false,
    resource: /^role\/([\x21-\x7e]+\/)?[\w+=,.@-]{1,64}$/,
    what: "an IAM role ARN",
    example: "role/aims-dev-ecs-execution",
};

export function awsProblems(
    block: Record<string, unknown>,
    isValid: (key: string) => boolean,
): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    const text = (field: string) =>
        isValid(`aims:aws.${field}`) ? (block[field] as string | undefined) : undefined;
    const region = text("region");
    if (region !== undefined && !KNOWN_REGIONS.includes(region)) {
        problems.push({
            key: "aims:aws.region",
            message: `must be an AWS region such as eu-west-1 or af-south-1 (got ${JSON.stringify(region)})`,
        });
    }
    // ARNs are compared with the region and account only once those are valid themselves.
    const place: Place = {
        region: region !== undefined && KNOWN_REGIONS.includes(region) ? region : undefined,
        accountId: text("accountId"),
    };
    const arn = (key: string, value: unknown, rule: ArnRule) => {
        if (isValid(key) && typeof value === "string")
            problems.push(...arnProblems(value, rule, place).map((message) => ({ key, message })));
    };
    arn("aims:aws.clusterArn", block.clusterArn, CLUSTER_ARN);
    arn("aims:aws.executionRoleArn", block.executionRoleArn, ROLE_ARN);
    const listeners = Array.isArray(block.listeners) ? (block.listeners as unknown[]) : [];
    const shards = new Map<unknown, number>();
    listeners.forEach((listener, shard) => {
        const key = `aims:aws.listeners[${shard}].arn`;
        const value = (listener as { arn?: unknown } | null)?.arn;
        arn(key, value, LISTENER_ARN);
        const first = shards.get(value);
        if (isValid(key) && first !== undefined) {
            problems.push({
                key,
                message: `is the listener of shard ${first} already; each shard is a different listener`,
            });
        } else if (isValid(key)) shards.set(value, shard);
    });
    return problems;
}

/** The settings of a block without problems. */
export function awsSettings(block: Record<string, unknown>): AwsSettings {
    return block as unknown as AwsSettings;
}

interface Place {
    readonly region?: string;
    readonly accountId?: string;
}

/** What is wrong with an ARN. */
function arnProblems(value: string, rule: ArnRule, place: Place): string[] {
    const partition = partitionOf(place.region ?? "");
    const example = `arn:${partition}:${rule.service}:${rule.regional ? (place.region ?? "eu-west-1") : ""}:${place.accountId ?? "111111111111"}:${rule.example}`;
    const parsed = parseArn(value);
    const problems: string[] = [];
    if (
        !parsed ||
        parsed.service !== rule.service ||
        !rule.resource.test(parsed.resource) ||
        parsed.accountId === ""
    ) {
        return [`must be ${rule.what} such as ${example} (got ${JSON.stringify(value)})`];
    }
    if (place.region !== undefined && parsed.partition !== partition) {
        problems.push(
            `must be in the partition of region ${place.region}, "${partition}" (got "${parsed.partition}")`,
        );
    }
    if (rule.regional && place.region !== undefined && parsed.region !== place.region) {
        problems.push(
            `must be in the stack's region ${place.region} (aims:aws.region), not "${parsed.region}"`,
        );
    }
    if (!rule.regional && parsed.region !== "") {
        problems.push(`must not name a region: IAM is global (got "${parsed.region}")`);
    }
    if (place.accountId !== undefined && parsed.accountId !== place.accountId) {
        problems.push(
            `must be in the stack's account ${place.accountId} (aims:aws.accountId), not ${parsed.accountId}`,
        );
    }
    return problems;
}

/**
 * The `aims:aws` block of a stack: the shared AWS infrastructure tenants run on. Every value is
 * checked offline (formats, the stack's region and account), and every problem is reported at once.
 */
import { ConfigBlock } from "./config";
import { ACCOUNT_ID, KNOWN_REGIONS, parseArn, partitionOf, resourceIdPattern } from "./aws-arn";

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

export const AWS_KEYS = [
    "region",
    "accountId",
    "clusterArn",
    "vpcId",
    "subnetIds",
    "securityGroupIds",
    "listeners",
    "efsFileSystemId",
    "executionRoleArn",
    "logRetentionDays",
    "databaseHost",
    "databasePort",
    "frontendHealthCheckPath",
    "backendHealthCheckPath",
] as const;
const LISTENER_KEYS = ["arn", "reservedPriorities", "reservedTargetGroups"] as const;

/** The only retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

export const DEFAULT_LOG_RETENTION_DAYS = 30;
export const DEFAULT_FRONTEND_HEALTH_CHECK_PATH = "/";
/** The path the tenant chart probes on Kubernetes. */
export const DEFAULT_BACKEND_HEALTH_CHECK_PATH = "/api/health/";
/** A listener rule priority is 1..50000 (Elastic Load Balancing). */
export const MAX_LISTENER_PRIORITY = 50000;

const HOSTNAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** What an ALB health check path may contain (RFC 3986 path characters), at most 1024 of them. */
const HEALTH_CHECK_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]{0,1023}$/;

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

export function readAwsSettings(block: ConfigBlock): AwsSettings {
    block.rejectUnknown(AWS_KEYS);
    const region = block.string("region") ?? "";
    const regionKnown = KNOWN_REGIONS.includes(region);
    if (region !== "" && !regionKnown) {
        block.report(
            "region",
            `must be an AWS region such as eu-west-1 or af-south-1 (got ${JSON.stringify(region)})`,
        );
    }
    const accountId = block.string("accountId") ?? "";
    const accountValid = ACCOUNT_ID.test(accountId);
    if (accountId !== "" && !accountValid) {
        block.report(
            "accountId",
            `must be a 12-digit AWS account ID, quoted in YAML: "111111111111" (got ${JSON.stringify(accountId)})`,
        );
    }
    // ARNs are compared with the region and account only once those are valid themselves.
    const place = {
        region: regionKnown ? region : undefined,
        accountId: accountValid ? accountId : undefined,
    };
    const arn = (field: string, value: string | undefined, rule: ArnRule, key = field) =>
        value === undefined ? "" : checkArn(block, key, value, rule, place);

    const clusterArn = arn("clusterArn", block.string("clusterArn"), CLUSTER_ARN);
    const vpcId = checkId(block, "vpcId", block.string("vpcId"), "vpc");
    const subnetIds = checkIds(block, "subnetIds", block.stringList("subnetIds"), "subnet");
    const securityGroupIds = checkIds(
        block,
        "securityGroupIds",
        block.stringList("securityGroupIds"),
        "sg",
    );
    const listeners = readListeners(block, place);
    const efsFileSystemId = checkId(
        block,
        "efsFileSystemId",
        block.string("efsFileSystemId"),
        "fs",
    );
    const executionRoleArn = arn("executionRoleArn", block.string("executionRoleArn"), ROLE_ARN);

    const logRetentionDays =
        block.integer("logRetentionDays", { min: 1, max: 3653 }, DEFAULT_LOG_RETENTION_DAYS) ??
        DEFAULT_LOG_RETENTION_DAYS;
    if (!CLOUDWATCH_RETENTION_DAYS.includes(logRetentionDays)) {
        block.report(
            "logRetentionDays",
            `must be one of CloudWatch's retention periods: ${CLOUDWATCH_RETENTION_DAYS.join(", ")} (got ${logRetentionDays})`,
        );
    }
    const databaseHost = block.optionalString("databaseHost");
    if (databaseHost !== undefined && !HOSTNAME.test(databaseHost)) {
        block.report(
            "databaseHost",
            `must be a lowercase hostname such as aims-dev.cluster-c1a2b3.eu-west-1.rds.amazonaws.com (got ${JSON.stringify(databaseHost)})`,
        );
    }
    const databasePort = block.has("databasePort")
        ? block.integer("databasePort", { min: 1, max: 65535 })
        : undefined;

    return {
        region,
        accountId,
        clusterArn,
        vpcId,
        subnetIds,
        securityGroupIds,
        listeners,
        efsFileSystemId,
        executionRoleArn,
        logRetentionDays,
        ...(databaseHost !== undefined && { databaseHost }),
        ...(databasePort !== undefined && { databasePort }),
        frontendHealthCheckPath: healthCheckPath(
            block,
            "frontendHealthCheckPath",
            DEFAULT_FRONTEND_HEALTH_CHECK_PATH,
        ),
        backendHealthCheckPath: healthCheckPath(
            block,
            "backendHealthCheckPath",
            DEFAULT_BACKEND_HEALTH_CHECK_PATH,
        ),
    };
}

function readListeners(block: ConfigBlock, place: Place): AwsListener[] {
    const listeners: AwsListener[] = [];
    const seen = new Map<string, number>();
    (block.blockList("listeners") ?? []).forEach((listener, index) => {
        listener.rejectUnknown(LISTENER_KEYS);
        const value = listener.string("arn");
        const arn =
            value === undefined ? "" : checkArn(listener, "arn", value, LISTENER_ARN, place);
        const first = seen.get(arn);
        if (arn !== "" && first !== undefined) {
            listener.report(
                "arn",
                `is the listener of shard ${first} already; each shard is a different listener`,
            );
        }
        if (arn !== "" && first === undefined) seen.set(arn, index);
        listeners.push({
            arn,
            reservedPriorities: listener.integerList("reservedPriorities", {
                min: 1,
                max: MAX_LISTENER_PRIORITY,
            }),
            reservedTargetGroups:
                listener.integer("reservedTargetGroups", { min: 0, max: 100 }, 0) ?? 0,
        });
    });
    return listeners;
}

interface Place {
    readonly region?: string;
    readonly accountId?: string;
}

/** Reports what is wrong with an ARN; returns it unchanged so that every problem is reported once. */
function checkArn(
    block: ConfigBlock,
    field: string,
    value: string,
    rule: ArnRule,
    place: Place,
): string {
    const partition = partitionOf(place.region ?? "");
    const example = `arn:${partition}:${rule.service}:${rule.regional ? (place.region ?? "eu-west-1") : ""}:${place.accountId ?? "111111111111"}:${rule.example}`;
    const parsed = parseArn(value);
    if (
        !parsed ||
        parsed.service !== rule.service ||
        !rule.resource.test(parsed.resource) ||
        parsed.accountId === ""
    ) {
        block.report(
            field,
            `must be ${rule.what} such as ${example} (got ${JSON.stringify(value)})`,
        );
        return value;
    }
    if (place.region !== undefined && parsed.partition !== partition) {
        block.report(
            field,
            `must be in the partition of region ${place.region}, "${partition}" (got "${parsed.partition}")`,
        );
    }
    if (rule.regional && place.region !== undefined && parsed.region !== place.region) {
        block.report(
            field,
            `must be in the stack's region ${place.region} (aims:aws.region), not "${parsed.region}"`,
        );
    }
    if (!rule.regional && parsed.region !== "") {
        block.report(field, `must not name a region: IAM is global (got "${parsed.region}")`);
    }
    if (place.accountId !== undefined && parsed.accountId !== place.accountId) {
        block.report(
            field,
            `must be in the stack's account ${place.accountId} (aims:aws.accountId), not ${parsed.accountId}`,
        );
    }
    return value;
}

function checkId(
    block: ConfigBlock,
    field: string,
    value: string | undefined,
    prefix: string,
): string {
    if (value !== undefined && !resourceIdPattern(prefix).test(value)) {
        block.report(
            field,
            `must be an ID such as ${prefix}-0123456789abcdef0 (got ${JSON.stringify(value)})`,
        );
    }
    return value ?? "";
}

function checkIds(
    block: ConfigBlock,
    field: string,
    values: string[] | undefined,
    prefix: string,
): string[] {
    const pattern = resourceIdPattern(prefix);
    const bad = (values ?? []).filter((value) => !pattern.test(value));
    if (bad.length > 0) {
        block.report(
            field,
            `must be IDs such as ${prefix}-0123456789abcdef0 (got ${bad.map((value) => JSON.stringify(value)).join(", ")})`,
        );
    }
    const repeated = (values ?? []).filter((value, index, all) => all.indexOf(value) !== index);
    if (repeated.length > 0) {
        block.report(field, `lists ${[...new Set(repeated)].join(", ")} more than once`);
    }
    return values ?? [];
}

function healthCheckPath(block: ConfigBlock, field: string, fallback: string): string {
    const value = block.string(field, fallback);
    if (!HEALTH_CHECK_PATH.test(value)) {
        block.report(
            field,
            `must be an HTTP path starting with "/", at most 1024 characters, such as ${fallback} (got ${JSON.stringify(value)})`,
        );
        return fallback;
    }
    return value;
}

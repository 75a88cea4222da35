/** The `aims:aws` block of a stack: the shared AWS infrastructure tenants run on. */
import { ConfigBlock } from "../config";

export interface AwsListener {
    /** ARN of the shared HTTPS listener (one load balancer shard). */
    readonly arn: string;
    /** Listener rule priorities that other rules of the listener already use. */
    readonly reservedPriorities: readonly number[];
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
    readonly executionRoleArn: string;
    readonly logRetentionDays: number;
    /** Host the tasks use for PostgreSQL; defaults to the admin host of `aims:database`. */
    readonly databaseHost?: string;
}

export const AWS_KEYS = [
    "region", "accountId", "clusterArn", "vpcId", "subnetIds", "securityGroupIds", "listeners",
    "efsFileSystemId", "executionRoleArn", "logRetentionDays", "databaseHost",
] as const;

export function readAwsSettings(block: ConfigBlock): AwsSettings {
    block.rejectUnknown(AWS_KEYS);
    const listeners = (block.blockList("listeners") ?? []).map((listener) => {
        listener.rejectUnknown(["arn", "reservedPriorities"]);
        return {
            arn: listener.string("arn") ?? "",
            reservedPriorities: listener.integerList("reservedPriorities", { min: 1, max: 50000 }),
        };
    });
    return {
        region: block.string("region") ?? "",
        accountId: block.string("accountId") ?? "",
        clusterArn: block.string("clusterArn") ?? "",
        vpcId: block.string("vpcId") ?? "",
        subnetIds: block.stringList("subnetIds") ?? [],
        securityGroupIds: block.stringList("securityGroupIds") ?? [],
        listeners,
        efsFileSystemId: block.string("efsFileSystemId") ?? "",
        executionRoleArn: block.string("executionRoleArn") ?? "",
        logRetentionDays: block.integer("logRetentionDays", { min: 1, max: 3653 }, 30) ?? 30,
        databaseHost: block.optionalString("databaseHost"),
    };
}

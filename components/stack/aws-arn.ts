/** AWS identifiers: regions, partitions, ARNs and resource IDs, parsed and checked without calling AWS. */
import { Region } from "@pulumi/aws/types/enums";

export const KNOWN_REGIONS: readonly string[] = Object.values(Region);

/** Partitions by region prefix; every other region is in the `aws` partition. */
const PARTITION_PREFIXES: ReadonlyArray<readonly [string, string]> = [
    ["cn-", "aws-cn"],
    ["us-gov-", "aws-us-gov"],
    ["us-isob-", "aws-iso-b"],
    ["us-isof-", "aws-iso-f"],
    ["us-iso-", "aws-iso"],
    ["eu-isoe-", "aws-iso-e"],
    ["eusc-", "aws-eusc"],
];

export function partitionOf(region: string): string {
    return PARTITION_PREFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
}

export interface Arn {
    readonly partition: string;
    readonly service: string;
    readonly region: string;
    readonly accountId: string;
    readonly resource: string;
}

/** `arn:partition:service:region:account:resource`; undefined when the text is not an ARN. */
export function parseArn(text: string): Arn | undefined {
    const match = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/.exec(text);
    if (!match) return undefined;
    const [, partition, service, region, accountId, resource] = match;
    return { partition, service, region, accountId, resource };
}

/** The ARN IAM policies use for an EFS file system. */
export function fileSystemArn(
    place: { region: string; accountId: string },
    fileSystemId: string,
): string {
    return `arn:${partitionOf(place.region)}:elasticfilesystem:${place.region}:${place.accountId}:file-system/${fileSystemId}`;
}

/**
 * The load balancer of an ALB listener ARN, `app/<name>/<id>`: ALB quotas count per load balancer,
 * so two shards whose listeners are on the same load balancer share its capacity.
 */
export function loadBalancerOfListener(listenerArn: string): string {
    const resource = parseArn(listenerArn)?.resource ?? listenerArn;
    return resource
        .replace(/^listener\//, "")
        .split("/")
        .slice(0, 3)
        .join("/");
}

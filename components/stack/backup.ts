/**
 * The `aims:backup` block of a stack: the S3-compatible bucket an offboarding tenant's database
 * is dumped to, the image that does it, and (for Kubernetes tenants) the object-storage
 * credentials. Required only when a tenant of the stack is offboarding.
 */
import * as pulumi from "@pulumi/pulumi";
import { KNOWN_REGIONS } from "./aws-arn";
import { ConfigBlock, ConfigReader, parseUrl } from "./config";
import { databaseName } from "../naming";
import type { Environment, Platform } from "../vocabulary";

export interface BackupSettings {
    /** The bucket every offboarding dump of the stack goes to; it should have versioning on. */
    readonly bucket: string;
    /** First part of every object key: `<prefix>/<env>/<tenant>/tenant_<name>.dump`. */
    readonly prefix: string;
    /** Region of the bucket (AWS_DEFAULT_REGION of the upload). */
    readonly region: string;
    /** https URL of S3-compatible storage other than AWS S3; AWS S3 when unset. */
    readonly endpoint?: string;
    /** An image with pg_dump and the aws CLI, pinned by tag or digest. */
    readonly image: string;
    /** Kubernetes tenants upload with these; AWS tenants with their backup task's role instead. */
    readonly credentials?: ObjectStorageCredentials;
}

export interface ObjectStorageCredentials {
    readonly accessKeyId: string;
    /** A secret: `pulumi config set --secret --path aims:backup.secretAccessKey`. */
    readonly secretAccessKey: pulumi.Output<string>;
}

/** A tenant of the stack whose status is offboarding, and where it runs. */
export interface OffboardingTenant {
    readonly name: string;
    readonly platform: Platform;
}

export const BACKUP_KEYS = [
    "bucket",
    "prefix",
    "region",
    "endpoint",
    "image",
    "accessKeyId",
    "secretAccessKey",
] as const;
export const DEFAULT_BACKUP_PREFIX = "offboarding";

/**
 * S3 bucket naming rules: 3-63 lowercase letters, digits, '.' and '-', starting and ending with a
 * letter or digit; not an IP address, no '..', none of the prefixes and suffixes S3 reserves.
 */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;
const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
/**
 * Key prefix: '/'-separated segments of letters, digits, '.', '_' and '-'. No '*', '?' or '$': the
 * key is part of an IAM resource ARN, where those are wildcards and policy variables.
 */
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const PREFIX_LIMIT = 512;
/** A region name of S3-compatible storage (`us-east-1`, `garage`, ...). */
const STORAGE_REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** `[host[:port]/]path[:tag][@sha256:digest]`, as container runtimes accept an image reference. */
const IMAGE =
    /^([a-z0-9]+([._-]+[a-z0-9]+)*(:[0-9]+)?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:(?<digest>[a-f0-9]{64}))?$/;
/** An S3 access key ID, AWS's (`AKIA...`) or another store's. */
const ACCESS_KEY_ID = /^[A-Za-z0-9._+=@-]{3,128}$/;

/**
 * Reads `aims:backup`. The block is required when `offboarding` has a tenant, and the access key
 * pair when one of them runs on Kubernetes; every problem goes to the reader's list.
 */
export function readBackupSettings(
    reader: ConfigReader,
    offboarding: readonly OffboardingTenant[],
): BackupSettings | undefined {
    const block = reader.block("backup");
    if (!block) {
        if (offboarding.length > 0 && reader.raw("backup") === undefined) {
            reader.report(
                "aims:backup",
                `is required: tenants of this stack are offboarding (${offboarding.map((t) => t.name).join(", ")}) and their database is dumped to its bucket first`,
            );
        }
        return undefined;
    }
    block.rejectUnknown(BACKUP_KEYS);
    const bucket = readBucket(block);
    const prefix = readPrefix(block);
    const region = readRegion(block, block.has("endpoint"));
    const endpoint = readEndpoint(block);
    const image = readImage(block);
    const credentials = readCredentials(
        block,
        offboarding
            .filter((tenant) => tenant.platform === "kubernetes")
            .map((tenant) => tenant.name),
    );
    return {
        bucket,
        prefix,
        region,
        ...(endpoint !== undefined && { endpoint }),
        image,
        ...(credentials && { credentials }),
    };
}

/** `<prefix>/<env>/<tenant>/tenant_<name>.dump`: no timestamp, the bucket's versioning keeps every dump. */
export function backupObjectKey(
    backup: Pick<BackupSettings, "prefix">,
    environment: Environment,
    tenant: string,
): string {
    return `${backup.prefix}/${environment}/${tenant}/${databaseName(tenant)}.dump`;
}

function readBucket(block: ConfigBlock): string {
    const bucket = block.string("bucket") ?? "";
    const broken =
        bucket !== "" &&
        (!BUCKET.test(bucket) ||
            IP_ADDRESS.test(bucket) ||
            bucket.includes("..") ||
            RESERVED_BUCKET_PREFIXES.some((prefix) => bucket.startsWith(prefix)) ||
            RESERVED_BUCKET_SUFFIXES.some((suffix) => bucket.endsWith(suffix)));
    if (broken) {
        block.report(
            "bucket",
            `must be an S3 bucket name such as aims-dev-tenant-backups: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, not an IP address (got ${JSON.stringify(bucket)})`,
        );
    }
    return bucket;
}

function readPrefix(block: ConfigBlock): string {
    const prefix = block.string("prefix", DEFAULT_BACKUP_PREFIX);
    if (!PREFIX.test(prefix) || prefix.length > PREFIX_LIMIT) {
        block.report(
            "prefix",
            `must be an object key prefix such as ${DEFAULT_BACKUP_PREFIX} or backups/offboarding: '/'-separated parts of letters, digits, '.', '_' and '-', no leading or trailing '/', at most ${PREFIX_LIMIT} characters (got ${JSON.stringify(prefix)})`,
        );
        return DEFAULT_BACKUP_PREFIX;
    }
    return prefix;
}

/** AWS S3 needs an AWS region; other storage names its regions as it likes. */
function readRegion(block: ConfigBlock, otherStorage: boolean): string {
    const region = block.string("region") ?? "";
    if (region === "") return region;
    if (!otherStorage && !KNOWN_REGIONS.includes(region)) {
        block.report(
            "region",
            `must be the AWS region of the bucket, such as eu-west-1 (got ${JSON.stringify(region)}); set endpoint for storage other than AWS S3`,
        );
    }
    if (otherStorage && !STORAGE_REGION.test(region)) {
        block.report(
            "region",
            `must be the storage's region name, lowercase letters, digits and '-', such as us-east-1 (got ${JSON.stringify(region)})`,
        );
    }
    return region;
}

function readEndpoint(block: ConfigBlock): string | undefined {
    const value = block.optionalString("endpoint");
    if (value === undefined) return undefined;
    const url = parseUrl(value);
    if (
        !url ||
        url.protocol !== "https:" ||
        url.username ||
        url.password ||
        url.pathname !== "/" ||
        url.search ||
        url.hash
    ) {
        block.report(
            "endpoint",
            `must be an https URL without credentials, path or query, such as https://objects.example.org (got ${JSON.stringify(value)})`,
        );
        return undefined;
    }
    return value;
}

function readImage(block: ConfigBlock): string {
    const image = block.string("image") ?? "";
    const groups = IMAGE.exec(image)?.groups;
    const pinned =
        groups !== undefined &&
        (groups.digest !== undefined || (groups.tag !== undefined && groups.tag !== "latest"));
    if (image !== "" && !pinned) {
        block.report(
            "image",
            `must be an image with pg_dump and the aws CLI, pinned by a tag other than latest or by digest, such as registry.example.org/aims/pg-backup:16 (got ${JSON.stringify(image)})`,
        );
    }
    return image;
}

/** Required when an offboarding tenant runs on Kubernetes (`requiredBy`); read when set anyway. */
function readCredentials(
    block: ConfigBlock,
    requiredBy: readonly string[],
): ObjectStorageCredentials | undefined {
    const required = requiredBy.length > 0;
    const why = `is required: offboarding tenants on Kubernetes (${requiredBy.join(", ")}) upload with it`;
    if (required && !block.has("accessKeyId")) block.report("accessKeyId", why);
    if (required && !block.has("secretAccessKey")) {
        block.report(
            "secretAccessKey",
            `${why}; set it once with: pulumi config set --secret --path aims:backup.secretAccessKey`,
        );
    }
    const accessKeyId = block.optionalString("accessKeyId");
    if (accessKeyId !== undefined && !ACCESS_KEY_ID.test(accessKeyId)) {
        block.report(
            "accessKeyId",
            `must be an access key ID: 3 to 128 letters, digits and ._+=@- (got ${JSON.stringify(accessKeyId)})`,
        );
    }
    const secretAccessKey = block.optionalSecret("secretAccessKey");
    if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
    return { accessKeyId, secretAccessKey: pulumi.secret(secretAccessKey) };
}

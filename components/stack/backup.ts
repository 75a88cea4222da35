/**
 * The `aims:backup` block of a stack (schema/backup.schema.json): the S3-compatible bucket an
 * offboarding tenant's database is dumped to (and a restoring tenant's dump is read from), the
 * image that does it, and (for Kubernetes tenants) the object-storage credentials. Checked here
 * beyond the schema: the block is required only when a tenant of the stack is offboarding or
 * restoring, the access key pair only when one of them runs on Kubernetes, and the region is an AWS region unless the storage is another.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SchemaProblem } from "../json-schema/problems";
import type { Platform } from "../vocabulary/words";
import commonSchema from "../../schema/common.schema.json";
import { KNOWN_REGIONS } from "./aws-arn";
import { setSecretCommand } from "./secrets";

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

/** A region name of S3-compatible storage other than AWS S3. */
const STORAGE_REGION = new RegExp(commonSchema.definitions.regionName.pattern);

export interface BackupContext {
    /** Whether the schema found no problem at a key. */
    readonly isValid: (key: string) => boolean;
    readonly stack: string;
}

/**
 * The rules of `aims:backup` that depend on the stack's offboarding and restoring tenants and on
 * each other.
 */
export function backupProblems(
    value: unknown,
    offboarding: readonly OffboardingTenant[],
    { isValid, stack }: BackupContext,
    restoring: readonly OffboardingTenant[] = [],
): SchemaProblem[] {
    const names = (tenants: readonly OffboardingTenant[]) => tenants.map((t) => t.name).join(", ");
    if (value === undefined) {
        return [
            ...(offboarding.length > 0
                ? [
                      {
                          key: "aims:backup",
                          message: `is required: tenants of this stack are offboarding (${names(offboarding)}) and their database is dumped to its bucket first`,
                      },
                  ]
                : []),
            ...(restoring.length > 0
                ? [
                      {
                          key: "aims:backup",
                          message: `is required: tenants of this stack restore their database from a dump in its bucket (${names(restoring)}: restore in their tenant files)`,
                      },
                  ]
                : []),
        ];
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
    const block = value as Record<string, unknown>;
    const problems: SchemaProblem[] = [];
    const onKubernetes = (tenants: readonly OffboardingTenant[]) =>
        tenants.filter((tenant) => tenant.platform === "kubernetes");
    const uploading = onKubernetes(offboarding);
    const downloading = onKubernetes(restoring);
    const requiredBy = [...uploading, ...downloading];
    const why = `is required: ${[
        ...(uploading.length > 0
            ? [`offboarding tenants on Kubernetes (${names(uploading)}) upload with it`]
            : []),
        ...(downloading.length > 0
            ? [`restoring tenants on Kubernetes (${names(downloading)}) download with it`]
            : []),
    ].join("; ")}`;
    if (requiredBy.length > 0 && block.accessKeyId === undefined)
        problems.push({ key: "aims:backup.accessKeyId", message: why });
    if (requiredBy.length > 0 && block.secretAccessKey === undefined) {
        const key = "aims:backup.secretAccessKey";
        problems.push({
            key,
            message: `${why}; set it once with: ${setSecretCommand(key, stack)}`,
        });
    }
    const region = block.region;
    if (isValid("aims:backup.region") && typeof region === "string") {
        const problem = regionProblem(region, block.endpoint !== undefined);
        if (problem) problems.push({ key: "aims:backup.region", message: problem });
    }
    return problems;
}

/** AWS S3 needs an AWS region; other storage names its regions as it likes. */
function regionProblem(region: string, otherStorage: boolean): string | undefined {
    if (!otherStorage && !KNOWN_REGIONS.includes(region)) {
        return `must be the AWS region of the bucket, such as eu-west-1 (got ${JSON.stringify(region)}); set endpoint for storage other than AWS S3`;
    }
    if (otherStorage && !STORAGE_REGION.test(region)) {
        return `must be the storage's region name, lowercase letters, digits and '-', such as us-east-1 (got ${JSON.stringify(region)})`;
    }
    return undefined;
}

/** The settings of a block without problems. */
export function backupSettings(block: Record<string, unknown>): BackupSettings {
    const { accessKeyId, secretAccessKey, ...values } = block as Omit<
        BackupSettings,
        "credentials"
    > & { accessKeyId?: string; secretAccessKey?: string };
    return {
        ...values,
        ...(accessKeyId !== undefined &&
            secretAccessKey !== undefined && {
                credentials: { accessKeyId, secretAccessKey: pulumi.secret(secretAccessKey) },
            }),
    };
}

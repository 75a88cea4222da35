/**
 * The tenant's Secrets Manager secrets: its database credentials with Django's SECRET_KEY (JSON,
 * the keys the task definition reads one by one), and the core's secrets when the stack has a
 * core. Values stay Pulumi secrets end to end.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { coreSecretValues } from "../core-contract";
import type { CoreSettings } from "../stack/core";
import { coreSecretsSecretName, dbCredentialsSecretName } from "../vocabulary/naming";
import { DataProtection } from "../safety/protection";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { AwsSettings } from "../stack/aws";

/**
 * Keys of the database credentials secret; the task definition injects `username`, `password`
 * and `secret_key`. Django's SECRET_KEY is there too, so that a task reads one secret.
 */
export interface DatabaseCredentials {
    readonly username: string;
    readonly password: string;
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly secret_key: string;
}

/**
 * Without protected data a deleted secret goes at once, so that a tenant can be re-created with
 * the same name; otherwise Secrets Manager keeps it 30 days, restorable, and blocks its name.
 */
export function recoveryWindowInDays(settings: Pick<StackSettings, "protectData">): number {
    return settings.protectData ? 30 : 0;
}

/** Where the tasks reach PostgreSQL: `aims:aws.databaseHost/Port`, or the admin connection of `aims:database`. */
export function databaseEndpoint(
    settings: Pick<StackSettings, "database">,
    aws: Pick<AwsSettings, "databaseHost" | "databasePort">,
): { host: string; port: number } {
    return {
        host: aws.databaseHost ?? settings.database.host,
        port: aws.databasePort ?? settings.database.port,
    };
}

export interface TenantSecretsArgs {
    readonly tenant: Pick<TenantSpec, "name">;
    readonly settings: Pick<StackSettings, "environment" | "protectData" | "database" | "core">;
    readonly aws: Pick<AwsSettings, "databaseHost" | "databasePort">;
    /** Django SECRET_KEY, secret. */
    readonly secretKey: pulumi.Input<string>;
    readonly database: {
        readonly databaseName: pulumi.Input<string>;
        readonly roleName: pulumi.Input<string>;
        readonly password: pulumi.Input<string>;
    };
    readonly protection: DataProtection;
    readonly tags: Record<string, string>;
}

export interface TenantSecrets {
    /** The database credentials and SECRET_KEY (JSON). */
    readonly databaseCredentials: aws.secretsmanager.Secret;
    /** Only when the stack has a core: its database password, the bootstrap secret, the media keys (JSON). */
    readonly core?: aws.secretsmanager.Secret;
    /** The values: a task that starts before them cannot read its secrets. */
    readonly versions: readonly aws.secretsmanager.SecretVersion[];
}

export function createSecrets(
    name: string,
    args: TenantSecretsArgs,
    opts: pulumi.CustomResourceOptions,
): TenantSecrets {
    const { tenant, settings, protection, tags } = args;
    const env = settings.environment;
    const data = { ...opts, ...protection };
    const versions: aws.secretsmanager.SecretVersion[] = [];
    const secret = (
        role: string,
        secretName: string,
        description: string,
        value: pulumi.Output<string>,
    ) => {
        const created = new aws.secretsmanager.Secret(
            `${name}-${role}`,
            {
                name: secretName,
                description,
                recoveryWindowInDays: recoveryWindowInDays(settings),
                tags,
            },
            data,
        );
        versions.push(
            new aws.secretsmanager.SecretVersion(
                `${name}-${role}-value`,
                {
                    secretId: created.id,
                    secretString: pulumi.secret(value),
                },
                data,
            ),
        );
        return created;
    };

    const endpoint = databaseEndpoint(settings, args.aws);
    const fields: Record<keyof DatabaseCredentials, pulumi.Input<string | number>> = {
        username: args.database.roleName,
        password: pulumi.secret(args.database.password),
        host: endpoint.host,
        port: endpoint.port,
        database: args.database.databaseName,
        secret_key: pulumi.secret(args.secretKey),
    };
    const credentials = pulumi.jsonStringify(fields);
    const databaseCredentials = secret(
        "db-credentials",
        dbCredentialsSecretName(env, tenant.name),
        `PostgreSQL credentials and Django SECRET_KEY of tenant ${tenant.name}`,
        credentials,
    );
    const core =
        settings.core &&
        secret(
            "core",
            coreSecretsSecretName(env, tenant.name),
            `aims-core secrets of tenant ${tenant.name}`,
            pulumi.jsonStringify(
                coreSecretValues(settings.core, usesStorageKeysOnAws(settings.core)),
            ),
        );
    return { databaseCredentials, ...(core && { core }), versions };
}

/** AWS tenants get the object-storage keys only for storage other than AWS S3: with AWS S3 the task role grants their own prefix. */
export function usesStorageKeysOnAws(core: Pick<CoreSettings, "objectStorage">): boolean {
    return (
        core.objectStorage?.endpoint !== undefined && core.objectStorage.credentials !== undefined
    );
}

/**
 * StackSettings: the stack's `aims:` config, typed and validated. Every problem is reported at
 * once; a platform block is required only when a tenant of this stack runs on that platform.
 */
import * as pulumi from "@pulumi/pulumi";
import { isAdopted } from "../adoption";
import { awsPlacementProblems } from "./aws-placement";
import { readAwsSettings, AwsSettings } from "./aws";
import { BackupSettings, readBackupSettings } from "./backup";
import { ConfigReader, ConfigSource } from "./config";
import { CoreSettings, readCoreSettings } from "./core";
import { throwIfProblems } from "../errors";
import { reservedNamespaceProblems, stackNamespaces } from "./reserved-namespaces";
import { readKubernetesSettings, KubernetesSettings } from "./kubernetes";
import type { TenantSpec } from "../registry";
import { ENVIRONMENTS, Environment, isOneOf, Platform, PLATFORMS } from "../vocabulary";

export const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface DatabaseSettings {
    /** Admin connection of the postgresql provider. */
    readonly host: string;
    readonly port: number;
    readonly username: string;
    readonly sslmode: SslMode;
    /** Admin password, a secret: `pulumi config set --secret --path aims:database.password`. */
    readonly password: pulumi.Output<string>;
    /** Host and port the applications connect to (PgBouncer in front of the server). */
    readonly appHost: string;
    readonly appPort: number;
}

export interface ImageSettings {
    readonly frontend: string;
    readonly backend: string;
    /** Default app version; a tenant's `image.tag` overrides it. */
    readonly tag: string;
}

export interface StackSettings {
    readonly stack: string;
    /** The stack file, for messages. */
    readonly file: string;
    readonly environment: Environment;
    /** Default platform of the stack's tenants. */
    readonly platform: Platform;
    readonly baseDomain: string;
    /** Protect and retain data resources. Defaults to true: turning it off must be explicit. */
    readonly protectData: boolean;
    readonly images: ImageSettings;
    readonly database: DatabaseSettings;
    readonly kubernetes?: KubernetesSettings;
    readonly aws?: AwsSettings;
    /** `aims:backup`: where offboarding tenants' databases are dumped; always set when a tenant of the stack is offboarding. */
    readonly backup?: BackupSettings;
    /** `aims:core`: the core site the stack's tenants belong to; unset, tenants know no core. */
    readonly core?: CoreSettings;
    /** Tenants whose disappearance from the stack a reviewer has confirmed. */
    readonly allowTenantRemoval: readonly string[];
    /** Confirmed removals that may go ahead although the tenant was never offboarding (no backup). */
    readonly forceTenantRemoval: readonly string[];
    /** Tenants whose move to another platform (deleting the old platform's part) a reviewer has confirmed. */
    readonly allowPlatformMove: readonly string[];
    /** One-update escape hatch: go ahead although the stack's previous tenants output is lost. */
    readonly acceptMissingTenantHistory: boolean;
    /** Most tenants one update may remove, even when confirmed. */
    readonly maxTenantRemovals: number;
}

const HOSTNAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Stack file name of a stack, as Pulumi names it. */
export const stackFile = (stack: string): string => `Pulumi.${stack}.yaml`;

/**
 * Reads the settings of `stack`. `tenants` is the whole validated tenants list: the settings
 * need it to know which platform blocks this stack's tenants require.
 */
export function readStackSettings(
    source: ConfigSource,
    stack: string,
    tenants: readonly TenantSpec[],
): StackSettings {
    const reader = new ConfigReader(source, stackFile(stack));
    const top = reader.top();

    const environment = top.string("environment", stack);
    if (!isOneOf(ENVIRONMENTS, environment)) {
        top.report(
            "environment",
            `must be one of ${ENVIRONMENTS.join(", ")} (got ${JSON.stringify(environment)}); set it when the stack name is not an environment`,
        );
    }
    const platform = top.oneOf("platform", PLATFORMS, "kubernetes") ?? "kubernetes";
    const baseDomain = top.string("baseDomain") ?? "";
    if (baseDomain && !HOSTNAME.test(baseDomain)) {
        top.report(
            "baseDomain",
            `must be a lowercase domain such as dev.aims.example.org (got ${JSON.stringify(baseDomain)})`,
        );
    }
    const protectData = top.boolean("protectData", true);
    if (environment === "prod" && !protectData) {
        top.report(
            "protectData",
            "must be true in prod: prod's databases, roles, secrets and namespaces are protected and retained on delete; remove the key or set it to true",
        );
    }
    const allowTenantRemoval = top.optionalStringList("allowTenantRemoval");
    const forceTenantRemoval = top.optionalStringList("forceTenantRemoval");
    const allowPlatformMove = top.optionalStringList("allowPlatformMove");
    const acceptMissingTenantHistory = top.boolean("acceptMissingTenantHistory", false);
    const maxTenantRemovals = top.integer("maxTenantRemovals", { min: 0, max: 1000 }, 1) ?? 1;

    const imagesBlock = reader.block("images");
    if (!imagesBlock) top.report("images", "is required");
    imagesBlock?.rejectUnknown(["frontend", "backend", "tag"]);
    const images: ImageSettings = {
        frontend: imagesBlock?.string("frontend") ?? "",
        backend: imagesBlock?.string("backend") ?? "",
        tag: imagesBlock?.string("tag") ?? "",
    };

    const databaseBlock = reader.block("database");
    if (!databaseBlock) top.report("database", "is required");
    databaseBlock?.rejectUnknown([
        "host",
        "port",
        "username",
        "sslmode",
        "password",
        "appHost",
        "appPort",
    ]);
    const password = databaseBlock?.optionalSecret("password");
    if (databaseBlock && password === undefined) {
        databaseBlock.report(
            "password",
            `is required; set it once with: pulumi config set --secret --path aims:database.password --stack ${stack}`,
        );
    }
    const database: DatabaseSettings = {
        host: databaseBlock?.string("host") ?? "",
        port: databaseBlock?.integer("port", { min: 1, max: 65535 }, 5432) ?? 5432,
        username: databaseBlock?.string("username") ?? "",
        sslmode: databaseBlock?.oneOf("sslmode", SSL_MODES, "require") ?? "require",
        password: pulumi.secret(password ?? ""),
        appHost: databaseBlock?.string("appHost") ?? "",
        appPort: databaseBlock?.integer("appPort", { min: 1, max: 65535 }, 5432) ?? 5432,
    };

    const stackTenants = isOneOf(ENVIRONMENTS, environment)
        ? tenantsOfStack(tenants, { environment })
        : [];
    const platformBlock = (key: Platform) => {
        const block = reader.block(key);
        const users = stackTenants
            .filter((tenant) => platformOf(tenant, { platform }) === key)
            .map((tenant) => tenant.name);
        if (!block && users.length > 0) {
            top.report(
                key,
                `is required: tenants of this stack run on ${key} (${users.join(", ")})`,
            );
        }
        return block;
    };
    const kubernetesBlock = platformBlock("kubernetes");
    const awsBlock = platformBlock("aws");
    const kubernetes = kubernetesBlock && readKubernetesSettings(kubernetesBlock);
    if (kubernetes && !kubernetes.waitForReady && environment === "prod") {
        kubernetesBlock.report(
            "waitForReady",
            "must not be false in prod: a rollout or backup that never becomes ready must fail `pulumi up`",
        );
    }
    const aws = awsBlock && readAwsSettings(awsBlock);
    if (aws) {
        const awsTenants = stackTenants.filter(
            (tenant) => platformOf(tenant, { platform }) === "aws",
        );
        reader.problems.push(...awsPlacementProblems(awsTenants, aws, reader.file));
    }
    const offboarding = stackTenants
        .filter((tenant) => tenant.status === "offboarding")
        .map((tenant) => ({ name: tenant.name, platform: platformOf(tenant, { platform }) }));
    const backup = readBackupSettings(reader, offboarding);
    const platforms = new Set(stackTenants.map((tenant) => platformOf(tenant, { platform })));
    const core = readCoreSettings(
        reader,
        (endpointSet) => platforms.has("kubernetes") || (endpointSet && platforms.has("aws")),
    );
    if (core) {
        for (const tenant of stackTenants.filter((t) => t.schoolId === undefined)) {
            reader.problems.push(
                `${tenant.file}: schoolId: is required: ${reader.file} configures aims:core, and the tenant's backend tells the core which school it is (TENANT_SCHOOL_ID)`,
            );
        }
    }
    for (const tenant of stackTenants.filter(
        (t) => isAdopted(t, environment as Environment) && platformOf(t, { platform }) === "aws",
    )) {
        reader.problems.push(
            `${tenant.file}: adopt: only a Kubernetes tenant can be adopted from the Argo CD setup, and ${reader.file} runs this tenant on aws (aims:platform); set platform: kubernetes in the tenant file or remove adopt`,
        );
    }
    // Every tenant of the stack, whatever its platform now: a move to Kubernetes must not meet a taken namespace.
    const namespaces = stackNamespaces({
        ingressNamespace: kubernetes?.ingressNamespace,
        reservedNamespaces: kubernetes?.reservedNamespaces,
        hosts: [
            { key: "aims:database.host", host: database.host },
            { key: "aims:database.appHost", host: database.appHost },
            { key: "aims:core.database.host", host: core?.database.host },
        ],
        urls: [
            { key: "aims:core.url", url: core?.url },
            { key: "aims:core.objectStorage.endpoint", url: core?.objectStorage?.endpoint },
            { key: "aims:backup.endpoint", url: backup?.endpoint },
        ],
    });
    reader.problems.push(...reservedNamespaceProblems(stackTenants, namespaces, reader.file));

    throwIfProblems(reader.problems);
    return {
        stack,
        file: reader.file,
        environment: environment as Environment,
        platform,
        baseDomain,
        protectData,
        images,
        database,
        ...(kubernetes && { kubernetes }),
        ...(aws && { aws }),
        ...(backup && { backup }),
        ...(core && { core }),
        allowTenantRemoval,
        forceTenantRemoval,
        allowPlatformMove,
        acceptMissingTenantHistory,
        maxTenantRemovals,
    };
}

/** Tenants enabled in the stack's environment: the ones the stack deploys. */
export function tenantsOfStack(
    tenants: readonly TenantSpec[],
    settings: Pick<StackSettings, "environment">,
): TenantSpec[] {
    return tenants.filter((tenant) => tenant.environments.includes(settings.environment));
}

/** The platform a tenant runs on in this stack. */
export function platformOf(
    tenant: Pick<TenantSpec, "platform">,
    settings: Pick<StackSettings, "platform">,
): Platform {
    return tenant.platform ?? settings.platform;
}

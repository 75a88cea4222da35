/**
 * StackSettings: the stack's `aims:` config, typed and validated. The schemas in schema/ say
 * what each key holds; the block modules check what a schema cannot (ARNs against the stack's
 * region and account, a chart folder that exists, ...), and tenant-rules.ts what depends on
 * the stack's tenants. Every problem is reported at once; the settings are built only from a
 * config without any.
 */
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../support/errors";
import type { SchemaProblem } from "../json-schema/problems";
import type { TenantSpec } from "../tenant-files/registry";
import { Environment, Platform } from "../vocabulary/words";
import { awsProblems, awsSettings, AwsSettings } from "./aws";
import { backupProblems, backupSettings, BackupSettings } from "./backup";
import { restoreStackProblems, restoringTenants } from "./restore";
import { ringProblems, ringSettings, RingSettings } from "./rings";
import type { ConfigSource } from "./config-source";
import { coreProblems, coreSettings, CoreSettings } from "./core";
import { kubernetesProblems, kubernetesSettings, KubernetesSettings } from "./kubernetes";
import { checkStackValues } from "./schema-check";
import { mappingAt, readStackValues } from "./stack-values";
import { deploys } from "./shard-stacks";
import {
    platformBlockProblems,
    stackSizeProblems,
    StackTenants,
    tenantFileProblems,
} from "./tenant-rules";

export type SslMode = "disable" | "require" | "verify-ca" | "verify-full";

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
    /** App version of a stack without rings; a tenant's `image.tag` overrides it. */
    readonly tag?: string;
}

export interface StackSettings {
    readonly stack: string;
    /** The stack file, for messages. */
    readonly file: string;
    readonly environment: Environment;
    /** `aims:stackShard`: the shard of the environment this stack deploys (docs/design.md, "Shard stacks"). */
    readonly stackShard: number;
    /** Most tenants the stack may deploy; validation fails beyond it. */
    readonly maxTenantsPerStack: number;
    /** Default platform of the stack's tenants. */
    readonly platform: Platform;
    readonly baseDomain: string;
    /** Protect and retain data resources. Defaults to true: turning it off must be explicit. */
    readonly protectData: boolean;
    readonly images: ImageSettings;
    /** `aims:rings`: the rings of fleet upgrades and their versions; unset, every tenant runs `images.tag`. */
    readonly rings?: RingSettings;
    readonly database: DatabaseSettings;
    readonly kubernetes?: KubernetesSettings;
    readonly aws?: AwsSettings;
    /** `aims:backup`: where offboarding tenants' databases are dumped; always set when a tenant of the stack is offboarding or restoring. */
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

/** Stack file name of a stack, as Pulumi names it. */
export const stackFile = (stack: string): string => `Pulumi.${stack}.yaml`;

/**
 * Reads the settings of `stack`. `tenants` is the whole validated tenants list: the settings
 * need it to know which blocks this stack's tenants require.
 */
export function readStackSettings(
    source: ConfigSource,
    stack: string,
    tenants: readonly TenantSpec[],
): StackSettings {
    const file = stackFile(stack);
    const values = readStackValues(source);
    values["aims:environment"] ??= stack;
    const { problems: schemaProblems, isValid } = checkStackValues(values, source, stack);
    const problems: SchemaProblem[] = [...schemaProblems];

    const environment = isValid("aims:environment")
        ? (values["aims:environment"] as Environment)
        : undefined;
    const platform = isValid("aims:platform")
        ? (values["aims:platform"] as Platform)
        : "kubernetes";
    const stackShard = values["aims:stackShard"] as number;
    const stackTenants: StackTenants = {
        tenants: environment ? tenantsOfStack(tenants, { environment, stackShard }) : [],
        environment,
        platformOf: (tenant) => platformOf(tenant, { platform }),
        file,
    };
    if (environment === "prod" && values["aims:protectData"] === false) {
        problems.push({
            key: "aims:protectData",
            message:
                "must be true in prod: prod's databases, roles, secrets and namespaces are protected and retained on delete; remove the key or set it to true",
        });
    }
    if (isValid("aims:maxTenantsPerStack"))
        problems.push(...stackSizeProblems(values, stackTenants));
    problems.push(...platformBlockProblems(values, stackTenants));
    const kubernetes = mappingAt(values, "aims:kubernetes");
    if (kubernetes) problems.push(...kubernetesProblems(kubernetes, { environment, isValid }));
    const aws = mappingAt(values, "aims:aws");
    if (aws) problems.push(...awsProblems(aws, isValid));
    const offboarding = stackTenants.tenants
        .filter((tenant) => tenant.status === "offboarding")
        .map((tenant) => ({ name: tenant.name, platform: stackTenants.platformOf(tenant) }));
    const backup = mappingAt(values, "aims:backup");
    problems.push(
        ...backupProblems(
            values["aims:backup"],
            offboarding,
            { isValid, stack },
            restoringTenants(stackTenants),
        ),
    );
    const platforms = new Set(stackTenants.tenants.map(stackTenants.platformOf));
    const core = mappingAt(values, "aims:core");
    const needsStorageKeys = (endpointSet: boolean) =>
        platforms.has("kubernetes") || (endpointSet && platforms.has("aws"));
    if (core) problems.push(...coreProblems(core, needsStorageKeys, stack));

    throwIfProblems([
        ...problems.map(({ key, message }) => `${file}: ${key}: ${message}`),
        ...tenantFileProblems(values, isValid, stackTenants),
        ...restoreStackProblems(values, isValid, stackTenants),
        ...ringProblems(values, isValid, stackTenants),
    ]);
    const rings = ringSettings(values);
    const databaseValues = values["aims:database"] as Omit<DatabaseSettings, "password"> & {
        password: string;
    };
    return {
        stack,
        file,
        environment: environment!,
        stackShard,
        maxTenantsPerStack: values["aims:maxTenantsPerStack"] as number,
        platform,
        baseDomain: values["aims:baseDomain"] as string,
        protectData: values["aims:protectData"] as boolean,
        images: values["aims:images"] as ImageSettings,
        ...(rings && { rings }),
        database: { ...databaseValues, password: pulumi.secret(databaseValues.password) },
        ...(kubernetes && { kubernetes: kubernetesSettings(kubernetes) }),
        ...(aws && { aws: awsSettings(aws) }),
        ...(backup && { backup: backupSettings(backup) }),
        ...(core && { core: coreSettings(core) }),
        allowTenantRemoval: values["aims:allowTenantRemoval"] as string[],
        forceTenantRemoval: values["aims:forceTenantRemoval"] as string[],
        allowPlatformMove: values["aims:allowPlatformMove"] as string[],
        acceptMissingTenantHistory: values["aims:acceptMissingTenantHistory"] as boolean,
        maxTenantRemovals: values["aims:maxTenantRemovals"] as number,
    };
}

/** Tenants enabled in the stack's environment, in its shard: the ones the stack deploys. */
export function tenantsOfStack(
    tenants: readonly TenantSpec[],
    settings: Pick<StackSettings, "environment" | "stackShard">,
): TenantSpec[] {
    return tenants.filter((tenant) => deploys(settings, tenant));
}

/** The platform a tenant runs on in this stack. */
export function platformOf(
    tenant: Pick<TenantSpec, "platform">,
    settings: Pick<StackSettings, "platform">,
): Platform {
    return tenant.platform ?? settings.platform;
}

/**
 * StackSettings: the stack's `aims:` config, typed and validated. The schemas in schema/ say
 * what each key holds; the block modules check what a schema cannot (ARNs against the stack's
 * region and account, a chart folder that exists, ...); this module adds the rules that depend
 * on the stack's tenants: a platform block is required only when a tenant of the stack runs on
 * that platform, the backup block when one is offboarding. Every problem is reported at once.
 */
import * as pulumi from "@pulumi/pulumi";
import { isAdopted } from "../adoption";
import { throwIfProblems } from "../errors";
import type { SchemaProblem } from "../json-schema/problems";
import type { TenantSpec } from "../registry";
import { Environment, Platform, PLATFORMS } from "../vocabulary";
import { awsProblems, awsSettings, AwsSettings } from "./aws";
import { awsPlacementProblems } from "./aws-placement";
import { backupProblems, backupSettings, BackupSettings } from "./backup";
import type { ConfigSource } from "./config-source";
import { coreProblems, coreSettings, CoreSettings } from "./core";
import { kubernetesProblems, kubernetesSettings, KubernetesSettings } from "./kubernetes";
import { reservedNamespaceProblems, stackNamespaces } from "./reserved-namespaces";
import { checkStackValues } from "./schema-check";
import { mappingAt, readStackValues } from "./stack-values";

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
    const tenantProblems: string[] = [];

    const environment = isValid("aims:environment")
        ? (values["aims:environment"] as Environment)
        : undefined;
    const platform = isValid("aims:platform")
        ? (values["aims:platform"] as Platform)
        : "kubernetes";
    const stackTenants = environment ? tenantsOfStack(tenants, { environment }) : [];
    const platformOfTenant = (tenant: TenantSpec) => platformOf(tenant, { platform });
    if (environment === "prod" && values["aims:protectData"] === false) {
        problems.push({
            key: "aims:protectData",
            message:
                "must be true in prod: prod's databases, roles, secrets and namespaces are protected and retained on delete; remove the key or set it to true",
        });
    }
    for (const key of PLATFORMS) {
        const users = stackTenants.filter((tenant) => platformOfTenant(tenant) === key);
        if (!mappingAt(values, `aims:${key}`) && users.length > 0) {
            problems.push({
                key: `aims:${key}`,
                message: `is required: tenants of this stack run on ${key} (${users.map((tenant) => tenant.name).join(", ")})`,
            });
        }
    }

    const kubernetes = mappingAt(values, "aims:kubernetes");
    if (kubernetes) problems.push(...kubernetesProblems(kubernetes, { environment, isValid }));
    const aws = mappingAt(values, "aims:aws");
    if (aws) problems.push(...awsProblems(aws, isValid));
    if (aws && isValid("aims:aws")) {
        const awsTenants = stackTenants.filter((tenant) => platformOfTenant(tenant) === "aws");
        tenantProblems.push(...awsPlacementProblems(awsTenants, awsSettings(aws), file));
    }
    const offboarding = stackTenants
        .filter((tenant) => tenant.status === "offboarding")
        .map((tenant) => ({ name: tenant.name, platform: platformOfTenant(tenant) }));
    const backup = mappingAt(values, "aims:backup");
    problems.push(...backupProblems(values["aims:backup"], offboarding, { isValid, stack }));
    const platforms = new Set(stackTenants.map(platformOfTenant));
    const core = mappingAt(values, "aims:core");
    if (core) {
        problems.push(
            ...coreProblems(
                core,
                (endpointSet) =>
                    platforms.has("kubernetes") || (endpointSet && platforms.has("aws")),
                stack,
            ),
        );
        for (const tenant of stackTenants.filter((t) => t.schoolId === undefined)) {
            tenantProblems.push(
                `${tenant.file}: schoolId: is required: ${file} configures aims:core, and the tenant's backend tells the core which school it is (TENANT_SCHOOL_ID)`,
            );
        }
    }
    for (const tenant of stackTenants.filter(
        (t) => environment && isAdopted(t, environment) && platformOfTenant(t) === "aws",
    )) {
        tenantProblems.push(
            `${tenant.file}: adopt: only a Kubernetes tenant can be adopted from the Argo CD setup, and ${file} runs this tenant on aws (aims:platform); set platform: kubernetes in the tenant file or remove adopt`,
        );
    }
    // Every tenant of the stack, whatever its platform now: a move to Kubernetes must not meet a taken namespace.
    const namespaces = stackNamespaces(values, isValid);
    tenantProblems.push(...reservedNamespaceProblems(stackTenants, namespaces, file));

    throwIfProblems([
        ...problems.map(({ key, message }) => `${file}: ${key}: ${message}`),
        ...tenantProblems,
    ]);
    const databaseValues = values["aims:database"] as Omit<DatabaseSettings, "password"> & {
        password: string;
    };
    return {
        stack,
        file,
        environment: environment!,
        platform,
        baseDomain: values["aims:baseDomain"] as string,
        protectData: values["aims:protectData"] as boolean,
        images: values["aims:images"] as ImageSettings,
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

/**
 * Tenant: everything one school gets, as one component. It creates what both platforms share
 * (random secrets, the PostgreSQL role and database) and hands them to the platform part.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { adoptionImportIds, isAdopted, tenantDatabaseName } from "./adoption";
import { TenantService } from "./aws/service";
import type { BackupSettings } from "./stack/backup";
import { createCoreCleanup } from "./core-cleanup";
import { TenantDatabase } from "./database";
import type { KubernetesBackupSettings } from "./kubernetes/backup";
import { TenantWorkload } from "./kubernetes/workload";
import { tenantHost } from "./vocabulary/naming";
import { PLANS } from "./vocabulary/plans";
import type { TenantPlatformArgs } from "./platform-args";
import { dataProtection } from "./safety/protection";
import { TenantSpec } from "./tenant-files/registry";
import { platformOf, StackSettings } from "./stack/settings";
import { restoreOf } from "./stack/restore";
import { TENANT_TYPE } from "./vocabulary/type-tokens";
import { Platform, TenantStatus } from "./vocabulary/words";

export interface TenantArgs {
    /** The validated tenant file. */
    readonly tenant: TenantSpec;
    /** The validated stack config. */
    readonly settings: StackSettings;
}

export class Tenant extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;
    public readonly status: pulumi.Output<TenantStatus>;
    public readonly platform: pulumi.Output<Platform>;
    public readonly databaseName: pulumi.Output<string>;
    /** Django SECRET_KEY, secret; undefined for an adopted tenant, which keeps its own. */
    public readonly secretKey?: pulumi.Output<string>;
    /** Password of the tenant's database role, secret; undefined for an adopted tenant. */
    public readonly databasePassword?: pulumi.Output<string>;
    /** Kubernetes tenants: the tenant's namespace. */
    public readonly namespace?: pulumi.Output<string>;
    /** AWS tenants: the tenant's ECS service. */
    public readonly serviceName?: pulumi.Output<string>;

    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TENANT_TYPE, name, {}, opts);
        const { tenant, settings } = args;
        const protection = dataProtection(settings, tenant);
        const data = { parent: this, ...protection };

        const adoption = isAdopted(tenant, settings.environment)
            ? adoptionImportIds(tenant.name)
            : undefined;
        // An adopted school keeps the SECRET_KEY and database password it has: nothing new is generated.
        const generated = adoption ? undefined : generateSecrets(name, data);

        const database = new TenantDatabase(
            name,
            {
                name: tenantDatabaseName(tenant, settings.environment),
                password: generated?.databasePassword,
                connectionLimit: PLANS[tenant.plan].databaseConnections,
                adminRole: settings.database.username,
                protection,
                adoption,
            },
            { parent: this },
        );

        const host = tenantHost(tenant, settings.baseDomain);
        const platform = platformOf(tenant, settings);
        const platformOutputs = createPlatformPart(
            name,
            platform,
            {
                tenant,
                settings,
                host,
                database,
                protection,
                adoption,
                ...(generated && { secretKey: generated.secretKey }),
            },
            this,
        );
        if (settings.core) {
            createCoreCleanup(
                name,
                { tenant: tenant.name, core: settings.core, protect: protection.protect },
                // Deleted before what holds the school: the core forgets the tenant while it is whole.
                { parent: this, dependsOn: platformOutputs.school },
            );
        }

        this.url = pulumi.output(`https://${host}`);
        this.status = pulumi.output(tenant.status);
        this.platform = pulumi.output(platform);
        this.databaseName = database.databaseName;
        this.secretKey = generated?.secretKey;
        this.databasePassword = database.password;
        this.namespace = platformOutputs.namespace;
        this.serviceName = platformOutputs.serviceName;
        this.registerOutputs({
            url: this.url,
            status: this.status,
            platform: this.platform,
            databaseName: this.databaseName,
            ...(this.namespace && { namespace: this.namespace }),
            ...(this.serviceName && { serviceName: this.serviceName }),
        });
    }
}

/** A new tenant's Django SECRET_KEY and database password, both secret. */
function generateSecrets(
    name: string,
    opts: pulumi.CustomResourceOptions,
): { secretKey: pulumi.Output<string>; databasePassword: pulumi.Output<string> } {
    const secretKey = new random.RandomPassword(
        `${name}-secret-key`,
        {
            length: 64,
            special: true,
            overrideSpecial: "!#%*+-=_",
        },
        opts,
    );
    const databasePassword = new random.RandomPassword(
        `${name}-db-password`,
        {
            length: 32,
            special: false,
        },
        opts,
    );
    return {
        secretKey: pulumi.secret(secretKey.result),
        databasePassword: pulumi.secret(databasePassword.result),
    };
}

/** What a platform part exposes as outputs of the Tenant. */
export interface PlatformOutputs {
    /** The platform's component. */
    readonly part: pulumi.ComponentResource;
    /** What the core cleanup is deleted before: the part, or the resources of it that hold the school. */
    readonly school: pulumi.Resource[];
    /** Kubernetes: the tenant's namespace. */
    readonly namespace?: pulumi.Output<string>;
    /** AWS: the tenant's ECS service. */
    readonly serviceName?: pulumi.Output<string>;
}

/**
 * The platform-specific resources of a tenant, children of `parent`. The stack blocks the tenant
 * needs (its platform's, and `aims:backup` while it is offboarding or restoring) are checked here, once: the
 * settings already refused a stack without them, so a failure here is a bug, never a user error.
 */
function createPlatformPart(
    name: string,
    platform: Platform,
    args: TenantPlatformArgs & { readonly settings: StackSettings },
    parent: Tenant,
): PlatformOutputs {
    const { tenant, settings } = args;
    const refuse = (problem: string): never => {
        throw new Error(`${tenant.file}: ${problem}`);
    };
    const offboarding = tenant.status === "offboarding";
    switch (platform) {
        case "kubernetes": {
            const kubernetes =
                settings.kubernetes ??
                refuse(`runs on kubernetes but ${settings.file} has no aims:kubernetes block`);
            const backup = offboarding
                ? (withCredentials(settings.backup) ??
                  refuse(
                      `is offboarding on kubernetes but ${settings.file} has no aims:backup block with accessKeyId and secretAccessKey`,
                  ))
                : undefined;
            const restoreSpec = restoreOf(tenant, settings.environment);
            const restore = restoreSpec && {
                spec: restoreSpec,
                backup:
                    withCredentials(settings.backup) ??
                    refuse(
                        `restores its database on kubernetes but ${settings.file} has no aims:backup block with accessKeyId and secretAccessKey`,
                    ),
            };
            const workload = new TenantWorkload(
                name,
                { ...args, kubernetes, backup, restore },
                { parent },
            );
            return { part: workload, school: workload.school, namespace: workload.namespace };
        }
        case "aws": {
            const aws =
                settings.aws ?? refuse(`runs on aws but ${settings.file} has no aims:aws block`);
            const backup = offboarding
                ? (settings.backup ??
                  refuse(`is offboarding but ${settings.file} has no aims:backup block`))
                : undefined;
            if (restoreOf(tenant, settings.environment)) {
                refuse(`restore is not supported on aws (restore.${settings.environment})`);
            }
            const service = new TenantService(name, { ...args, aws, backup }, { parent });
            return { part: service, school: [service], serviceName: service.serviceName };
        }
    }
}

/** `aims:backup` with the access key pair a Kubernetes tenant uploads with, when it has one. */
function withCredentials(backup: BackupSettings | undefined): KubernetesBackupSettings | undefined {
    const credentials = backup?.credentials;
    return backup && credentials && { ...backup, credentials };
}

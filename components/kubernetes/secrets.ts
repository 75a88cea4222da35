/**
 * The tenant's Kubernetes Secrets: one Secret with the credentials of the tenant's own database
 * role and Django's SECRET_KEY, the core's secrets when the stack has a core, and, when the images
 * are private, an image pull secret. An adopted school keeps the two Secrets the Argo CD setup
 * gave it (database credentials, Django key). The chart only names them; their values never pass
 * through the Helm release.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AdoptionImportIds, KEPT_ON_ADOPTION } from "../adoption";
import type { TenantDatabase } from "../database";
import { coreSecretValues } from "../core-contract";
import {
    coreSecretName,
    databaseSecretName,
    djangoSecretName,
    imagePullSecretName,
} from "../vocabulary/naming";
import { DataProtection } from "../safety/protection";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { tenantLabels } from "./namespace";
import { KubernetesSettings, RegistryCredentials } from "../stack/kubernetes";

/** Keys of the tenant's Secret, as the chart reads them: Django's SECRET_KEY, and the database credentials. */
export const DJANGO_SECRET_KEY = "secret-key";
export const DATABASE_SECRET_KEYS = {
    host: "host",
    port: "port",
    database: "database",
    username: "username",
    password: "password",
} as const;

export interface TenantSecretsArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan" | "file">;
    readonly settings: Pick<StackSettings, "environment" | "database" | "core">;
    /** With `registry`, the images are private: the namespace gets an image pull secret. */
    readonly kubernetes: Pick<KubernetesSettings, "registry">;
    /** Namespace of the secrets; an Output, so they wait for it. */
    readonly namespace: pulumi.Input<string>;
    /** Django SECRET_KEY, secret; none for an adopted tenant. */
    readonly secretKey?: pulumi.Input<string>;
    readonly database: Pick<TenantDatabase, "databaseName" | "roleName" | "password">;
    readonly protection: DataProtection;
    /** Set for an adopted tenant: its Django and database secrets are imported and their content kept. */
    readonly adoption?: Pick<AdoptionImportIds, "djangoSecret" | "databaseSecret">;
}

export interface TenantSecrets {
    /**
     * `<name>-database`: the database credentials and SECRET_KEY. Its Pulumi name and object name
     * are those it had before it also held SECRET_KEY, so deployed tenants keep it in place.
     */
    readonly database: k8s.core.v1.Secret;
    /** Only for an adopted school: the Django secret the Argo CD setup made, kept as it is. */
    readonly adoptedDjango?: k8s.core.v1.Secret;
    /** Only when the stack configures registry credentials. */
    readonly imagePull?: k8s.core.v1.Secret;
    /** Only when the stack has a core (aims:core). */
    readonly core?: k8s.core.v1.Secret;
}

export function createSecrets(
    name: string,
    args: TenantSecretsArgs,
    opts: pulumi.CustomResourceOptions,
): TenantSecrets {
    const { tenant, settings } = args;
    const data = { ...opts, ...args.protection };
    const metadata = (secretName: string) => ({
        name: secretName,
        namespace: args.namespace,
        labels: tenantLabels(tenant, settings),
    });

    const { adoption } = args;
    // An adopted school's secrets are taken over as they are: no content is declared or written.
    const kept = (importId: string) => ({
        import: importId,
        ignoreChanges: [...KEPT_ON_ADOPTION.appSecret],
    });

    // The tenant's own role through PgBouncer (never the admin connection of the provider), and SECRET_KEY.
    const database = new k8s.core.v1.Secret(
        `${name}-database-secret`,
        {
            metadata: metadata(databaseSecretName(tenant.name)),
            type: "Opaque",
            ...(!adoption && {
                stringData: {
                    [DATABASE_SECRET_KEYS.host]: pulumi.secret(settings.database.appHost),
                    [DATABASE_SECRET_KEYS.port]: pulumi.secret(String(settings.database.appPort)),
                    [DATABASE_SECRET_KEYS.database]: pulumi.secret(args.database.databaseName),
                    [DATABASE_SECRET_KEYS.username]: pulumi.secret(args.database.roleName),
                    [DATABASE_SECRET_KEYS.password]: pulumi.secret(
                        required(args.database.password, "database password", tenant.file),
                    ),
                    [DJANGO_SECRET_KEY]: pulumi.secret(
                        required(args.secretKey, "SECRET_KEY", tenant.file),
                    ),
                },
            }),
        },
        { ...data, ...(adoption && kept(adoption.databaseSecret)) },
    );

    // The program cannot know an adopted school's SECRET_KEY, so it cannot add it to the database
    // secret: the school's own Django secret stays, imported as it is.
    const adoptedDjango =
        adoption &&
        new k8s.core.v1.Secret(
            `${name}-django-secret`,
            { metadata: metadata(djangoSecretName(tenant.name)), type: "Opaque" },
            { ...data, ...kept(adoption.djangoSecret) },
        );

    const registry = args.kubernetes.registry;
    const imagePull =
        registry &&
        new k8s.core.v1.Secret(
            `${name}-registry-secret`,
            {
                metadata: metadata(imagePullSecretName(tenant.name)),
                type: "kubernetes.io/dockerconfigjson",
                stringData: { ".dockerconfigjson": dockerConfigJson(registry) },
            },
            data,
        );

    const core =
        settings.core &&
        new k8s.core.v1.Secret(
            `${name}-core-secret`,
            {
                metadata: metadata(coreSecretName(tenant.name)),
                type: "Opaque",
                stringData: coreSecretValues(settings.core, true),
            },
            data,
        );

    return {
        database,
        ...(adoptedDjango && { adoptedDjango }),
        ...(imagePull && { imagePull }),
        ...(core && { core }),
    };
}

function required<T>(value: T | undefined, what: string, file: string): T {
    if (value === undefined) {
        throw new Error(`${file}: no ${what} for a tenant that is not adopted`);
    }
    return value;
}

/** The `.dockerconfigjson` of an image pull secret, secret. */
export function dockerConfigJson(registry: RegistryCredentials): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([registry.username, registry.password]).apply(([username, password]) =>
            JSON.stringify({
                auths: {
                    [registry.server]: {
                        username,
                        password,
                        auth: Buffer.from(`${username}:${password}`).toString("base64"),
                    },
                },
            }),
        ),
    );
}

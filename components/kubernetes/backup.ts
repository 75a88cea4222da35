/**
 * The offboarding backup of a Kubernetes tenant: the container of components/offboarding-backup.ts
 * as a Job in the tenant's namespace, and a Secret with the object-storage access key pair it
 * uploads with. Pulumi waits for the Job to complete, so a failed backup fails `pulumi up`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { tenantDatabaseName } from "../adoption";
import type { BackupSettings, ObjectStorageCredentials } from "../stack/backup";
import {
    backupCredentialsSecretName,
    backupJobName,
    databaseSecretName,
    imagePullSecretName,
} from "../vocabulary/naming";
import {
    BACKUP_DEADLINE_SECONDS,
    BACKUP_SCRATCH_GIB,
    BackupContainer,
    BackupContainerInputs,
    backupContainer,
} from "../offboarding-backup";
import { PLANS } from "../vocabulary/plans";
import { DataProtection } from "../safety/protection";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { SKIP_AWAIT_ANNOTATION } from "./ingress";
import { tenantLabels } from "./namespace";
import { DATABASE_SECRET_KEYS } from "./secrets";
import { KubernetesSettings } from "../stack/kubernetes";
import { containerResources } from "./sizing";

/** `aims:backup` as a Kubernetes tenant needs it: with the key pair its Job uploads with. */
export type KubernetesBackupSettings = BackupSettings & {
    readonly credentials: ObjectStorageCredentials;
};

/** Keys of the credentials Secret. */
export const BACKUP_CREDENTIALS_KEYS = {
    accessKeyId: "access-key-id",
    secretAccessKey: "secret-access-key",
} as const;
/** Retries of a failed backup pod (a PgBouncer or storage hiccup) before the Job fails. */
export const BACKUP_BACKOFF_LIMIT = 2;
/** Pulumi waits a little longer than the Job's deadline, so the Job's own failure is what it reports. */
export const BACKUP_WAIT = "65m";
/** A failed Job is replaced, and so run again, by the next `pulumi up`, instead of being waited for again. */
export const REPLACE_UNREADY_ANNOTATION = "pulumi.com/replaceUnready";
const SCRATCH_VOLUME = "tmp";

export interface BackupJobInputs {
    readonly tenant: Pick<TenantSpec, "name" | "plan" | "adopt">;
    readonly settings: Pick<StackSettings, "environment" | "database">;
    readonly kubernetes: Pick<KubernetesSettings, "registry" | "imagePullPolicy">;
    readonly backup: Pick<BackupSettings, "bucket" | "prefix" | "region" | "endpoint" | "image">;
}

/** Labels of the Job and its pod: the tenant's, and what the pod is for. */
export function backupLabels(
    tenant: Pick<TenantSpec, "name" | "plan">,
    settings: Pick<StackSettings, "environment">,
): Record<string, string> {
    return {
        ...tenantLabels(tenant, settings),
        "app.kubernetes.io/component": "offboarding-backup",
    };
}

/**
 * One pod, never restarted in place, as locked down as the chart's: non-root, read-only root
 * filesystem, no capabilities, no service account token. One slot of the plan's quota, which
 * is free while the tenant runs no app pods; the dump's scratch space is an emptyDir at /tmp.
 */
export function backupJobSpec({
    tenant,
    settings,
    kubernetes,
    backup,
}: BackupJobInputs): k8s.types.input.batch.v1.JobSpec {
    const container = backupContainer({
        backup,
        environment: settings.environment,
        tenant: tenant.name,
        database: tenantConnection(tenant, settings),
    });
    return containerJobSpec(container, {
        tenant,
        kubernetes,
        labels: backupLabels(tenant, settings),
    });
}

/** The tenant's own connection, as the chart's: PgBouncer, and its database. */
export function tenantConnection(
    tenant: Pick<TenantSpec, "name" | "adopt">,
    settings: Pick<StackSettings, "environment" | "database">,
): BackupContainerInputs["database"] {
    return {
        host: settings.database.appHost,
        port: settings.database.appPort,
        name: tenantDatabaseName(tenant, settings.environment),
    };
}

export interface ContainerJobInputs {
    readonly tenant: Pick<TenantSpec, "name" | "plan">;
    readonly kubernetes: Pick<KubernetesSettings, "registry" | "imagePullPolicy">;
    /** Labels of the pod. */
    readonly labels: Record<string, string>;
}

/**
 * The Job of a one-shot container of the backup's kind (the backup's, the restore's): its
 * database credentials from the tenant's database Secret, the key pair from the backup
 * credentials Secret, both by reference.
 */
export function containerJobSpec(
    container: BackupContainer,
    { tenant, kubernetes, labels }: ContainerJobInputs,
): k8s.types.input.batch.v1.JobSpec {
    const slot = containerResources(PLANS[tenant.plan].kubernetes);
    const fromSecret = (name: string, secret: string, key: string) => ({
        name,
        valueFrom: { secretKeyRef: { name: secret, key } },
    });
    const user = {
        runAsNonRoot: true,
        runAsUser: container.user.uid,
        runAsGroup: container.user.gid,
    };
    const seccompProfile = { type: "RuntimeDefault" };
    return {
        backoffLimit: BACKUP_BACKOFF_LIMIT,
        activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
        template: {
            metadata: { labels },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                ...(kubernetes.registry && {
                    imagePullSecrets: [{ name: imagePullSecretName(tenant.name) }],
                }),
                securityContext: { ...user, seccompProfile },
                containers: [
                    {
                        name: container.name,
                        image: container.image,
                        imagePullPolicy: kubernetes.imagePullPolicy,
                        // A failed container's last log lines become its termination message,
                        // which Pulumi prints with the Job's failure: the script says what went wrong.
                        terminationMessagePolicy: "FallbackToLogsOnError",
                        command: [...container.command],
                        env: [
                            ...Object.entries(container.environment).map(([name, value]) => ({
                                name,
                                value,
                            })),
                            ...Object.entries(container.credentials).map(([name, key]) =>
                                fromSecret(
                                    name,
                                    databaseSecretName(tenant.name),
                                    DATABASE_SECRET_KEYS[key],
                                ),
                            ),
                            fromSecret(
                                "AWS_ACCESS_KEY_ID",
                                backupCredentialsSecretName(tenant.name),
                                BACKUP_CREDENTIALS_KEYS.accessKeyId,
                            ),
                            fromSecret(
                                "AWS_SECRET_ACCESS_KEY",
                                backupCredentialsSecretName(tenant.name),
                                BACKUP_CREDENTIALS_KEYS.secretAccessKey,
                            ),
                        ],
                        resources: {
                            requests: { ...slot.requests, "ephemeral-storage": "1Gi" },
                            // The emptyDir counts against the limit: room for a full scratch folder and the logs.
                            limits: {
                                ...slot.limits,
                                "ephemeral-storage": `${BACKUP_SCRATCH_GIB + 1}Gi`,
                            },
                        },
                        securityContext: {
                            ...user,
                            allowPrivilegeEscalation: false,
                            privileged: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"] },
                            seccompProfile,
                        },
                        volumeMounts: [{ name: SCRATCH_VOLUME, mountPath: container.scratchPath }],
                    },
                ],
                volumes: [
                    { name: SCRATCH_VOLUME, emptyDir: { sizeLimit: `${BACKUP_SCRATCH_GIB}Gi` } },
                ],
            },
        },
    };
}

/** Pulumi waits for the Job to complete unless the stack says pods cannot run (aims:kubernetes.waitForReady). */
export function backupJobAnnotations(
    kubernetes: Pick<KubernetesSettings, "waitForReady">,
): Record<string, string> {
    return {
        [REPLACE_UNREADY_ANNOTATION]: "true",
        ...(!kubernetes.waitForReady && { [SKIP_AWAIT_ANNOTATION]: "true" }),
    };
}

export interface OffboardingBackupArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan" | "adopt">;
    readonly settings: Pick<StackSettings, "environment" | "database">;
    readonly kubernetes: Pick<KubernetesSettings, "registry" | "waitForReady" | "imagePullPolicy">;
    readonly backup: KubernetesBackupSettings;
    /** The tenant's namespace; an Output, so both wait for it. */
    readonly namespace: pulumi.Input<string>;
    /** protect / retainOnDelete of the credentials Secret, a data resource like the tenant's other secrets. */
    readonly protection: DataProtection;
}

export interface OffboardingBackup {
    readonly credentials: k8s.core.v1.Secret;
    readonly job: k8s.batch.v1.Job;
}

/** `opts.dependsOn` is what the Job waits for: the database Secret, the isolation, the scaled-down release. */
export function createOffboardingBackup(
    name: string,
    args: OffboardingBackupArgs,
    opts: pulumi.CustomResourceOptions,
): OffboardingBackup {
    const { tenant, settings, backup } = args;
    // Only the Job waits for opts.dependsOn.
    const secret = createBackupCredentials(name, args, { ...opts, dependsOn: [] });
    const job = new k8s.batch.v1.Job(
        `${name}-offboarding-backup`,
        {
            metadata: {
                name: backupJobName(tenant.name),
                namespace: args.namespace,
                labels: backupLabels(tenant, settings),
                annotations: backupJobAnnotations(args.kubernetes),
            },
            spec: backupJobSpec({ tenant, settings, kubernetes: args.kubernetes, backup }),
        },
        pulumi.mergeOptions(opts, {
            dependsOn: [secret],
            customTimeouts: { create: BACKUP_WAIT, update: BACKUP_WAIT },
        }),
    );
    return { credentials: secret, job };
}

export interface BackupCredentialsArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan">;
    readonly settings: Pick<StackSettings, "environment">;
    readonly backup: Pick<KubernetesBackupSettings, "credentials">;
    readonly namespace: pulumi.Input<string>;
    readonly protection: DataProtection;
}

/**
 * The Secret with the object-storage key pair, which the backup uploads with and the restore
 * downloads with (a tenant never does both at once: an offboarding tenant cannot restore).
 */
export function createBackupCredentials(
    name: string,
    { tenant, settings, backup, namespace, protection }: BackupCredentialsArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        `${name}-backup-credentials`,
        {
            metadata: {
                name: backupCredentialsSecretName(tenant.name),
                namespace,
                labels: tenantLabels(tenant, settings),
            },
            type: "Opaque",
            stringData: {
                [BACKUP_CREDENTIALS_KEYS.accessKeyId]: pulumi.secret(
                    backup.credentials.accessKeyId,
                ),
                [BACKUP_CREDENTIALS_KEYS.secretAccessKey]: pulumi.secret(
                    backup.credentials.secretAccessKey,
                ),
            },
        },
        { ...opts, ...protection },
    );
}

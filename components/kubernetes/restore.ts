/**
 * The restore of a Kubernetes tenant: the container of components/restore.ts as a Job in the
 * tenant's namespace, with the key pair of the offboarding backup. Pulumi waits for the Job, so a
 * failed restore fails `pulumi up` and what depends on it (the Helm release of an active tenant)
 * is not created or updated.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restoreContainer } from "../restore";
import type { RestoreSpec } from "../tenant-files/restore";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import type { KubernetesSettings } from "../stack/kubernetes";
import type { DataProtection } from "../safety/protection";
import { restoreJobName } from "../vocabulary/naming";
import {
    BACKUP_WAIT,
    backupJobAnnotations,
    containerJobSpec,
    createBackupCredentials,
    KubernetesBackupSettings,
    tenantConnection,
} from "./backup";
import { tenantLabels } from "./namespace";

export interface RestoreJobInputs {
    readonly tenant: Pick<TenantSpec, "name" | "plan" | "adopt">;
    readonly settings: Pick<StackSettings, "environment" | "database">;
    readonly kubernetes: Pick<KubernetesSettings, "registry" | "imagePullPolicy">;
    readonly backup: Pick<KubernetesBackupSettings, "bucket" | "region" | "endpoint" | "image">;
    readonly restore: RestoreSpec;
}

/** Labels of the Job and its pod: the tenant's (never its status), and what the pod is for. */
export function restoreLabels(
    tenant: Pick<TenantSpec, "name" | "plan">,
    settings: Pick<StackSettings, "environment">,
): Record<string, string> {
    return { ...tenantLabels(tenant, settings), "app.kubernetes.io/component": "restore" };
}

export function restoreJobSpec({
    tenant,
    settings,
    kubernetes,
    backup,
    restore,
}: RestoreJobInputs): k8s.types.input.batch.v1.JobSpec {
    const container = restoreContainer({
        backup,
        restore,
        environment: settings.environment,
        tenant: tenant.name,
        database: tenantConnection(tenant, settings),
    });
    return {
        ...containerJobSpec(container, {
            tenant,
            kubernetes,
            labels: restoreLabels(tenant, settings),
        }),
        // A failed restore leaves the database as it was, but a dump that cannot be read does
        // not become readable on a second try: one retry for a network or storage hiccup.
        backoffLimit: RESTORE_BACKOFF_LIMIT,
    };
}

export const RESTORE_BACKOFF_LIMIT = 1;

export interface TenantRestoreArgs extends RestoreJobInputs {
    readonly kubernetes: Pick<KubernetesSettings, "registry" | "waitForReady" | "imagePullPolicy">;
    readonly backup: KubernetesBackupSettings;
    readonly namespace: pulumi.Input<string>;
    /** protect / retainOnDelete of the credentials Secret. */
    readonly protection: DataProtection;
}

export interface TenantRestore {
    readonly credentials: k8s.core.v1.Secret;
    readonly job: k8s.batch.v1.Job;
}

/**
 * `opts.dependsOn` is what the Job waits for. Its spec is ignored after creation: a change of the
 * stack's image, database host or the tenant's plan must not run a restore again over the data
 * written since; only a new dump or version (a new Job name) does.
 */
export function createRestore(
    name: string,
    args: TenantRestoreArgs,
    opts: pulumi.CustomResourceOptions,
): TenantRestore {
    const { tenant, settings, namespace } = args;
    const credentials = createBackupCredentials(name, args, { ...opts, dependsOn: [] });
    const job = new k8s.batch.v1.Job(
        `${name}-restore`,
        {
            metadata: {
                name: restoreJobName(tenant.name, args.restore),
                namespace,
                labels: restoreLabels(tenant, settings),
                annotations: backupJobAnnotations(args.kubernetes),
            },
            spec: restoreJobSpec(args),
        },
        pulumi.mergeOptions(opts, {
            dependsOn: [credentials],
            ignoreChanges: ["spec"],
            customTimeouts: { create: BACKUP_WAIT, update: BACKUP_WAIT },
        }),
    );
    return { credentials, job };
}

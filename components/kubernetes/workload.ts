/**
 * TenantWorkload: the Kubernetes part of a tenant. Its namespace, secrets, isolation, the Helm
 * release of the tenant chart, the check that its rollout succeeded, the Ingress, while
 * offboarding the backup Job, and while its file says so the restore Job, all children of this
 * component.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TenantPlatformArgs } from "../platform-args";
import { TENANT_WORKLOAD_TYPE } from "../vocabulary/type-tokens";
import { createOffboardingBackup, KubernetesBackupSettings } from "./backup";
import { createIngress } from "./ingress";
import { createIsolation } from "./isolation";
import { createNamespace } from "./namespace";
import { createRelease } from "./release";
import { createRestore } from "./restore";
import type { RestoreSpec } from "../tenant-files/restore";
import { createRolloutCheck } from "./rollout";
import { ringOf } from "../stack/rings";
import { createSecrets } from "./secrets";
import { KubernetesSettings } from "../stack/kubernetes";

export interface TenantWorkloadArgs extends TenantPlatformArgs {
    /** The stack's `aims:kubernetes`. */
    readonly kubernetes: KubernetesSettings;
    /** Set exactly while the tenant is offboarding: where its database is dumped, and with which keys. */
    readonly backup?: KubernetesBackupSettings;
    /** Set while the tenant file restores the database in this environment: the dump, and `aims:backup` with its keys. */
    readonly restore?: { readonly spec: RestoreSpec; readonly backup: KubernetesBackupSettings };
}

export class TenantWorkload extends pulumi.ComponentResource {
    /** Name of the tenant's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the Helm release in that namespace. */
    public readonly releaseName: pulumi.Output<string>;
    /**
     * What holds the school: its namespace and release. The core cleanup waits for these, not for
     * the rollout check, so that a tenant whose first rollout failed is still cleaned up when removed.
     */
    public readonly school: pulumi.Resource[];

    constructor(name: string, args: TenantWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TENANT_WORKLOAD_TYPE, name, {}, opts);
        const { tenant, settings, kubernetes, host, backup } = args;

        const namespaceResource = createNamespace(name, args, { parent: this });
        const namespace = namespaceResource.metadata.name;
        // args carries `adoption` on to the secrets: an adopted school's are imported.
        const secrets = createSecrets(name, { ...args, namespace }, { parent: this });
        const isolation = createIsolation(
            name,
            { tenant, settings, kubernetes, namespace },
            { parent: this },
        );
        // Pods start only once their secrets exist and the namespace is fenced and capped.
        const podsAfter = [...Object.values(secrets), ...Object.values(isolation)];
        const restoreArgs = args.restore && {
            tenant,
            settings,
            kubernetes,
            namespace,
            protection: args.protection,
            backup: args.restore.backup,
            restore: args.restore.spec,
        };
        // An active tenant's app starts only once the restore has completed; a suspended one's
        // has scaled to zero first (below), so that nothing writes while the dump replaces the data.
        const restoreFirst =
            restoreArgs && tenant.status === "active"
                ? createRestore(name, restoreArgs, { parent: this, dependsOn: podsAfter })
                : undefined;
        const release = createRelease(
            name,
            { tenant, settings, kubernetes, host, namespace },
            {
                parent: this,
                dependsOn: [...podsAfter, ...(restoreFirst ? [restoreFirst.job] : [])],
            },
        );
        // Unless the stack says pods cannot run, `up` succeeds only once the pods are ready, and
        // what runs after the release (the backup or restore of a scaled-down tenant) waits for that too.
        const rolledOut = kubernetes.waitForReady
            ? createRolloutCheck(
                  name,
                  {
                      tenant: tenant.name,
                      ring: ringOf(tenant, settings.rings),
                      kubernetes,
                      namespace,
                      release,
                  },
                  { parent: this, dependsOn: [release] },
              )
            : release;
        if (restoreArgs && !restoreFirst) {
            createRestore(name, restoreArgs, {
                parent: this,
                dependsOn: [...podsAfter, rolledOut],
            });
        }
        createIngress(
            name,
            { tenant, settings, kubernetes, host, namespace },
            { parent: this, dependsOn: [release] },
        );
        if (backup) {
            createOffboardingBackup(
                name,
                { tenant, settings, kubernetes, backup, namespace, protection: args.protection },
                // The dump runs fenced like every pod, once the release has scaled the app to zero.
                { parent: this, dependsOn: [...podsAfter, rolledOut] },
            );
        }

        this.namespace = namespace;
        this.releaseName = release.name;
        this.school = [namespaceResource, release];
        this.registerOutputs({ namespace: this.namespace, releaseName: this.releaseName });
    }
}

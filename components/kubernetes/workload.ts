/**
 * TenantWorkload: the Kubernetes part of a tenant. Its namespace, secrets, isolation, the Helm
 * release of the tenant chart and the Ingress, and while offboarding the backup Job, all
 * children of this component.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TenantPlatformArgs } from "../platform-args";
import { createOffboardingBackup } from "./backup";
import { createIngress } from "./ingress";
import { createIsolation } from "./isolation";
import { createNamespace } from "./namespace";
import { createRelease } from "./release";
import { createSecrets } from "./secrets";

/** The Tenant's shared pieces; see TenantPlatformArgs. */
export type TenantWorkloadArgs = TenantPlatformArgs;

export class TenantWorkload extends pulumi.ComponentResource {
    /** Name of the tenant's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the Helm release in that namespace. */
    public readonly releaseName: pulumi.Output<string>;

    constructor(name: string, args: TenantWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aims:kubernetes:TenantWorkload", name, {}, opts);
        const kubernetes = args.settings.kubernetes;
        if (!kubernetes) {
            throw new Error(
                `${args.spec.file}: runs on kubernetes but ${args.settings.file} has no aims:kubernetes block`,
            );
        }
        const { spec, settings, host } = args;

        const namespace = createNamespace(name, args, this).metadata.name;
        // args carries `adoption` on to the secrets: an adopted school's are imported.
        const secrets = createSecrets(name, { ...args, namespace }, this);
        const isolation = createIsolation(name, { spec, settings, kubernetes, namespace }, this);
        const release = createRelease(
            name,
            {
                spec,
                settings,
                kubernetes,
                host,
                namespace,
                // Pods start only once their secrets exist and the namespace is fenced and capped.
                after: [...Object.values(secrets), ...Object.values(isolation)],
            },
            this,
        );
        createIngress(name, { spec, settings, kubernetes, host, namespace, release }, this);
        if (spec.status === "offboarding") {
            createOffboardingBackup(
                name,
                {
                    spec,
                    settings,
                    kubernetes,
                    namespace,
                    protection: args.protection,
                    // The dump runs fenced like every pod, once the release has scaled the app to zero.
                    after: [...Object.values(secrets), ...Object.values(isolation), release],
                },
                this,
            );
        }

        this.namespace = namespace;
        this.releaseName = release.name;
        this.registerOutputs({ namespace: this.namespace, releaseName: this.releaseName });
    }
}

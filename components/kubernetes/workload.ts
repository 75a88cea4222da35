/**
 * TenantWorkload: the Kubernetes part of a tenant. Its namespace, secrets, isolation, the Helm
 * release of the tenant chart and the Ingress, all children of this component.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TenantDatabase } from "../database";
import { DataProtection } from "../protection";
import type { TenantSpec } from "../registry";
import type { StackSettings } from "../settings";
import { createIngress } from "./ingress";
import { createIsolation } from "./isolation";
import { createNamespace } from "./namespace";
import { createRelease } from "./release";
import { createSecrets } from "./secrets";

export interface TenantWorkloadArgs {
    /** The validated tenant file. */
    readonly spec: TenantSpec;
    /** The validated stack config; its `kubernetes` block must be set. */
    readonly settings: StackSettings;
    /** Host the tenant is served at: `<name>.<baseDomain>` or the tenant's domain. */
    readonly host: string;
    /** Django SECRET_KEY, secret. */
    readonly secretKey: pulumi.Input<string>;
    /** The tenant's own database and role; the password is secret. */
    readonly database: Pick<TenantDatabase, "databaseName" | "roleName" | "password">;
    /** protect / retainOnDelete of the namespace and the secrets. */
    readonly protection: DataProtection;
}

export class TenantWorkload extends pulumi.ComponentResource {
    /** Name of the tenant's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the Helm release in that namespace. */
    public readonly releaseName: pulumi.Output<string>;

    constructor(name: string, args: TenantWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aims:kubernetes:TenantWorkload", name, {}, opts);
        const kubernetes = args.settings.kubernetes;
        if (!kubernetes) {
            throw new Error(`${args.spec.file}: runs on kubernetes but ${args.settings.file} has no aims:kubernetes block`);
        }
        const { spec, settings, host } = args;

        const namespace = createNamespace(name, args, this).metadata.name;
        const secrets = createSecrets(name, { ...args, namespace }, this);
        const isolation = createIsolation(name, { spec, settings, kubernetes, namespace }, this);
        const release = createRelease(name, {
            spec, settings, kubernetes, host, namespace,
            // Pods start only once their secrets exist and the namespace is fenced and capped.
            after: [...Object.values(secrets), ...Object.values(isolation)],
        }, this);
        createIngress(name, { spec, settings, kubernetes, host, namespace, release }, this);

        this.namespace = namespace;
        this.releaseName = release.name;
        this.registerOutputs({ namespace: this.namespace, releaseName: this.releaseName });
    }
}

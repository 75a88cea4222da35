/** The tenant's namespace: everything the tenant runs and stores on the cluster lives in it. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AdoptionImportIds } from "../adoption";
import {
    DATA_RETAINED_LABEL,
    ENVIRONMENT_LABEL,
    namespaceName,
    RING_LABEL,
    TENANT_STATUS_LABEL,
} from "../vocabulary/naming";
import { DataProtection } from "../safety/protection";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { ringOf } from "../stack/rings";

/** Prefix of the labels this project puts on what it creates. */
export const LABEL_PREFIX = "aims.example.org";

/** Labels saying whose namespace it is; selectors and `kubectl get ns -l` use them. */
export function tenantLabels(
    tenant: Pick<TenantSpec, "name" | "plan">,
    settings: Pick<StackSettings, "environment">,
): Record<string, string> {
    return {
        [`${LABEL_PREFIX}/tenant`]: tenant.name,
        [ENVIRONMENT_LABEL]: settings.environment,
        [`${LABEL_PREFIX}/plan`]: tenant.plan,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/**
 * The namespace's labels: the tenant's, plus Pod Security Admission at `restricted`, so no pod
 * in it (the chart's, or one a compromised app might create) can run privileged or as root.
 */
export function namespaceLabels(
    tenant: Pick<TenantSpec, "name" | "plan" | "status" | "ring">,
    settings: Pick<StackSettings, "environment" | "rings">,
    protection: Pick<DataProtection, "retainOnDelete">,
): Record<string, string> {
    const ring = ringOf(tenant, settings.rings);
    return {
        ...tenantLabels(tenant, settings),
        ...(ring && { [RING_LABEL]: ring }),
        // The policy pack exempts an offboarding tenant's data from the prod protection rule,
        // and checks that prod data is retained on delete.
        [TENANT_STATUS_LABEL]: tenant.status,
        [DATA_RETAINED_LABEL]: String(protection.retainOnDelete),
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
    };
}

export interface TenantNamespaceArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan" | "status" | "ring">;
    readonly settings: Pick<StackSettings, "environment" | "rings">;
    readonly protection: DataProtection;
    /** Set for an adopted tenant: the namespace already exists and is imported. */
    readonly adoption?: Pick<AdoptionImportIds, "namespace">;
}

/** A data resource: deleting it deletes the tenant's secrets, so it carries the stack's protection itself. */
export function createNamespace(
    name: string,
    args: TenantNamespaceArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        `${name}-namespace`,
        {
            metadata: {
                name: namespaceName(args.tenant.name),
                labels: namespaceLabels(args.tenant, args.settings, args.protection),
            },
        },
        { ...opts, ...args.protection, ...(args.adoption && { import: args.adoption.namespace }) },
    );
}

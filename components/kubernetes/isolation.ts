/**
 * What keeps tenants apart on a shared cluster: a NetworkPolicy that admits traffic only from the
 * tenant's own pods and the ingress controller, and a ResourceQuota with a LimitRange that cap
 * what the namespace can take from its neighbours.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesPlan, PLANS } from "../vocabulary/plans";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { tenantLabels } from "./namespace";
import { RELEASE_MAX_HISTORY } from "./release";
import { KubernetesSettings } from "../stack/kubernetes";
import { containerResources, podSlots } from "./sizing";

/** The label every namespace carries with its own name (Kubernetes sets it). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Object names inside the tenant's namespace. */
export const NETWORK_POLICY_NAME = "tenant-isolation";
export const RESOURCE_QUOTA_NAME = "tenant-quota";
export const LIMIT_RANGE_NAME = "tenant-limits";

/** Our Secrets (database, core, registry, TLS, backup credentials), Helm's release history, and room for cert-manager's temporary key. */
export const SECRET_COUNT = RELEASE_MAX_HISTORY + 10;
/** kube-root-ca.crt, published into every namespace, plus room for the apps. */
export const CONFIGMAP_COUNT = 10;
/** The chart's two Services and cert-manager's HTTP-01 solver Service, with room for one more. */
export const SERVICE_COUNT = 4;

/** Every pod of the namespace admits traffic only from pods of the same namespace and from the ingress controller. */
export function networkPolicySpec(
    kubernetes: Pick<KubernetesSettings, "ingressNamespace">,
): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
            { from: [{ podSelector: {} }] },
            {
                from: [
                    {
                        namespaceSelector: {
                            matchLabels: { [NAMESPACE_NAME_LABEL]: kubernetes.ingressNamespace },
                        },
                    },
                ],
            },
        ],
    };
}

/**
 * The plan's CPU and memory, requested and limited, plus object counts. No LoadBalancer or
 * NodePort Service and no volume claim: a tenant is reached only through the shared ingress and
 * keeps its data in its database.
 */
export function resourceQuotaSpec(plan: KubernetesPlan): k8s.types.input.core.v1.ResourceQuotaSpec {
    return {
        hard: {
            "requests.cpu": plan.quota.cpu,
            "limits.cpu": plan.quota.cpu,
            "requests.memory": plan.quota.memory,
            "limits.memory": plan.quota.memory,
            pods: String(podSlots(plan)),
            secrets: String(SECRET_COUNT),
            configmaps: String(CONFIGMAP_COUNT),
            services: String(SERVICE_COUNT),
            "services.loadbalancers": "0",
            "services.nodeports": "0",
            persistentvolumeclaims: "0",
        },
    };
}

/**
 * Defaults for a container that states no resources (the quota rejects such a pod otherwise),
 * and a maximum of one slot, so the plan's pods always fit the quota (see sizing.ts).
 */
export function limitRangeSpec(plan: KubernetesPlan): k8s.types.input.core.v1.LimitRangeSpec {
    const { requests, limits } = containerResources(plan);
    return {
        limits: [
            {
                type: "Container",
                default: { ...limits },
                defaultRequest: { ...requests },
                max: { ...limits },
            },
        ],
    };
}

export interface TenantIsolationArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan">;
    readonly settings: Pick<StackSettings, "environment">;
    readonly kubernetes: Pick<KubernetesSettings, "ingressNamespace">;
    readonly namespace: pulumi.Input<string>;
}

export interface TenantIsolation {
    readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    readonly resourceQuota: k8s.core.v1.ResourceQuota;
    readonly limitRange: k8s.core.v1.LimitRange;
}

export function createIsolation(
    name: string,
    args: TenantIsolationArgs,
    opts: pulumi.CustomResourceOptions,
): TenantIsolation {
    const plan = PLANS[args.tenant.plan].kubernetes;
    const metadata = (objectName: string) => ({
        name: objectName,
        namespace: args.namespace,
        labels: tenantLabels(args.tenant, args.settings),
    });
    return {
        networkPolicy: new k8s.networking.v1.NetworkPolicy(
            `${name}-network-policy`,
            {
                metadata: metadata(NETWORK_POLICY_NAME),
                spec: networkPolicySpec(args.kubernetes),
            },
            opts,
        ),
        resourceQuota: new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: metadata(RESOURCE_QUOTA_NAME),
                spec: resourceQuotaSpec(plan),
            },
            opts,
        ),
        limitRange: new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: metadata(LIMIT_RANGE_NAME),
                spec: limitRangeSpec(plan),
            },
            opts,
        ),
    };
}

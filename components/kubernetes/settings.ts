/** The `aims:kubernetes` block of a stack: how tenants reach the cluster and its shared services. */
import * as pulumi from "@pulumi/pulumi";
import { ConfigBlock } from "../config";

export interface KubernetesSettings {
    /** kubeconfig context the stack's provider uses; the current context when unset. */
    readonly context?: string;
    /** IngressClass of the tenants' Ingresses. */
    readonly ingressClass: string;
    /** cert-manager ClusterIssuer that signs the tenants' TLS certificates. */
    readonly clusterIssuer: string;
    /** Namespace of the ingress controller, the only outside namespace a tenant admits traffic from. */
    readonly ingressNamespace: string;
    /** Path of the tenant chart, relative to the project. */
    readonly chartPath: string;
    /** Registry credentials for an image pull secret in each tenant namespace, when the images are private. */
    readonly registry?: RegistryCredentials;
}

export interface RegistryCredentials {
    readonly server: string;
    readonly username: string;
    readonly password: pulumi.Output<string>;
}

export const KUBERNETES_KEYS = ["context", "ingressClass", "clusterIssuer", "ingressNamespace", "chartPath", "registry"] as const;

export function readKubernetesSettings(block: ConfigBlock): KubernetesSettings {
    block.rejectUnknown(KUBERNETES_KEYS);
    const registryBlock = block.block("registry", false);
    let registry: RegistryCredentials | undefined;
    if (registryBlock) {
        registryBlock.rejectUnknown(["server", "username", "password"]);
        const password = registryBlock.string("password");
        registry = {
            server: registryBlock.string("server") ?? "",
            username: registryBlock.string("username") ?? "",
            password: pulumi.secret(password ?? ""),
        };
    }
    return {
        context: block.optionalString("context"),
        ingressClass: block.string("ingressClass", "traefik"),
        clusterIssuer: block.string("clusterIssuer") ?? "",
        ingressNamespace: block.string("ingressNamespace") ?? "",
        chartPath: block.string("chartPath", "charts/tenant"),
        ...(registry && { registry }),
    };
}

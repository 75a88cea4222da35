/** The tenant's public entry: one host, TLS from cert-manager, routes to the chart's Services. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BACKEND_PORT, FRONTEND_PORT } from "../vocabulary/app-contract";
import {
    backendServiceName,
    frontendServiceName,
    releaseName,
    tlsSecretName,
} from "../vocabulary/naming";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { tenantLabels } from "./namespace";
import { KubernetesSettings } from "../stack/kubernetes";

/**
 * Paths Django serves; everything else goes to Next.js. /static holds the admin's and the API's
 * assets; /media the uploaded files when they are not in object storage (USE_REMOTE_MEDIA).
 */
export const BACKEND_PATHS = ["/api", "/admin", "/static", "/media"] as const;

export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";
/**
 * Pulumi would otherwise wait for the ingress controller to publish a load balancer address in
 * the Ingress status, which depends on how the controller is installed, not on this program.
 */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

export interface IngressInputs {
    readonly tenant: Pick<TenantSpec, "name">;
    readonly kubernetes: Pick<KubernetesSettings, "ingressClass">;
    readonly host: string;
}

/** The Ingress spec: longest prefix wins, so Django's paths reach the backend before / catches the rest. */
export function ingressSpec({
    tenant,
    kubernetes,
    host,
}: IngressInputs): k8s.types.input.networking.v1.IngressSpec {
    const release = releaseName(tenant.name);
    const route = (path: string, service: string, port: number) => ({
        path,
        pathType: "Prefix",
        backend: { service: { name: service, port: { number: port } } },
    });
    return {
        ingressClassName: kubernetes.ingressClass,
        tls: [{ hosts: [host], secretName: tlsSecretName(tenant.name) }],
        rules: [
            {
                host,
                http: {
                    paths: [
                        ...BACKEND_PATHS.map((path) =>
                            route(path, backendServiceName(release), BACKEND_PORT),
                        ),
                        route("/", frontendServiceName(release), FRONTEND_PORT),
                    ],
                },
            },
        ],
    };
}

export interface TenantIngressArgs {
    readonly tenant: Pick<TenantSpec, "name" | "plan">;
    readonly settings: Pick<StackSettings, "environment">;
    readonly kubernetes: Pick<KubernetesSettings, "ingressClass" | "clusterIssuer">;
    readonly host: string;
    readonly namespace: pulumi.Input<string>;
}

/** `opts.dependsOn`: the release whose Services the Ingress routes to. */
export function createIngress(
    name: string,
    args: TenantIngressArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.Ingress {
    return new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        {
            metadata: {
                name: releaseName(args.tenant.name),
                namespace: args.namespace,
                labels: tenantLabels(args.tenant, args.settings),
                annotations: {
                    [CLUSTER_ISSUER_ANNOTATION]: args.kubernetes.clusterIssuer,
                    [SKIP_AWAIT_ANNOTATION]: "true",
                },
            },
            spec: ingressSpec(args),
        },
        opts,
    );
}

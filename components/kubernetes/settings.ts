/** The `aims:kubernetes` block of a stack: how tenants reach the cluster and its shared services. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigBlock } from "../config";
import { PROJECT_ROOT } from "../project-root";

export interface KubernetesSettings {
    /** kubeconfig context the stack's provider uses; the current context when unset. */
    readonly context?: string;
    /** IngressClass of the tenants' Ingresses. */
    readonly ingressClass: string;
    /** cert-manager ClusterIssuer that signs the tenants' TLS certificates. */
    readonly clusterIssuer: string;
    /** Namespace of the ingress controller, the only outside namespace a tenant admits traffic from. */
    readonly ingressNamespace: string;
    /** Path of the tenant chart relative to the project root, normalised: `charts/tenant`. */
    readonly chartPath: string;
    /** Registry credentials for an image pull secret in each tenant namespace, when the images are private. */
    readonly registry?: RegistryCredentials;
    /**
     * Whether Pulumi waits for the tenant's pods: the release's for readiness, the offboarding
     * backup Job's for completion. Off only where pods cannot run, such as an API server without
     * nodes; never in prod, where a broken rollout or backup must fail `pulumi up`.
     */
    readonly waitForReady: boolean;
    /** Namespaces of the cluster no tenant may be named like, besides the ones the stack config names. */
    readonly reservedNamespaces: readonly string[];
}

export interface RegistryCredentials {
    /** Registry host, optionally with a port: `registry.example.org`. */
    readonly server: string;
    readonly username: string;
    /** A secret: `pulumi config set --secret --path aims:kubernetes.registry.password`. */
    readonly password: pulumi.Output<string>;
}

export const KUBERNETES_KEYS = [
    "context",
    "ingressClass",
    "clusterIssuer",
    "ingressNamespace",
    "chartPath",
    "registry",
    "waitForReady",
    "reservedNamespaces",
] as const;
/** Keys of earlier versions, and what replaced them. */
const REPLACED_KEYS: Readonly<Record<string, string>> = {
    coreBootstrapReadyUrl:
        "replaced by aims:core.url: CORE_BOOTSTRAP_READY_URL is now <url>/api/auth/tenant-bootstrap-ready/, which the backend calls back (POST) once bootstrapped instead of waiting for it; move the core's base URL there and remove this key",
};
const REGISTRY_KEYS = ["server", "username", "password"] as const;

export const DEFAULT_CHART_PATH = "charts/tenant";

/** A Kubernetes object name such as an IngressClass or ClusterIssuer (RFC 1123 subdomain). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A namespace name (RFC 1123 label). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A registry host as it appears in an image reference: `registry.example.org` or `localhost:5000`. */
const REGISTRY_SERVER =
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$/;

export function readKubernetesSettings(
    block: ConfigBlock,
    projectRoot: string = PROJECT_ROOT,
): KubernetesSettings {
    for (const [key, replacement] of Object.entries(REPLACED_KEYS)) {
        if (block.has(key)) block.report(key, replacement);
    }
    block.rejectUnknown([...KUBERNETES_KEYS, ...Object.keys(REPLACED_KEYS)]);
    const context = block.optionalString("context");
    const ingressClass = block.string("ingressClass", "traefik");
    checkName(
        block,
        "ingressClass",
        ingressClass,
        DNS_SUBDOMAIN,
        253,
        "an IngressClass name such as traefik",
    );
    const clusterIssuer = block.string("clusterIssuer") ?? "";
    checkName(
        block,
        "clusterIssuer",
        clusterIssuer,
        DNS_SUBDOMAIN,
        253,
        "a ClusterIssuer name such as letsencrypt-prod",
    );
    const ingressNamespace = block.string("ingressNamespace") ?? "";
    checkName(
        block,
        "ingressNamespace",
        ingressNamespace,
        DNS_LABEL,
        63,
        "a namespace name such as traefik",
    );
    const chartPath = readChartPath(block, projectRoot);
    const registry = readRegistry(block);
    const waitForReady = block.boolean("waitForReady", true);
    const reservedNamespaces = block.optionalStringList("reservedNamespaces");
    const badNamespaces = reservedNamespaces.filter(
        (name) => !DNS_LABEL.test(name) || name.length > 63,
    );
    if (badNamespaces.length > 0) {
        block.report(
            "reservedNamespaces",
            `must list namespace names: lowercase letters, digits and '-', at most 63 characters (got ${badNamespaces.map((name) => JSON.stringify(name)).join(", ")})`,
        );
    }
    return {
        ...(context !== undefined && { context }),
        ingressClass,
        clusterIssuer,
        ingressNamespace,
        chartPath,
        ...(registry && { registry }),
        waitForReady,
        reservedNamespaces,
    };
}

function checkName(
    block: ConfigBlock,
    field: string,
    value: string,
    pattern: RegExp,
    limit: number,
    example: string,
): void {
    if (value !== "" && (!pattern.test(value) || value.length > limit)) {
        block.report(
            field,
            `must be ${example}: lowercase letters, digits and '-', at most ${limit} characters (got ${JSON.stringify(value)})`,
        );
    }
}

/** The chart folder, relative to the project root and inside it; it must hold a Chart.yaml. */
function readChartPath(block: ConfigBlock, projectRoot: string): string {
    const value = block.string("chartPath", DEFAULT_CHART_PATH);
    if (path.isAbsolute(value) || value.includes("\\")) {
        block.report(
            "chartPath",
            `must be a path relative to the project root with '/' separators, such as ${DEFAULT_CHART_PATH} (got ${JSON.stringify(value)})`,
        );
        return DEFAULT_CHART_PATH;
    }
    const normalised = path.posix.normalize(value).replace(/\/+$/, "");
    if (normalised === ".." || normalised.startsWith("../")) {
        block.report("chartPath", `must stay inside the project (got ${JSON.stringify(value)})`);
        return DEFAULT_CHART_PATH;
    }
    if (!fs.existsSync(path.join(projectRoot, normalised, "Chart.yaml"))) {
        block.report(
            "chartPath",
            `must be a Helm chart folder: no Chart.yaml in ${normalised}/ of the project`,
        );
    }
    return normalised;
}

function readRegistry(block: ConfigBlock): RegistryCredentials | undefined {
    const registryBlock = block.block("registry", false);
    if (!registryBlock) return undefined;
    registryBlock.rejectUnknown(REGISTRY_KEYS);
    const server = registryBlock.string("server") ?? "";
    if (server !== "" && !REGISTRY_SERVER.test(server)) {
        registryBlock.report(
            "server",
            `must be a registry host such as registry.example.org, without a scheme or path (got ${JSON.stringify(server)})`,
        );
    }
    const username = registryBlock.string("username") ?? "";
    let password: string | undefined;
    if (registryBlock.has("password")) {
        password = registryBlock.optionalSecret("password");
    } else {
        registryBlock.report(
            "password",
            "is required; set it once per stack with: pulumi config set --secret --path aims:kubernetes.registry.password",
        );
    }
    return { server, username, password: pulumi.secret(password ?? "") };
}

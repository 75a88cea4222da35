/**
 * The `aims:kubernetes` block of a stack (schema/kubernetes.schema.json): how tenants reach the
 * cluster and its shared services. Checked here beyond the schema: the chart folder is inside
 * the project and holds a Chart.yaml, and prod waits for its pods and can pull its images.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { SchemaProblem } from "../json-schema/problems";
import { PROJECT_ROOT } from "../support/project-root";
import type { Environment } from "../vocabulary/words";

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
    /**
     * The imagePullPolicy of every container the program runs: the app's and the backup Job's.
     * `Always` by default; a node that was given its images without a registry needs
     * `IfNotPresent` or `Never`, which prod refuses: a prod node without the image could never
     * start it.
     */
    readonly imagePullPolicy: ImagePullPolicy;
    /** Namespaces of the cluster no tenant may be named like, besides the ones the stack config names. */
    readonly reservedNamespaces: readonly string[];
}

export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";

export interface RegistryCredentials {
    /** Registry host, optionally with a port: `registry.example.org`. */
    readonly server: string;
    readonly username: string;
    /** A secret: `pulumi config set --secret --path aims:kubernetes.registry.password`. */
    readonly password: pulumi.Output<string>;
}

/** The block as the schema describes it, defaults filled in. */
type KubernetesValues = Omit<KubernetesSettings, "registry" | "reservedNamespaces"> & {
    readonly registry?: Omit<RegistryCredentials, "password"> & { readonly password: string };
    readonly reservedNamespaces?: readonly string[];
};

export interface KubernetesContext {
    readonly environment?: Environment;
    /** Whether the schema found no problem at a key. */
    readonly isValid: (key: string) => boolean;
    readonly projectRoot?: string;
}

export function kubernetesProblems(
    block: Record<string, unknown>,
    { environment, isValid, projectRoot = PROJECT_ROOT }: KubernetesContext,
): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    if (isValid("aims:kubernetes.chartPath")) {
        const problem = chartPathProblem(block.chartPath as string, projectRoot);
        if (problem) problems.push({ key: "aims:kubernetes.chartPath", message: problem });
    }
    if (environment === "prod" && block.waitForReady === false) {
        problems.push({
            key: "aims:kubernetes.waitForReady",
            message:
                "must not be false in prod: a rollout or backup that never becomes ready must fail `pulumi up`",
        });
    }
    if (environment === "prod" && block.imagePullPolicy === "Never") {
        problems.push({
            key: "aims:kubernetes.imagePullPolicy",
            message:
                "must not be Never in prod: a node that does not have the image could never start the tenant's pods",
        });
    }
    return problems;
}

/** The settings of a block without problems. */
export function kubernetesSettings(block: Record<string, unknown>): KubernetesSettings {
    const { registry, reservedNamespaces, chartPath, ...values } = block as KubernetesValues;
    return {
        ...values,
        chartPath: normalised(chartPath),
        ...(registry && { registry: { ...registry, password: pulumi.secret(registry.password) } }),
        reservedNamespaces: reservedNamespaces ?? [],
    };
}

/** The chart folder must stay inside the project and hold a Chart.yaml. */
function chartPathProblem(value: string, projectRoot: string): string | undefined {
    const folder = normalised(value);
    if (folder === ".." || folder.startsWith("../")) {
        return `must stay inside the project (got ${JSON.stringify(value)})`;
    }
    if (!fs.existsSync(path.join(projectRoot, folder, "Chart.yaml"))) {
        return `must be a Helm chart folder: no Chart.yaml in ${folder}/ of the project`;
    }
    return undefined;
}

const normalised = (chartPath: string) => path.posix.normalize(chartPath).replace(/\/+$/, "");

/**
 * Whether a tenant runs its ring's version, healthy, read from the cluster: its Helm release is
 * deployed, and each of its Deployments runs the version in every app container, has seen its
 * latest spec, and has all its replicas updated and available. "since" is when the last of its
 * Deployments started its rollout to the version: the creation of the ReplicaSet that runs it.
 */
import type { KubeObject } from "../kube-client";
import {
    backendServiceName,
    frontendServiceName,
    namespaceName,
    releaseName,
} from "../../../components/vocabulary/naming";
import type { ClusterReader } from "./cluster";

export type Health =
    | { readonly state: "healthy"; readonly since: Date }
    | { readonly state: "unhealthy" | "unknown"; readonly reason: string };

interface Workload {
    metadata: KubeObject["metadata"] & {
        generation?: number;
        creationTimestamp?: string;
        ownerReferences?: Array<{ kind: string; name: string }>;
    };
    spec?: {
        replicas?: number;
        template?: { spec?: { containers?: Array<{ name: string; image: string }> } };
    };
    status?: {
        observedGeneration?: number;
        replicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
    };
}

/** The tag of an image reference (`registry:5000/aims/backend:1.4.0@sha256:...` -> `1.4.0`). */
export function imageTag(image: string): string | undefined {
    const name = image.split("@")[0];
    const colon = name.lastIndexOf(":");
    return colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined;
}

export async function kubernetesTenantHealth(
    cluster: ClusterReader,
    tenant: string,
    version: string,
    repositories: readonly string[],
): Promise<Health> {
    try {
        return await readHealth(cluster, tenant, version, repositories);
    } catch (err) {
        return { state: "unknown", reason: `cannot read the cluster: ${(err as Error).message}` };
    }
}

async function readHealth(
    cluster: ClusterReader,
    tenant: string,
    version: string,
    repositories: readonly string[],
): Promise<Health> {
    const namespace = namespaceName(tenant);
    const release = releaseName(tenant);
    const unhealthy = (reason: string): Health => ({ state: "unhealthy", reason });
    const revisions = await cluster.list(
        `/api/v1/namespaces/${namespace}/secrets`,
        `owner=helm,name=${release}`,
    );
    const latest = revisions.sort(
        (a, b) => Number(b.metadata.labels?.version) - Number(a.metadata.labels?.version),
    )[0];
    if (!latest) return unhealthy(`no Helm release ${release} in namespace ${namespace}`);
    const releaseStatus = latest.metadata.labels?.status;
    if (releaseStatus !== "deployed")
        return unhealthy(
            `Helm release ${release} revision ${latest.metadata.labels?.version} is ${releaseStatus}`,
        );
    const starts: Date[] = [];
    for (const name of [frontendServiceName(release), backendServiceName(release)]) {
        const deployment = (await cluster.get(
            `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
        )) as Workload | undefined;
        if (!deployment) return unhealthy(`no Deployment ${name}`);
        const problem = deploymentProblem(deployment, version, repositories);
        if (problem) return unhealthy(`Deployment ${name}: ${problem}`);
        const start = await rolloutStart(cluster, namespace, name, version, repositories);
        if (!start) return unhealthy(`Deployment ${name}: no ReplicaSet runs ${version}`);
        starts.push(start);
    }
    return { state: "healthy", since: new Date(Math.max(...starts.map(Number))) };
}

function deploymentProblem(
    deployment: Workload,
    version: string,
    repositories: readonly string[],
): string | undefined {
    const running = appTags(deployment, repositories);
    if (running.length === 0) return `no container runs an image of ${repositories.join(" or ")}`;
    const other = running.find((tag) => tag !== version);
    if (other !== undefined) return `runs ${other}, not ${version}`;
    const generation = deployment.metadata.generation ?? 0;
    if ((deployment.status?.observedGeneration ?? 0) < generation)
        return `its controller has not seen generation ${generation} yet`;
    const wanted = deployment.spec?.replicas ?? 1;
    const { replicas = 0, updatedReplicas = 0, availableReplicas = 0 } = deployment.status ?? {};
    if (wanted === 0) return "is scaled to zero";
    if (updatedReplicas !== wanted || replicas !== wanted || availableReplicas !== wanted)
        return `${updatedReplicas} updated, ${availableReplicas} available of ${wanted} replicas (${replicas} in all)`;
    return undefined;
}

/** Tags of the containers that run an app image. */
function appTags(workload: Workload, repositories: readonly string[]): string[] {
    return (workload.spec?.template?.spec?.containers ?? [])
        .filter((container) =>
            repositories.some((repository) => container.image.startsWith(`${repository}:`)),
        )
        .map((container) => imageTag(container.image) ?? "");
}

async function rolloutStart(
    cluster: ClusterReader,
    namespace: string,
    deployment: string,
    version: string,
    repositories: readonly string[],
): Promise<Date | undefined> {
    const sets = (await cluster.list(
        `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    )) as Workload[];
    const created = sets
        .filter((set) =>
            set.metadata.ownerReferences?.some(
                (owner) => owner.kind === "Deployment" && owner.name === deployment,
            ),
        )
        .filter((set) => {
            const tags = appTags(set, repositories);
            return tags.length > 0 && tags.every((tag) => tag === version);
        })
        .map((set) => Date.parse(set.metadata.creationTimestamp ?? ""))
        .filter((time) => !Number.isNaN(time));
    return created.length > 0 ? new Date(Math.max(...created)) : undefined;
}

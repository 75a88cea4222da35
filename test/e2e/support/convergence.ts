/**
 * What a stack holds and what the platform holds for its tenants, in the same words
 * (`<kind> <id>`), so that a test can say the two are the same: no object of the stack's tenants
 * outside the state (an orphan), and no state entry without its object.
 */
import type { KubeClient } from "./kube";
import type { Platform } from "./platform";
import { adminQuery } from "./postgres";
import type { RealStack } from "./project";

const TENANT_LABEL = "aims.example.org/tenant";

/** Namespaced collections the program creates objects in, by the kind its state names. */
const NAMESPACED: ReadonlyArray<[kind: string, collection: string]> = [
    ["Secret", "/api/v1/namespaces/{ns}/secrets"],
    ["ResourceQuota", "/api/v1/namespaces/{ns}/resourcequotas"],
    ["LimitRange", "/api/v1/namespaces/{ns}/limitranges"],
    ["NetworkPolicy", "/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies"],
    ["Ingress", "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses"],
    ["Job", "/apis/batch/v1/namespaces/{ns}/jobs"],
];

const STATE_KINDS: Readonly<Record<string, string>> = {
    "kubernetes:core/v1:Namespace": "Namespace",
    "kubernetes:core/v1:Secret": "Secret",
    "kubernetes:core/v1:ResourceQuota": "ResourceQuota",
    "kubernetes:core/v1:LimitRange": "LimitRange",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": "NetworkPolicy",
    "kubernetes:networking.k8s.io/v1:Ingress": "Ingress",
    "kubernetes:batch/v1:Job": "Job",
    "kubernetes:helm.sh/v3:Release": "Release",
    "postgresql:index/database:Database": "Database",
    "postgresql:index/role:Role": "Role",
};

/** The objects of the state, as `<kind> <id>`, sorted. */
export async function stateObjects(stack: RealStack): Promise<string[]> {
    return (await stack.stateResources())
        .filter((resource) => STATE_KINDS[resource.type] !== undefined)
        .map((resource) => `${STATE_KINDS[resource.type]} ${(resource as { id?: string }).id}`)
        .sort();
}

/** The objects of `tenants` on the cluster (by the program's tenant label, and the namespaces by name) and in PostgreSQL (by name). */
export async function platformObjects(
    platform: Platform,
    kube: KubeClient,
    tenants: readonly string[],
): Promise<string[]> {
    const found: string[] = [];
    for (const tenant of tenants) {
        const namespace = await kube.get(`/api/v1/namespaces/${tenant}`);
        if (!namespace) continue;
        found.push(`Namespace ${tenant}`);
        for (const [kind, collection] of NAMESPACED) {
            for (const object of await kube.list(collection.replace("{ns}", tenant), TENANT_LABEL))
                found.push(`${kind} ${tenant}/${object.metadata.name}`);
        }
        const releases = new Set(
            (await kube.list(`/api/v1/namespaces/${tenant}/secrets`, "owner=helm")).map(
                (s) => s.metadata.labels?.name,
            ),
        );
        for (const release of releases) found.push(`Release ${tenant}/${release}`);
    }
    const names = tenants.map((tenant) => `tenant_${tenant.replace(/-/g, "_")}`);
    for (const row of await adminQuery<{ datname: string }>(
        platform,
        "SELECT datname FROM pg_database WHERE datname = ANY($1)",
        [names],
    ))
        found.push(`Database ${row.datname}`);
    for (const row of await adminQuery<{ rolname: string }>(
        platform,
        "SELECT rolname FROM pg_roles WHERE rolname = ANY($1)",
        [names],
    ))
        found.push(`Role ${row.rolname}`);
    return found.sort();
}

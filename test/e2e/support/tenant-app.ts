/**
 * The tenant's app as it runs on the node: its Deployments' readiness through the Kubernetes API,
 * and what the stand-in app wrote to the tenant's database (test/e2e/standin-images), read with
 * the tenant's own credentials from its Secret, as a pod reads them.
 */
import type { KubeClient, KubeObject } from "./kube";
import type { Platform } from "./platform";
import { withSession } from "./postgres";

export interface SeededSchool {
    readonly subdomain: string;
    /** When `bootstrap_tenant` seeded it: a restore brings back the original time. */
    readonly seededAt: string;
}

/** The tenant's database login from its Kubernetes Secret. */
export async function tenantLogin(kube: KubeClient, tenant: string) {
    const secret = await kube.get(`/api/v1/namespaces/${tenant}/secrets/${tenant}-database`);
    if (!secret?.data) throw new Error(`Secret ${tenant}/${tenant}-database does not exist`);
    const value = (key: string) => Buffer.from(secret.data![key], "base64").toString("utf8");
    return { user: value("username"), password: value("password"), database: value("database") };
}

/** The row the stand-in's bootstrap seeded, or undefined when its table or row is missing. */
export async function seededSchool(
    platform: Platform,
    kube: KubeClient,
    tenant: string,
): Promise<SeededSchool | undefined> {
    const login = await tenantLogin(kube, tenant);
    return withSession(platform, login, login.database, async (client) => {
        const table = await client.query("SELECT to_regclass('public.standin_school') AS name");
        if (!table.rows[0].name) return undefined;
        const rows = await client.query(
            "SELECT subdomain, seeded_at::text AS seeded_at FROM standin_school",
        );
        const row = rows.rows[0];
        return row && { subdomain: row.subdomain, seededAt: row.seeded_at };
    });
}

/** Each Deployment of the tenant: `name: ready/wanted @ image tag`, sorted. */
export async function deploymentsReady(kube: KubeClient, tenant: string): Promise<string[]> {
    const deployments = await kube.list(`/apis/apps/v1/namespaces/${tenant}/deployments`);
    return deployments
        .map((d: KubeObject) => {
            const tag = String(d.spec.template.spec.containers[0].image).split(":").pop();
            return `${d.metadata.name}: ${d.status?.availableReplicas ?? 0}/${d.spec.replicas} @ ${tag}`;
        })
        .sort();
}

/** Names of the tenant's pods, terminating ones included. */
export async function podsOf(kube: KubeClient, tenant: string): Promise<string[]> {
    return (await kube.list(`/api/v1/namespaces/${tenant}/pods`)).map((p) => p.metadata.name);
}

/** The app version each Ready pod of the tenant runs: `backend 1.0.0`, sorted. */
export async function readyPods(kube: KubeClient, tenant: string): Promise<string[]> {
    const pods = await kube.list(`/api/v1/namespaces/${tenant}/pods`);
    return pods
        .filter((p) =>
            (p.status?.conditions ?? []).some(
                (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
            ),
        )
        .map((p) => {
            const component = p.metadata.labels?.["app.kubernetes.io/component"];
            return `${component} ${String(p.spec.containers[0].image).split(":").pop()}`;
        })
        .sort();
}

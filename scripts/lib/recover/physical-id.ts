/**
 * The object a resource of the state stands for, derived from its type and recorded inputs alone
 * (a pending create has no id yet): where to look for it, and the id its provider imports it by.
 */

/** Kubernetes kinds the program creates, with the collection each lives in. */
const KUBERNETES_COLLECTIONS: Readonly<Record<string, string>> = {
    Namespace: "namespaces",
    Secret: "secrets",
    ResourceQuota: "resourcequotas",
    LimitRange: "limitranges",
    NetworkPolicy: "networkpolicies",
    Ingress: "ingresses",
    Job: "jobs",
    ConfigMap: "configmaps",
    ServiceAccount: "serviceaccounts",
};
const CLUSTER_SCOPED = new Set(["Namespace"]);

export type PhysicalIdentity =
    /** An object of the Kubernetes API: `apiPath` reads it, `id` imports it (`<namespace>/<name>`, or `<name>`). */
    | {
          readonly kind: "kubernetes";
          readonly id: string;
          readonly apiPath: string;
          readonly name: string;
          readonly namespace?: string;
      }
    /** A Helm release: its revisions are Secrets in its namespace; it imports as `<namespace>/<name>`. */
    | {
          readonly kind: "helm-release";
          readonly id: string;
          readonly namespace: string;
          readonly name: string;
      }
    | { readonly kind: "postgres-database"; readonly id: string; readonly name: string }
    | { readonly kind: "postgres-role"; readonly id: string; readonly name: string }
    /**
     * Nothing outside the state to find, or an object whose create may simply run again: random
     * values live only in the state; a grant or a membership is granted again without error; a
     * provider is configuration. Its pending create is cleared, and the next update creates it.
     */
    | { readonly kind: "recreated"; readonly why: string }
    /** A type recovery does not know: it refuses rather than guess. */
    | { readonly kind: "unknown"; readonly why: string };

/** What Pulumi shows for a value that is not known yet (a preview of a resource whose input comes from another's output). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function physicalIdentity(
    type: string,
    inputs: Record<string, unknown> = {},
): PhysicalIdentity {
    if (type.startsWith("pulumi:providers:"))
        return recreated("a provider is configuration in the state");
    if (type.startsWith("random:")) return recreated("a random value exists only in the state");
    // The core cleanup's create runs nothing (its delete tells the core to forget the tenant); the
    // rollout check's create only reads the cluster. Either may run again.
    if (type === "command:local:Command")
        return recreated("a command whose create changes nothing outside the state");
    if (type === "postgresql:index/grant:Grant" || type === "postgresql:index/grantRole:GrantRole")
        return recreated("granting again what is granted is no error");
    if (type === "postgresql:index/database:Database" || type === "postgresql:index/role:Role") {
        const name = knownString(inputs.name);
        if (name === undefined) return unknown(type, "name");
        return type.endsWith(":Database")
            ? { kind: "postgres-database", id: name, name }
            : { kind: "postgres-role", id: name, name };
    }
    if (type === "kubernetes:helm.sh/v3:Release") {
        const name = knownString(inputs.name);
        const namespace = knownString(inputs.namespace);
        if (name === undefined) return unknown(type, "name");
        if (namespace === undefined) return unknown(type, "namespace");
        return { kind: "helm-release", id: `${namespace}/${name}`, namespace, name };
    }
    const match = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z]+)$/.exec(type);
    if (match) return kubernetesIdentity(type, match[1], match[2], match[3], inputs);
    return { kind: "unknown", why: `${type} is not a type recovery knows how to find` };
}

function kubernetesIdentity(
    type: string,
    group: string,
    version: string,
    kind: string,
    inputs: Record<string, unknown>,
): PhysicalIdentity {
    const collection = KUBERNETES_COLLECTIONS[kind];
    if (!collection)
        return { kind: "unknown", why: `${type} is not a kind recovery knows how to find` };
    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
    const name = knownString(metadata.name);
    if (name === undefined) return unknown(type, "metadata.name");
    const base = group === "core" ? `/api/${version}` : `/apis/${group}/${version}`;
    const segment = (value: string) => encodeURIComponent(value);
    if (CLUSTER_SCOPED.has(kind))
        return {
            kind: "kubernetes",
            id: name,
            apiPath: `${base}/${collection}/${segment(name)}`,
            name,
        };
    const namespace = knownString(metadata.namespace);
    if (namespace === undefined) return unknown(type, "metadata.namespace");
    return {
        kind: "kubernetes",
        id: `${namespace}/${name}`,
        apiPath: `${base}/namespaces/${segment(namespace)}/${collection}/${segment(name)}`,
        name,
        namespace,
    };
}

/** A plain, known, non-empty string; a secret or an unknown value is not one. */
function knownString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" && value !== UNKNOWN_VALUE ? value : undefined;
}

const recreated = (why: string): PhysicalIdentity => ({ kind: "recreated", why });
const unknown = (type: string, field: string): PhysicalIdentity => ({
    kind: "unknown",
    why: `${type} has no known ${field} in its recorded inputs`,
});

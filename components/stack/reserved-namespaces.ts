/**
 * Namespaces the stack relies on: the ingress controller's, the namespaces of the in-cluster
 * services its config names (PgBouncer, the core service, object storage), and the ones it
 * reserves explicitly. A tenant's namespace is its name, and server-side apply adopts an
 * existing namespace, so a tenant named like one of them would take it over and, when removed,
 * delete it.
 */
import { valueAt } from "../json-schema/subschema";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackValues } from "./stack-values";

export interface StackNamespace {
    readonly name: string;
    /** Why the stack relies on it, for messages: "the ingress controller's namespace". */
    readonly what: string;
    /** The config key it comes from: `aims:kubernetes.ingressNamespace`. */
    readonly key: string;
}

/** `<service>.<namespace>.svc` or `<service>.<namespace>.svc.cluster.local`, with or without the final dot. */
const IN_CLUSTER_HOST =
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.(?<namespace>[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/;

/** The namespace of an in-cluster service host, or undefined for any other host. */
export function namespaceOfHost(host: string): string | undefined {
    return IN_CLUSTER_HOST.exec(host.toLowerCase())?.groups?.namespace;
}

/** The namespace of an http(s) URL's host, when it is an in-cluster service. */
export function namespaceOfUrl(url: string): string | undefined {
    let host: string;
    try {
        host = new URL(url).hostname;
    } catch {
        return undefined;
    }
    return namespaceOfHost(host);
}

/** Keys of the config that name a host, and keys that name a URL, of a service the stack uses. */
const SERVICE_HOSTS = ["aims:database.host", "aims:database.appHost", "aims:core.database.host"];
const SERVICE_URLS = ["aims:core.url", "aims:core.objectStorage.endpoint", "aims:backup.endpoint"];

/** The namespaces the stack's config names, from the values `isValid` accepts. */
export function stackNamespaces(
    values: StackValues,
    isValid: (key: string) => boolean,
): StackNamespace[] {
    const valueOf = (key: string) => (isValid(key) ? valueAt(values, key.split(".")) : undefined);
    const text = (key: string) => {
        const value = valueOf(key);
        return typeof value === "string" ? value : undefined;
    };
    const namespaces: StackNamespace[] = [];
    const ingressNamespace = text("aims:kubernetes.ingressNamespace");
    if (ingressNamespace) {
        namespaces.push({
            name: ingressNamespace,
            what: "the ingress controller's namespace",
            key: "aims:kubernetes.ingressNamespace",
        });
    }
    const reserved = valueOf("aims:kubernetes.reservedNamespaces");
    for (const name of Array.isArray(reserved) ? (reserved as string[]) : []) {
        namespaces.push({
            name,
            what: "a namespace the stack reserves",
            key: "aims:kubernetes.reservedNamespaces",
        });
    }
    const service = (key: string, name: string | undefined) => {
        if (name) namespaces.push({ name, what: "the namespace of a service the stack uses", key });
    };
    for (const key of SERVICE_HOSTS) {
        const host = text(key);
        service(key, host && namespaceOfHost(host));
    }
    for (const key of SERVICE_URLS) {
        const url = text(key);
        service(key, url && namespaceOfUrl(url));
    }
    return namespaces;
}

/** One problem per tenant named like a namespace of the stack. */
export function reservedNamespaceProblems(
    tenants: readonly TenantSpec[],
    namespaces: readonly StackNamespace[],
    stackFile: string,
): string[] {
    const problems: string[] = [];
    for (const tenant of tenants) {
        const taken = namespaces.find((namespace) => namespace.name === tenant.name);
        if (taken) {
            problems.push(
                `${tenant.file}: name: "${tenant.name}" is ${taken.what} (${taken.key} in ${stackFile}); choose another name`,
            );
        }
    }
    return problems;
}

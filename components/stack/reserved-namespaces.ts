/**
 * Namespaces the stack relies on: the ingress controller's, the namespaces of the in-cluster
 * services its config names (PgBouncer, the core service, object storage), and the ones it
 * reserves explicitly. A tenant's namespace is its name, and server-side apply adopts an
 * existing namespace, so a tenant named like one of them would take it over and, when removed,
 * delete it.
 */
import { parseUrl } from "./config";
import type { TenantSpec } from "../registry";

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
    const host = parseUrl(url)?.hostname;
    return host === undefined ? undefined : namespaceOfHost(host);
}

export interface NamespaceSources {
    readonly ingressNamespace?: string;
    readonly reservedNamespaces?: readonly string[];
    /** In-cluster hosts and URLs of the config, by key. */
    readonly hosts: ReadonlyArray<{ readonly key: string; readonly host?: string }>;
    readonly urls: ReadonlyArray<{ readonly key: string; readonly url?: string }>;
}

export function stackNamespaces(sources: NamespaceSources): StackNamespace[] {
    const namespaces: StackNamespace[] = [];
    if (sources.ingressNamespace) {
        namespaces.push({
            name: sources.ingressNamespace,
            what: "the ingress controller's namespace",
            key: "aims:kubernetes.ingressNamespace",
        });
    }
    for (const name of sources.reservedNamespaces ?? []) {
        namespaces.push({
            name,
            what: "a namespace the stack reserves",
            key: "aims:kubernetes.reservedNamespaces",
        });
    }
    const service = (key: string, name: string | undefined) => {
        if (name) namespaces.push({ name, what: "the namespace of a service the stack uses", key });
    };
    for (const { key, host } of sources.hosts) service(key, host && namespaceOfHost(host));
    for (const { key, url } of sources.urls) service(key, url && namespaceOfUrl(url));
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

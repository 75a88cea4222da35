/**
 * Hosts that serve traffic. A tenant's custom `domain` must be a public host of its own: not an
 * IP address, a wildcard or a name inside the cluster, and apart from every base domain of every
 * stack, where the hosts belong to the platform (`<name>.<baseDomain>` of each tenant, reserved
 * names such as www and api). A tenant's own host, `<name>.<baseDomain>`, must not be another
 * stack's base domain or above it. Hosts compare without regard to case or a final dot.
 */
import * as net from "node:net";
import type { TenantSpec } from "./registry";
import { RESERVED_NAMES } from "./reserved-names";
import commonSchema from "../../schema/common.schema.json";

/** A stack's base domain, and the stack file it is set in; none when the file has no valid one. */
export interface StackDomain {
    readonly file: string;
    readonly baseDomain?: string;
}

/** Suffixes of names that resolve inside a cluster or a machine, never on the internet. */
const INTERNAL_SUFFIXES = [
    "localhost",
    "local",
    "svc",
    "cluster.local",
    "internal",
    "home.arpa",
    "in-addr.arpa",
    "ip6.arpa",
];

/** Lowercase, without the final dot: how DNS and a load balancer compare hosts. */
export function canonicalHost(host: string): string {
    return host.toLowerCase().replace(/\.$/, "");
}

/** The pattern of a tenant's domain, and of every other host name of the config. */
const HOSTNAME = new RegExp(commonSchema.definitions.hostname.pattern);

const isUnder = (host: string, parent: string) => host.endsWith(`.${parent}`);

/** What is wrong with a custom domain on its own, or undefined. */
export function domainShapeProblem(domain: string): string | undefined {
    const host = canonicalHost(domain);
    const bare = host.replace(/^\[(.*)\]$/, "$1");
    if (net.isIP(bare) !== 0 || bare.includes(":")) {
        return "must be a hostname, not an IP address";
    }
    if (/(^|\.)(\d+|0x[0-9a-f]+)$/.test(host)) {
        return "must be a hostname, not an IP address: its last label is a number, which resolvers read as an address";
    }
    if (/[*?]/.test(host)) {
        return "must be exactly one host, not a wildcard";
    }
    if (INTERNAL_SUFFIXES.some((suffix) => host === suffix || isUnder(host, suffix))) {
        return "must be a public host, not a name inside the cluster or the machine (localhost, *.local, *.svc, *.cluster.local, *.internal)";
    }
    // Otherwise a valid host spelled another way: say how to write it. Anything else gets the schema's message.
    if (HOSTNAME.test(host) && domain !== host) {
        return `must be written in lowercase, without a final dot: ${host}`;
    }
    return undefined;
}

/**
 * Problems of every tenant's hosts against every stack's base domain. `stacks` holds every stack
 * of the project that is known, the running one included.
 */
export function hostProblems(
    tenants: readonly TenantSpec[],
    stacks: readonly StackDomain[],
): string[] {
    const bases = stacks
        .map((stack) => ({ ...stack, baseDomain: canonicalHost(stack.baseDomain ?? "") }))
        .filter((stack) => stack.baseDomain !== "");
    const names = new Map(tenants.map((tenant) => [tenant.name, tenant]));
    const problems: string[] = [];
    for (const tenant of tenants) {
        if (tenant.domain !== undefined) {
            const clash = domainClash(canonicalHost(tenant.domain), bases, names);
            if (clash) problems.push(`${tenant.file}: domain: ${clash}`);
        }
        for (const own of bases) {
            const host = `${tenant.name}.${own.baseDomain}`;
            const other =
                bases.find((stack) => stack.baseDomain === host) ??
                bases.find((stack) => isUnder(stack.baseDomain, host));
            if (other) {
                problems.push(
                    `${tenant.file}: name: its host ${host} in ${own.file} ${other.baseDomain === host ? "is" : "is above"} the base domain ${other.baseDomain} of ${other.file}; choose another name`,
                );
            }
        }
    }
    return [...new Set(problems)];
}

function domainClash(
    domain: string,
    bases: readonly Required<StackDomain>[],
    tenants: ReadonlyMap<string, TenantSpec>,
): string | undefined {
    const same = bases.find(({ baseDomain }) => baseDomain === domain);
    if (same) {
        return `${domain} is the base domain of ${same.file}`;
    }
    for (const { baseDomain, file } of bases) {
        if (isUnder(baseDomain, domain)) {
            return `${domain} is above the base domain ${baseDomain} of ${file}; a tenant there could set cookies for every host under it`;
        }
        if (!isUnder(domain, baseDomain)) continue;
        const label = domain.slice(0, -baseDomain.length - 1);
        const owner = tenants.get(label);
        const whose = owner
            ? `the host of tenant ${owner.name} (${owner.file})`
            : RESERVED_NAMES.has(label)
              ? `the reserved host ${label}`
              : "a host";
        return `${domain} is ${whose} under the base domain ${baseDomain} of ${file}; hosts under a base domain belong to the platform, a custom domain must be outside every base domain`;
    }
    return undefined;
}

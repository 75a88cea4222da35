/**
 * Whether a ring of a stack may get a version: the ring before it runs that version, every one
 * of its running tenants is healthy at it, at least one of them proves it, and it has run it for
 * its soak time. The first ring has no ring before it. Pure: the fleet and the time come in.
 */
import { compareTags, parseVersion } from "../../../components/vocabulary/versions";
import type { RingState, StackFleet } from "./fleet";

export type Decision =
    | { readonly kind: "promote"; readonly from: string; readonly evidence: string }
    | { readonly kind: "unchanged"; readonly why: string }
    | { readonly kind: "refuse"; readonly reasons: readonly string[] };

export function promotionDecision(
    fleet: StackFleet,
    ringName: string,
    version: string,
    now: Date,
): Decision {
    const refuse = (...reasons: string[]): Decision => ({ kind: "refuse", reasons });
    if (!fleet.rings) return refuse(`${fleet.file} has no aims:rings`);
    const index = fleet.rings.findIndex((ring) => ring.name === ringName);
    if (index < 0)
        return refuse(
            `${fleet.file} has no ring ${ringName} (aims:rings: ${fleet.rings.map((r) => r.name).join(", ")})`,
        );
    const ring = fleet.rings[index];
    if (!parseVersion(version))
        return refuse(`${version} is not an orderable version, which a ring needs`);
    if (ring.version === version)
        return { kind: "unchanged", why: `ring ${ring.name} already runs ${version}` };
    if ((compareTags(version, ring.version) ?? 0) < 0)
        return refuse(
            `${version} is older than ${ring.version}, which ring ${ring.name} runs: that is a rollback (npm run release -- rollback --ring ${ring.name})`,
        );
    if (index === 0) return { kind: "promote", from: ring.version, evidence: "the first ring" };
    const before = fleet.rings[index - 1];
    const proof = provenBy(before, version, now);
    return "reasons" in proof
        ? refuse(...proof.reasons)
        : { kind: "promote", from: ring.version, evidence: proof.evidence };
}

function provenBy(
    ring: RingState,
    version: string,
    now: Date,
): { evidence: string } | { reasons: string[] } {
    if (ring.version !== version)
        return {
            reasons: [
                `ring ${ring.name}, the ring before, runs ${ring.version}, not ${version}: promote ${ring.name} first`,
            ],
        };
    const reasons = ring.tenants
        .filter((tenant) => tenant.health === "unhealthy" || tenant.health === "unknown")
        .map(
            (tenant) =>
                `${tenant.name} (ring ${ring.name}) is ${tenant.health} at ${version}: ${tenant.reason ?? "no reason given"}`,
        );
    if (reasons.length > 0) return { reasons };
    const healthy = ring.tenants.filter((tenant) => tenant.health === "healthy");
    if (healthy.length === 0)
        return {
            reasons: [
                `ring ${ring.name} has no running tenant at ${version} (${ring.tenants.length} tenant${ring.tenants.length === 1 ? "" : "s"}, none healthy): nothing has proven the version`,
            ],
        };
    const since = new Date(Math.max(...healthy.map((tenant) => Date.parse(tenant.since!))));
    const until = new Date(since.getTime() + ring.soakMinutes * 60_000);
    if (until > now) {
        const left = Math.ceil((until.getTime() - now.getTime()) / 60_000);
        return {
            reasons: [
                `ring ${ring.name} has run ${version} since ${since.toISOString()}; it soaks ${ring.soakMinutes} minutes, until ${until.toISOString()} (${left} minutes left)`,
            ],
        };
    }
    return {
        evidence: `ring ${ring.name}: ${healthy.length} tenant${healthy.length === 1 ? "" : "s"} healthy at ${version} since ${since.toISOString()}, soaked ${ring.soakMinutes} minutes`,
    };
}

/** The promotions `--next` tries: each ring behind the ring before it gets that ring's version. */
export function nextPromotions(fleet: StackFleet): Array<{ ring: string; version: string }> {
    const rings = fleet.rings ?? [];
    return rings.slice(1).flatMap((ring, i) => {
        const before = rings[i];
        return (compareTags(ring.version, before.version) ?? 0) < 0
            ? [{ ring: ring.name, version: before.version }]
            : [];
    });
}

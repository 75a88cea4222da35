/**
 * The rings against what the stack deployed last time (its own `rings` output): a ring's version
 * may not go back unless `aims:rollbackRings` names the ring, and a name there must be a ring whose
 * version this update lowers, so that a confirmation left behind cannot confirm a later accident.
 * A rollback of the image does not roll back the database (docs/releases.md), hence the review.
 */
import type { Ring, RingSettings } from "../stack/rings";
import type { StackSettings } from "../stack/settings";
import { compareTags } from "../vocabulary/versions";
import type { DeployedRing, DeploymentHistory } from "./deployment-history";

/** The `rings` output: each ring's name and version, in promotion order. */
export function ringsOutput(rings: RingSettings): DeployedRing[] {
    return rings.rings.map(({ name, version }) => ({ name, version }));
}

export function ringHistoryProblems(
    history: DeploymentHistory,
    settings: Pick<StackSettings, "file" | "rings">,
): string[] {
    const { file, rings } = settings;
    if (!rings) return [];
    const deployed = history.kind === "deployed" ? (history.rings ?? []) : [];
    const problems: string[] = [];
    const lowered = new Set<string>();
    rings.rings.forEach((ring, index) => {
        const before = deployed.find((previous) => previous.name === ring.name);
        if (!before || !goesBack(ring, before)) return;
        lowered.add(ring.name);
        if (rings.rollbackRings.includes(ring.name)) return;
        problems.push(
            `${file}: aims:rings[${index}].version: ring ${ring.name} would go back from ${before.version}, which the stack runs, to ${ring.version}; ` +
                `refusing an unconfirmed rollback: if it is intended, add "${ring.name}" to aims:rollbackRings in ${file} ` +
                `(npm run release -- rollback --ring ${ring.name} does both). The database keeps the migrations ${before.version} ran (docs/releases.md)`,
        );
    });
    rings.rollbackRings.forEach((name, index) => {
        if (lowered.has(name) || !rings.rings.some((ring) => ring.name === name)) return;
        const before = deployed.find((previous) => previous.name === name);
        const now = rings.rings.find((ring) => ring.name === name)!.version;
        const state = before
            ? `whose version does not go back (${before.version} deployed, ${now} now)`
            : "which the stack has not deployed with a version yet";
        problems.push(
            `${file}: aims:rollbackRings[${index}]: lists "${name}", ${state}; take it off the list so that it cannot confirm a later, accidental rollback`,
        );
    });
    return problems;
}

const goesBack = (ring: Ring, before: DeployedRing): boolean =>
    (compareTags(ring.version, before.version) ?? 0) < 0;

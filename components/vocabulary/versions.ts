/**
 * The order of app versions (image tags), for the rings: a ring's version may not go backwards
 * unconfirmed, and a later ring may not run a newer version than the ring before it.
 *
 * A version is orderable when it reads as numbers separated by dots, with an optional leading
 * `v`, an optional `-prerelease` and an optional `+build`: `1.4.0`, `v2.3`, `2024.05.1`,
 * `1.5.0-rc.2`. Numbers compare as numbers, a missing one counts as 0 (`1.4` is `1.4.0`), a
 * prerelease comes before its release and prereleases compare as semver says (numeric parts as
 * numbers, below words), and `+build` is not part of the order. Any other tag (`latest`, a commit
 * hash, `main-2f3e1`) has no order anyone could check, so a ring refuses it; a tenant may still
 * pin one in its own `image.tag`.
 */

export interface Version {
    readonly numbers: readonly number[];
    readonly prerelease: readonly string[];
}

const ORDERABLE =
    /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/** The version a tag names, or undefined when the tag has no order. */
export function parseVersion(tag: string): Version | undefined {
    const match = ORDERABLE.exec(tag);
    if (!match) return undefined;
    return {
        numbers: match[1].split(".").map(Number),
        prerelease: match[2] ? match[2].split(".") : [],
    };
}

export const ORDERABLE_VERSION_HINT =
    "numbers separated by dots, with an optional leading v, -prerelease and +build, such as 1.4.0, v2.3 or 1.5.0-rc.2";

/** Negative when `a` comes before `b`, 0 when they are the same version, positive after. */
export function compareVersions(a: Version, b: Version): number {
    const length = Math.max(a.numbers.length, b.numbers.length);
    for (let i = 0; i < length; i++) {
        const difference = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
        if (difference !== 0) return Math.sign(difference);
    }
    if (a.prerelease.length === 0 || b.prerelease.length === 0)
        return Math.sign(b.prerelease.length - a.prerelease.length);
    const parts = Math.max(a.prerelease.length, b.prerelease.length);
    for (let i = 0; i < parts; i++) {
        if (a.prerelease[i] === undefined) return -1;
        if (b.prerelease[i] === undefined) return 1;
        const order = comparePrereleasePart(a.prerelease[i], b.prerelease[i]);
        if (order !== 0) return order;
    }
    return 0;
}

function comparePrereleasePart(a: string, b: string): number {
    const numeric = /^\d+$/;
    if (numeric.test(a) && numeric.test(b)) return Math.sign(Number(a) - Number(b));
    if (numeric.test(a)) return -1;
    if (numeric.test(b)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
}

/** compareVersions of two tags; undefined when either has no order. */
export function compareTags(a: string, b: string): number | undefined {
    const left = parseVersion(a);
    const right = parseVersion(b);
    return left && right ? compareVersions(left, right) : undefined;
}

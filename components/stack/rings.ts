/**
 * `aims:rings`, `aims:defaultRing` and `aims:rollbackRings`: the rings of fleet upgrades
 * (docs/releases.md). A stack with rings gives each tenant its ring's version; a stack without
 * them gives every tenant `aims:images.tag`, as before rings existed. A tenant's `image.tag` pin
 * wins either way. What depends on the versions last deployed is checked by
 * components/safety/ring-history.ts.
 */
import type { TenantSpec } from "../tenant-files/registry";
import { compareTags, ORDERABLE_VERSION_HINT, parseVersion } from "../vocabulary/versions";
import type { StackValues } from "./stack-values";
import type { StackTenants } from "./tenant-rules";

export interface Ring {
    readonly name: string;
    /** The app version (image tag) of the ring's tenants. */
    readonly version: string;
    /** How long the ring runs a version, healthy, before the next ring may get it. */
    readonly soakMinutes: number;
}

export interface RingSettings {
    /** In promotion order. */
    readonly rings: readonly Ring[];
    /** The ring of a tenant whose file names none. */
    readonly defaultRing: string;
    /** Rings whose version may go back below the version last deployed. */
    readonly rollbackRings: readonly string[];
}

/** The version a tenant runs, and why. */
export type AppVersion =
    | { readonly tag: string; readonly source: "pin"; readonly ring?: string }
    | { readonly tag: string; readonly source: "ring"; readonly ring: string }
    | { readonly tag: string; readonly source: "stack" };

const RINGS = "aims:rings";
const DEFAULT_RING = "aims:defaultRing";
const ROLLBACK_RINGS = "aims:rollbackRings";

/** The rings of a valid config, or undefined for a stack without rings. */
export function ringSettings(values: StackValues): RingSettings | undefined {
    const rings = values[RINGS] as Ring[] | undefined;
    if (!rings) return undefined;
    return {
        rings: rings.map(({ name, version, soakMinutes }) => ({ name, version, soakMinutes })),
        defaultRing: (values[DEFAULT_RING] as string | undefined) ?? rings[rings.length - 1].name,
        rollbackRings: (values[ROLLBACK_RINGS] as string[] | undefined) ?? [],
    };
}

/** The ring of a tenant in a stack with rings; undefined in a stack without. */
export function ringOf(
    tenant: Pick<TenantSpec, "ring">,
    rings: RingSettings | undefined,
): string | undefined {
    return rings && (tenant.ring ?? rings.defaultRing);
}

/** The tag a tenant runs: its pin, else its ring's version, else the stack's `aims:images.tag`. */
export function appVersionOf(
    tenant: Pick<TenantSpec, "ring" | "image">,
    settings: { readonly images: { readonly tag?: string }; readonly rings?: RingSettings },
): AppVersion {
    const ring = ringOf(tenant, settings.rings);
    const pin = tenant.image?.tag;
    if (pin !== undefined) return { tag: pin, source: "pin", ...(ring && { ring }) };
    if (ring !== undefined) {
        const version = settings.rings!.rings.find((r) => r.name === ring)?.version;
        // The settings refuse a tenant whose ring the stack does not declare.
        if (version === undefined) throw new Error(`ring ${ring} is not declared`);
        return { tag: version, source: "ring", ring };
    }
    const tag = settings.images.tag;
    if (tag === undefined) throw new Error("aims:images.tag is not set and the stack has no rings");
    return { tag, source: "stack" };
}

/**
 * Problems of the ring keys, and of tenants' `ring` fields, each naming the file and the field.
 * `isValid` says which keys the schema found valid; only those are judged further.
 */
export function ringProblems(
    values: StackValues,
    isValid: (key: string) => boolean,
    { tenants, file }: Pick<StackTenants, "tenants" | "file">,
): string[] {
    const at = (key: string, message: string) => `${file}: ${key}: ${message}`;
    const images = values["aims:images"] as { tag?: unknown } | undefined;
    const rings = values[RINGS] as Ring[] | undefined;
    if (rings === undefined) {
        return [
            ...(isValid("aims:images") && images && images.tag === undefined
                ? [
                      at(
                          "aims:images.tag",
                          "is required: it is the app version of every tenant of a stack without aims:rings",
                      ),
                  ]
                : []),
            ...[DEFAULT_RING, ROLLBACK_RINGS]
                .filter((key) => values[key] !== undefined && !isEmptyList(values[key]))
                .map((key) =>
                    at(key, `goes with aims:rings, which ${file} does not declare; remove it`),
                ),
        ];
    }
    if (!isValid(RINGS)) return [];
    const problems: string[] = [];
    if (images?.tag !== undefined) {
        problems.push(
            at(
                "aims:images.tag",
                `must not be set beside aims:rings: each ring's version is the app version of its tenants, and a second version would be read as one; remove it`,
            ),
        );
    }
    const names = rings.map((ring) => ring.name);
    rings.forEach((ring, index) => {
        const first = names.indexOf(ring.name);
        if (first !== index) {
            problems.push(
                at(
                    `${RINGS}[${index}].name`,
                    `"${ring.name}" is also the name of ${RINGS}[${first}]`,
                ),
            );
        }
        if (!parseVersion(ring.version)) {
            problems.push(
                at(
                    `${RINGS}[${index}].version`,
                    `must be an orderable version, ${ORDERABLE_VERSION_HINT} (got ${JSON.stringify(ring.version)}): ` +
                        "without an order no one can tell a promotion from a rollback. Pin a build without one in a tenant's image.tag instead",
                ),
            );
        }
    });
    const rollbackRings = isValid(ROLLBACK_RINGS)
        ? ((values[ROLLBACK_RINGS] as string[] | undefined) ?? [])
        : [];
    problems.push(...ringOrderProblems(rings, rollbackRings, file));
    const declared = `${RINGS}: ${names.join(", ")}`;
    const defaultRing = values[DEFAULT_RING];
    if (isValid(DEFAULT_RING) && typeof defaultRing === "string" && !names.includes(defaultRing)) {
        problems.push(
            at(DEFAULT_RING, `names "${defaultRing}", which is not a ring (${declared})`),
        );
    }
    rollbackRings.forEach((name, index) => {
        if (!names.includes(name)) {
            problems.push(
                at(
                    `${ROLLBACK_RINGS}[${index}]`,
                    `names "${name}", which is not a ring (${declared})`,
                ),
            );
        }
    });
    for (const tenant of tenants) {
        if (tenant.ring !== undefined && !names.includes(tenant.ring)) {
            problems.push(
                `${tenant.file}: ring: names "${tenant.ring}", which ${file} does not declare (${declared}); ` +
                    "use one of them, or remove the field for the stack's default ring",
            );
        }
    }
    return problems;
}

/**
 * A later ring never runs a newer version than the ring before it: it gets only what that ring
 * runs already. A ring being rolled back may go below the rings after it.
 */
function ringOrderProblems(
    rings: readonly Ring[],
    rollbackRings: readonly string[],
    file: string,
): string[] {
    return rings.slice(1).flatMap((ring, i) => {
        const before = rings[i];
        const order = compareTags(ring.version, before.version);
        if (order === undefined || order <= 0 || rollbackRings.includes(before.name)) return [];
        return [
            `${file}: ${RINGS}[${i + 1}].version: ring ${ring.name} would run ${ring.version}, newer than ${before.version} of ${before.name}, the ring before it; ` +
                `a ring only gets a version the ring before it runs: promote ${before.name} first (npm run release -- promote ${ring.version} --ring ${before.name}), ` +
                `or, for a fix every ring needs at once, give every ring the same version`,
        ];
    });
}

const isEmptyList = (value: unknown): boolean => Array.isArray(value) && value.length === 0;

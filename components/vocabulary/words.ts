/** The closed sets of words that tenant files and stack config use. */

export const ENVIRONMENTS = ["dev", "sit", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const PLATFORMS = ["kubernetes", "aws"] as const;
export type Platform = (typeof PLATFORMS)[number];

export const TENANT_STATUSES = ["active", "suspended", "offboarding"] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
    return typeof value === "string" && (values as readonly string[]).includes(value);
}

/**
 * Listener rule priorities of a tenant. Each tenant has two rules on its shard's listener: the
 * `api` rule (its host and /api, /admin) at priority P, and the `web` rule (its host, every other
 * path) at P + 1, evaluated after it. P comes from `aws.listenerPriority` in the tenant file, or
 * from a hash of the tenant's name: never random, and unchanged when other tenants come and go.
 */
import { createHash } from "node:crypto";
import type { TenantSpec } from "../tenant-files/registry";
import { MAX_LISTENER_PRIORITY } from "./aws";

/** Hashed priorities start here, leaving 1..99 to the platform's own rules (maintenance, redirects). */
export const HASHED_PRIORITY_MIN = 100;
/** Hashed priorities are even, so two hashed tenants either share both numbers or none. */
const HASHED_PRIORITY_SLOTS = Math.floor((MAX_LISTENER_PRIORITY - 2 - HASHED_PRIORITY_MIN) / 2) + 1;
/** The largest P: its tenant's web rule takes P + 1. */
export const MAX_TENANT_PRIORITY = MAX_LISTENER_PRIORITY - 1;

export interface RulePriorities {
    /** Host and /api, /admin: Django. Evaluated first. */
    readonly api: number;
    /** Host and any path: Next.js. */
    readonly web: number;
}

/** P derived from the tenant's name alone: an even number from 100 to 49998. */
export function hashedListenerPriority(tenant: string): number {
    const value = parseInt(createHash("sha256").update(tenant).digest("hex").slice(0, 8), 16);
    return HASHED_PRIORITY_MIN + 2 * (value % HASHED_PRIORITY_SLOTS);
}

/** P of a tenant: `aws.listenerPriority` of its file wins over the hash of its name. */
export function listenerPriority(tenant: Pick<TenantSpec, "name" | "aws">): number {
    return tenant.aws?.listenerPriority ?? hashedListenerPriority(tenant.name);
}

export function rulePriorities(priority: number): RulePriorities {
    return { api: priority, web: priority + 1 };
}

/** Both numbers a tenant with priority P occupies on its listener. */
export const occupiedPriorities = (priority: number): readonly number[] => [priority, priority + 1];

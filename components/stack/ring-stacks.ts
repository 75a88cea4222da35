/**
 * A tenant's `ring` across the stack files: each stack with rings refuses a ring it does not
 * declare (./rings.ts), and a stack without rings ignores the field. So that a misspelt ring
 * cannot hide in a project whose stacks have no rings yet, at least one stack that deploys the
 * tenant must declare it.
 */
import type { TenantSpec } from "../tenant-files/registry";
import type { ProjectStack } from "./project-stacks";
import { deploys } from "./shard-stacks";

export function tenantRingProblems(
    stacks: readonly ProjectStack[],
    tenants: readonly TenantSpec[],
): string[] {
    return tenants.flatMap((tenant) => {
        if (tenant.ring === undefined) return [];
        const own = stacks.filter((stack) => deploys(stack, tenant));
        if (own.some((stack) => (stack.ringNames ?? []).length > 0)) return [];
        const files = own.map((stack) => stack.file).join(", ") || "none";
        return [
            `${tenant.file}: ring: names "${tenant.ring}", but no stack that deploys the tenant declares rings (${files}); ` +
                "add aims:rings to a stack file first (docs/releases.md), or remove the field",
        ];
    });
}

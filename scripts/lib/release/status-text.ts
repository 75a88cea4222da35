/** The table `npm run release -- status` prints: per stack, its rings in order and their tenants. */
import { formatTable } from "../table";
import type { StackFleet, TenantState } from "./fleet";

export function formatStatus(fleets: readonly StackFleet[]): string {
    return fleets.map(formatStack).join("\n\n");
}

function formatStack(fleet: StackFleet): string {
    const title = `${fleet.stack} (${fleet.file}, ${fleet.environment})`;
    if (!fleet.rings) return `${title}: no rings; every tenant runs aims:images.tag ${fleet.tag}`;
    const rows = fleet.rings.flatMap((ring) => {
        const version = ring.rolledBack ? `${ring.version} (rollback)` : ring.version;
        const head = [ring.name, version, `${ring.soakMinutes}m`];
        if (ring.tenants.length === 0) return [[...head, "(no tenant)", "", "", ""]];
        return ring.tenants.map((tenant, i) => [
            ...(i === 0 ? head : ["", "", ""]),
            tenant.name,
            tenant.platform,
            tenant.health,
            detail(tenant),
        ]);
    });
    return `${title}\n${formatTable(["RING", "VERSION", "SOAK", "TENANT", "PLATFORM", "HEALTH", "DETAIL"], rows)}`;
}

function detail(tenant: TenantState): string {
    if (tenant.health === "pinned") return `image.tag ${tenant.pin}`;
    if (tenant.health === "healthy") return `since ${tenant.since}`;
    if (tenant.health === "not running") return tenant.status;
    return tenant.reason ?? "";
}

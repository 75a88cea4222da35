/**
 * The aims tenants program: read the tenants list and the stack settings (all valid, or stop
 * before registering anything), check the tenants against every stack file next to this one
 * (hosts apart from every base domain, a stack for every shard), refuse unconfirmed tenant
 * removals, then declare one Tenant per tenant of this stack's environment and shard. Pulumi runs the exported function and exports its result.
 */
import "./components/build/refuse-stale-build";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stackMarker } from "./components/safety/deployment-history";
import { programConfigSource } from "./components/stack/config-source";
import { throwIfProblems } from "./components/support/errors";
import { guardTenantRemovals } from "./components/safety/guard";
import { ringsOutput } from "./components/safety/ring-history";
import { hostProblems } from "./components/tenant-files/hosts";
import { stackProviders } from "./components/providers";
import { loadTenants } from "./components/tenant-files/registry";
import { projectRootOf } from "./components/support/project-root";
import { platformOf, readStackSettings, tenantsOfStack } from "./components/stack/settings";
import { projectStacks, runningStack } from "./components/stack/project-stacks";
import { shardStackProblems } from "./components/stack/shard-stacks";
import { tenantRingProblems } from "./components/stack/ring-stacks";
import { Tenant } from "./components/tenant";

export = async () => {
    // The folder of this copy of the program (where dist/ is, when compiled): not PROJECT_ROOT,
    // which is where the components are and may be a link to another checkout.
    const projectDir = projectRootOf(__dirname);
    const allTenants = loadTenants(path.join(projectDir, "tenants"));
    const settings = readStackSettings(programConfigSource(), pulumi.getStack(), allTenants);
    const stacks = projectStacks(projectDir, runningStack(settings));
    throwIfProblems([
        ...hostProblems(allTenants, stacks),
        ...shardStackProblems(stacks, allTenants),
        ...tenantRingProblems(stacks, allTenants),
    ]);
    const tenants = tenantsOfStack(allTenants, settings);
    const otherShards = allTenants.filter(
        (tenant) => tenant.environments.includes(settings.environment) && !tenants.includes(tenant),
    );
    await guardTenantRemovals(tenants, settings, otherShards);

    const providers = stackProviders(
        settings,
        new Set(tenants.map((tenant) => platformOf(tenant, settings))),
    );
    const deployed = tenants.map((tenant) => ({
        tenant,
        component: new Tenant(tenant.name, { tenant, settings }, { providers }),
    }));

    return {
        /** Every tenant this stack deploys; the deletion guard reads it back on the next update. No secret is part of it. */
        tenants: deployed.map(({ tenant, component }) => ({
            name: tenant.name,
            displayName: tenant.displayName,
            plan: tenant.plan,
            status: component.status,
            platform: component.platform,
            url: component.url,
            databaseName: component.databaseName,
            ...(component.namespace && { namespace: component.namespace }),
            ...(component.serviceName && { serviceName: component.serviceName }),
        })),
        /** The rings and their versions, in a stack with rings: the guard refuses a version that goes back. */
        ...(settings.rings && { rings: ringsOutput(settings.rings) }),
        /** Says that this stack has been deployed: without it, a missing `tenants` output would look like a new stack. */
        aimsStack: stackMarker(),
    };
};

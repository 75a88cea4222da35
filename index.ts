/**
 * The aims tenants program: read the tenants list and the stack settings (all valid, or stop
 * before registering anything), check every tenant's host against every stack's base domain
 * (the stack files next to this one), refuse unconfirmed tenant removals, then declare one Tenant per
 * tenant enabled in this environment. Pulumi runs the exported function and exports its result.
 */
import "./components/build/refuse-stale-build";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stackMarker } from "./components/deployment-history";
import { programConfigSource } from "./components/config";
import { throwIfProblems } from "./components/errors";
import { guardTenantRemovals } from "./components/guard";
import { hostProblems } from "./components/hosts";
import { stackProviders } from "./components/providers";
import { loadTenants } from "./components/registry";
import { projectRootOf } from "./components/project-root";
import { platformOf, readStackSettings, tenantsOfStack } from "./components/settings";
import { projectStackDomains } from "./components/stack-domains";
import { Tenant } from "./components/tenant";

export = async () => {
    // The folder of this copy of the program (where dist/ is, when compiled): not PROJECT_ROOT,
    // which is where the components are and may be a link to another checkout.
    const projectDir = projectRootOf(__dirname);
    const allTenants = loadTenants(path.join(projectDir, "tenants"));
    const settings = readStackSettings(programConfigSource(), pulumi.getStack(), allTenants);
    throwIfProblems(hostProblems(allTenants, projectStackDomains(projectDir, settings)));
    const specs = tenantsOfStack(allTenants, settings);
    await guardTenantRemovals(specs, settings);

    const providers = stackProviders(
        settings,
        new Set(specs.map((spec) => platformOf(spec, settings))),
    );
    const deployed = specs.map((spec) => ({
        spec,
        tenant: new Tenant(spec.name, { spec, settings }, { providers }),
    }));

    return {
        /** Every tenant this stack deploys; the deletion guard reads it back on the next update. No secret is part of it. */
        tenants: deployed.map(({ spec, tenant }) => ({
            name: spec.name,
            displayName: spec.displayName,
            plan: spec.plan,
            status: tenant.status,
            platform: tenant.platform,
            url: tenant.url,
            databaseName: tenant.databaseName,
            ...(tenant.namespace && { namespace: tenant.namespace }),
            ...(tenant.serviceName && { serviceName: tenant.serviceName }),
        })),
        /** Says that this stack has been deployed: without it, a missing `tenants` output would look like a new stack. */
        aimsStack: stackMarker(),
    };
};

/**
 * The aims tenants program: read the stack settings and the tenants list (all valid, or stop
 * before registering anything), then declare one Tenant per tenant enabled in this environment.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stackProviders } from "./components/providers";
import { loadTenants } from "./components/registry";
import { platformOf, readStackSettings, tenantsOfStack } from "./components/settings";
import { Tenant } from "./components/tenant";

const allTenants = loadTenants(path.join(__dirname, "tenants"));
const settings = readStackSettings(new pulumi.Config("aims"), pulumi.getStack(), allTenants);
const specs = tenantsOfStack(allTenants, settings);

const providers = stackProviders(settings, new Set(specs.map((spec) => platformOf(spec, settings))));
const deployed = specs.map((spec) => ({ spec, tenant: new Tenant(spec.name, { spec, settings }, { providers }) }));

/** Every tenant this stack deploys. No secret is part of it. */
export const tenants = deployed.map(({ spec, tenant }) => ({
    name: spec.name,
    displayName: spec.displayName,
    plan: spec.plan,
    status: tenant.status,
    platform: tenant.platform,
    url: tenant.url,
    databaseName: tenant.databaseName,
}));

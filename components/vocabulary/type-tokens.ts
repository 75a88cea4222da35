/**
 * Type tokens of the program's components. A token is part of the URN of the component and of
 * every resource under it, so changing one replaces every tenant's resources: never change one.
 * The policy pack, synth and the tests find a tenant's resources by these tokens.
 */
export const TENANT_TYPE = "aims:index:Tenant";
export const TENANT_DATABASE_TYPE = "aims:index:TenantDatabase";
export const TENANT_WORKLOAD_TYPE = "aims:kubernetes:TenantWorkload";
export const TENANT_SERVICE_TYPE = "aims:aws:TenantService";

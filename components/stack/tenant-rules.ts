/**
 * The rules of the stack config that depend on the tenants it deploys: at most
 * aims:maxTenantsPerStack of them, a platform block only when a tenant of the stack runs there,
 * AWS tenants that fit their load balancer shards, a
 * stack with aims:core needs every tenant's schoolId, only Kubernetes tenants are adopted, and
 * no tenant may be named like a namespace the stack relies on.
 */
import { isAdopted } from "../adoption";
import type { SchemaProblem } from "../json-schema/problems";
import type { TenantSpec } from "../tenant-files/registry";
import { Environment, Platform, PLATFORMS } from "../vocabulary/words";
import { awsSettings } from "./aws";
import { awsPlacementProblems } from "./aws-placement";
import { reservedNamespaceProblems, stackNamespaces } from "./reserved-namespaces";
import { mappingAt, StackValues } from "./stack-values";

export interface StackTenants {
    /** The tenants the stack deploys. */
    readonly tenants: readonly TenantSpec[];
    readonly environment?: Environment;
    readonly platformOf: (tenant: TenantSpec) => Platform;
    /** The stack file, for messages. */
    readonly file: string;
}

/** A stack deploys at most `aims:maxTenantsPerStack` tenants: beyond, its previews grow slow. */
export function stackSizeProblems(
    values: StackValues,
    { tenants, environment }: StackTenants,
): SchemaProblem[] {
    const limit = values["aims:maxTenantsPerStack"];
    if (typeof limit !== "number" || tenants.length <= limit) return [];
    return [
        {
            key: "aims:maxTenantsPerStack",
            message:
                `the stack would deploy ${tenants.length} tenants, more than its limit of ${limit}. Add a shard stack of ${environment ?? "its environment"} ` +
                '(a stack file with the same aims:environment and a new aims:stackShard, README.md, "Shard stacks") and let `npm run tenant -- add` ' +
                "put new tenants there; moving a deployed tenant to another shard is a removal, which the deletion guard refuses",
        },
    ];
}

/** A platform block is required when a tenant of the stack runs on that platform. */
export function platformBlockProblems(
    values: StackValues,
    { tenants, platformOf }: StackTenants,
): SchemaProblem[] {
    return PLATFORMS.flatMap((platform) => {
        const users = tenants.filter((tenant) => platformOf(tenant) === platform);
        return mappingAt(values, `aims:${platform}`) || users.length === 0
            ? []
            : [
                  {
                      key: `aims:${platform}`,
                      message: `is required: tenants of this stack run on ${platform} (${users.map((tenant) => tenant.name).join(", ")})`,
                  },
              ];
    });
}

/** Problems of tenant files with the stack's config, each naming the tenant file. */
export function tenantFileProblems(
    values: StackValues,
    isValid: (key: string) => boolean,
    { tenants, environment, platformOf, file }: StackTenants,
): string[] {
    const problems: string[] = [];
    const aws = mappingAt(values, "aims:aws");
    if (aws && isValid("aims:aws")) {
        const awsTenants = tenants.filter((tenant) => platformOf(tenant) === "aws");
        problems.push(...awsPlacementProblems(awsTenants, awsSettings(aws), file));
    }
    if (mappingAt(values, "aims:core")) {
        for (const tenant of tenants.filter((t) => t.schoolId === undefined)) {
            problems.push(
                `${tenant.file}: schoolId: is required: ${file} configures aims:core, and the tenant's backend tells the core which school it is (TENANT_SCHOOL_ID)`,
            );
        }
    }
    for (const tenant of tenants.filter(
        (t) => environment && isAdopted(t, environment) && platformOf(t) === "aws",
    )) {
        problems.push(
            `${tenant.file}: adopt: only a Kubernetes tenant can be adopted from the Argo CD setup, and ${file} runs this tenant on aws (aims:platform); set platform: kubernetes in the tenant file or remove adopt`,
        );
    }
    // Every tenant of the stack, whatever its platform now: a move to Kubernetes must not meet a taken namespace.
    const namespaces = stackNamespaces(values, isValid);
    problems.push(...reservedNamespaceProblems(tenants, namespaces, file));
    return problems;
}

/**
 * The prod data rule: in prod, every data resource of a tenant is protected (unless the tenant
 * is offboarding) and retained on delete.
 *
 * Which stacks are prod comes from the stack's environment (`aims:environment`), not its name.
 * A policy sees only its own config and the stack's tags, not the stack's config, so the rule
 * reads the environment the program writes on its resources: the namespace label and the AWS
 * provider's default tag. One resource saying prod makes the whole stack prod; a stack with
 * tenant data and no such label or tag is a violation, since the rule cannot tell.
 *
 * The policy API shows `protect` but not `retainOnDelete`. Each tenant's namespace and AWS
 * resources therefore carry a data-retained label or tag, derived from the same DataProtection
 * value as the option; the tests check on every stack that the two agree.
 */
import {
    DATA_RETAINED_LABEL,
    DATA_RETAINED_TAG,
    ENVIRONMENT_LABEL,
    ENVIRONMENT_TAG,
    TENANT_STATUS_LABEL,
    TENANT_STATUS_TAG,
} from "../components/vocabulary/naming";

import { isComputed, Props } from "./unknowns";

/** A resource as the stack-level rules need it: the tenant is the name of its Tenant ancestor. */
export interface RuleResource {
    type: string;
    urn: string;
    props: Props;
    protect: boolean;
    tenant?: string;
}

export const DATA_TYPES = new Set([
    "postgresql:index/database:Database",
    "postgresql:index/role:Role",
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:Secret",
    "aws:secretsmanager/secret:Secret",
    "aws:efs/accessPoint:AccessPoint",
]);

const AWS_PROVIDER = "pulumi:providers:aws";

export interface Violation {
    /** The offending resource; none when the stack as a whole is in violation. */
    urn?: string;
    message: string;
}

/** Every environment the stack's resources declare. */
export function stackEnvironments(resources: readonly RuleResource[]): Set<string> {
    const found = new Set<string>();
    for (const resource of resources) {
        for (const value of [
            labelsOf(resource)[ENVIRONMENT_LABEL],
            tagsOf(resource)[ENVIRONMENT_TAG],
        ]) {
            if (typeof value === "string") found.add(value);
        }
    }
    return found;
}

export function prodDataViolations(resources: readonly RuleResource[]): Violation[] {
    const data = resources.filter((r) => DATA_TYPES.has(r.type) && r.tenant !== undefined);
    if (data.length === 0) return [];
    // Where a label or tag is known only after apply, the rule is judged on `pulumi up`.
    if (resources.some(declaresComputed)) return [];
    const environments = stackEnvironments(resources);
    if (environments.size === 0) {
        return [
            {
                message:
                    `no resource says which environment the stack is (label ${ENVIRONMENT_LABEL} on a namespace, default tag ${ENVIRONMENT_TAG} ` +
                    "of the AWS provider), so the prod data rule cannot tell whether it applies; the program sets them, do not remove them",
            },
        ];
    }
    if (!environments.has("prod")) return [];

    const ofTenant = (tenant: string) => resources.filter((r) => r.tenant === tenant);
    const offboarding = (tenant: string) =>
        ofTenant(tenant).some((r) => statusOf(r) === "offboarding");
    const violations: Violation[] = data
        .filter((r) => !r.protect && !offboarding(r.tenant as string))
        .map((r) => ({
            urn: r.urn,
            message: `${r.type} of tenant ${r.tenant} is not protected in prod`,
        }));
    for (const tenant of new Set(data.map((r) => r.tenant as string))) {
        const declared = ofTenant(tenant)
            .map(retainedOf)
            .filter((value) => value !== undefined);
        const urn = data.find((r) => r.tenant === tenant)?.urn;
        if (declared.length === 0) {
            violations.push({
                urn,
                message:
                    `tenant ${tenant} does not say whether its data is retained on delete (label ${DATA_RETAINED_LABEL} ` +
                    `on its namespace or tag ${DATA_RETAINED_TAG} on its AWS resources); in prod it must be "true"`,
            });
        } else if (declared.some((value) => value !== "true")) {
            violations.push({
                urn,
                message: `the data of tenant ${tenant} is not retained on delete (retainOnDelete) in prod`,
            });
        }
    }
    return violations;
}

const statusOf = (r: RuleResource): unknown =>
    labelsOf(r)[TENANT_STATUS_LABEL] ?? tagsOf(r)[TENANT_STATUS_TAG];
const retainedOf = (r: RuleResource): unknown =>
    labelsOf(r)[DATA_RETAINED_LABEL] ?? tagsOf(r)[DATA_RETAINED_TAG];

function declaresComputed(resource: RuleResource): boolean {
    const props = resource.props;
    const declared = [
        props?.metadata,
        props?.metadata?.labels,
        props?.tags,
        props?.defaultTags,
        props?.defaultTags?.tags,
    ];
    return (
        declared.some(isComputed) ||
        [labelsOf(resource), tagsOf(resource)].some((values) =>
            Object.values(values).some(isComputed),
        )
    );
}

function labelsOf(resource: RuleResource): Props {
    return objectOf(resource.props?.metadata?.labels);
}

/** The resource's tags; for the AWS provider, its default tags (a JSON string when the engine passes provider inputs as strings). */
function tagsOf(resource: RuleResource): Props {
    if (resource.type === AWS_PROVIDER) return objectOf(objectOf(resource.props?.defaultTags).tags);
    return objectOf(resource.props?.tags);
}

function objectOf(value: unknown): Props {
    let parsed = value;
    if (typeof value === "string") {
        try {
            parsed = JSON.parse(value);
        } catch {
            return {};
        }
    }
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
        ? (parsed as Props)
        : {};
}

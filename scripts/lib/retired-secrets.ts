/**
 * Which resources of a deployed stack still have the layout from before each tenant's secrets
 * were merged into one (docs/kubernetes.md and docs/aws.md, "Moving to one secret"), read from
 * the stack's exported state alone: no secret value is read or needed.
 *
 * - A Kubernetes tenant whose SECRET_KEY the program generated (its `<tenant>-secret-key`
 *   RandomPassword is in the state) has SECRET_KEY in `<tenant>-database` now, so its
 *   `<tenant>-django-secret` leaves the program. An adopted school has no such RandomPassword:
 *   its Django secret stays, and is never listed.
 * - An AWS tenant's `<tenant>-secret-key` secret and its `-value` version leave the program, and
 *   its `<tenant>-db-credentials-value` version is replaced (Secrets Manager cannot change a
 *   version's value in place), until the tenant's next `pulumi up` has done both.
 *
 * Pulumi refuses to delete or replace a protected resource, so where data is protected these
 * must be unprotected before that `pulumi up`.
 */
import { TENANT_TYPE } from "../../components/vocabulary/type-tokens";

/** The fields of a resource in `pulumi stack export` that this module reads. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly parent?: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    readonly inputs?: Record<string, unknown>;
}

export interface RetiredResource {
    readonly urn: string;
    readonly tenant: string;
    /** `delete`: the program no longer declares it; `replace`: its next update replaces it. */
    readonly change: "delete" | "replace";
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** For a retained delete: the command that removes what `pulumi up` leaves in place. */
    readonly removeByHand?: string;
}

export const RETIRED_TYPES = {
    kubernetesSecret: "kubernetes:core/v1:Secret",
    randomPassword: "random:index/randomPassword:RandomPassword",
    awsSecret: "aws:secretsmanager/secret:Secret",
    awsSecretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
} as const;

/** The resource's name: the last part of its URN. */
export const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

/** Every resource of the old layout in `resources`, in state order. */
export function retiredResources(resources: readonly StateResource[]): RetiredResource[] {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const tenantOf = (resource: StateResource): string | undefined => {
        for (let parent = byUrn.get(resource.parent ?? ""); parent;) {
            if (parent.type === TENANT_TYPE) return nameOf(parent.urn);
            parent = byUrn.get(parent.parent ?? "");
        }
        return undefined;
    };
    const owned = resources.flatMap((resource) => {
        const tenant = tenantOf(resource);
        return tenant === undefined ? [] : [{ resource, tenant }];
    });
    const present = new Set(
        owned.map(({ resource, tenant }) => key(tenant, resource.type, nameOf(resource.urn))),
    );

    const retired: RetiredResource[] = [];
    for (const { resource, tenant } of owned) {
        const change = changeOf(resource, tenant, (type, name) =>
            present.has(key(tenant, type, name)),
        );
        if (!change) continue;
        const retainOnDelete = resource.retainOnDelete === true;
        const removeByHand =
            change === "delete" && retainOnDelete ? removalCommand(resource) : undefined;
        retired.push({
            urn: resource.urn,
            tenant,
            change,
            protect: resource.protect === true,
            retainOnDelete,
            ...(removeByHand && { removeByHand }),
        });
    }
    return retired;
}

const key = (tenant: string, type: string, name: string) => `${tenant}\0${type}\0${name}`;

function changeOf(
    resource: StateResource,
    tenant: string,
    has: (type: string, name: string) => boolean,
): RetiredResource["change"] | undefined {
    const name = nameOf(resource.urn);
    const generatedSecretKey = has(RETIRED_TYPES.randomPassword, `${tenant}-secret-key`);
    const oldAwsLayout = has(RETIRED_TYPES.awsSecret, `${tenant}-secret-key`);
    switch (resource.type) {
        case RETIRED_TYPES.kubernetesSecret:
            return name === `${tenant}-django-secret` && generatedSecretKey ? "delete" : undefined;
        case RETIRED_TYPES.awsSecret:
            return name === `${tenant}-secret-key` ? "delete" : undefined;
        case RETIRED_TYPES.awsSecretVersion:
            if (name === `${tenant}-secret-key-value`) return "delete";
            return name === `${tenant}-db-credentials-value` && oldAwsLayout
                ? "replace"
                : undefined;
        default:
            return undefined;
    }
}

/** What removes a retained Secret once `pulumi up` has taken it out of the stack. */
function removalCommand(resource: StateResource): string | undefined {
    const inputs = resource.inputs ?? {};
    if (resource.type === RETIRED_TYPES.kubernetesSecret) {
        const metadata = (inputs.metadata ?? {}) as { name?: unknown; namespace?: unknown };
        if (typeof metadata.name !== "string" || typeof metadata.namespace !== "string")
            return undefined;
        return `kubectl -n ${metadata.namespace} delete secret ${metadata.name}`;
    }
    if (resource.type === RETIRED_TYPES.awsSecret && typeof inputs.name === "string")
        return `aws secretsmanager delete-secret --secret-id ${inputs.name}`;
    return undefined;
}

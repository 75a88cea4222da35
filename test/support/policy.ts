/**
 * Runs every policy of the pack over recorded resources, as `pulumi preview --policy-pack` would:
 * through the pack's handling of unknown values, with props behind the policy SDK's
 * unknown-checking proxy. `propsOf` may put unknown values in, as a preview of new resources has.
 */
import {
    PolicyResource,
    ResourceValidationArgs,
    StackValidationArgs,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { policies } from "../../policy/policies";
import { evaluatingUnknowns } from "../../policy/unknowns";
import { RecordedResource, reveal } from "./mocks";

export type PropsOf = (resource: RecordedResource) => Record<string, unknown>;

export function policyViolations(
    recorded: readonly RecordedResource[],
    config: Record<string, unknown> = {},
    propsOf: PropsOf = (r) => reveal(r.inputs),
): string[] {
    const byUrn = new Map<string, PolicyResource>();
    const resources = recorded.map((r) => {
        const resource = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: unknownCheckingProxy(propsOf(r)),
            opts: { protect: r.protect },
        } as unknown as PolicyResource;
        byUrn.set(r.urn, resource);
        return resource;
    });
    recorded.forEach(
        (r, i) =>
            ((resources[i] as { parent?: PolicyResource }).parent = r.parent
                ? byUrn.get(r.parent)
                : undefined),
    );

    const violations: string[] = [];
    for (const policy of policies.map(evaluatingUnknowns)) {
        if (!("validateStack" in policy)) {
            for (const resource of resources) {
                const args = {
                    ...resource,
                    getConfig: () => config,
                } as unknown as ResourceValidationArgs;
                void policy.validateResource(args, (message) =>
                    violations.push(
                        `${policy.name}: ${resource.type} ${resource.name}: ${message}`,
                    ),
                );
            }
        } else {
            const args = { resources, getConfig: () => config } as unknown as StackValidationArgs;
            void policy.validateStack(args, (message) =>
                violations.push(`${policy.name}: ${message}`),
            );
        }
    }
    return violations;
}

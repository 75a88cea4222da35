/**
 * What recovery does with one resource that the state does not hold as done: a pending create
 * (the update was killed while creating it), or a resource the program declares and the state
 * lacks (a create killed before Pulumi recorded even its start, or after a pending create was
 * cleared). Pure: the caller looks on the platform and acts.
 */
import { PhysicalIdentity, UNKNOWN_VALUE } from "./physical-id";
import {
    databaseOwnershipProblem,
    helmReleaseVerdict,
    kubernetesOwnershipProblem,
    Owner,
    roleOwnershipProblem,
} from "./ownership";
import type { Found } from "./platform";

export interface Candidate {
    readonly urn: string;
    readonly type: string;
    readonly inputs: Record<string, unknown>;
    readonly origin: "pending-create" | "missing-from-state";
}

export type Action =
    /** Take the object into the state under the resource's URN. */
    | { readonly kind: "import"; readonly id: string; readonly reason: string }
    /** Drop the pending create: the next update creates the resource. */
    | { readonly kind: "clear"; readonly reason: string }
    /** Forget Helm's record of a first install that was cut off: the next update installs it again. */
    | {
          readonly kind: "forget-helm-record";
          readonly namespace: string;
          readonly records: readonly string[];
          readonly reason: string;
      }
    /** Nothing to do: the next update creates it. */
    | { readonly kind: "none"; readonly reason: string }
    /** Look again once the resources it depends on are in the state. */
    | { readonly kind: "defer"; readonly reason: string }
    | { readonly kind: "refuse"; readonly reason: string };

/**
 * `owner`: the tenant the resource belongs to and the stack's environment, or undefined when the
 * resource is not under a Tenant component of the state (recovery adopts only a tenant's objects).
 */
export function decide(
    candidate: Candidate,
    identity: PhysicalIdentity,
    found: Found | undefined,
    owner: Owner | undefined,
): Action {
    const absentAction = (): Action =>
        candidate.origin === "pending-create"
            ? { kind: "clear", reason: "no such object: the create never took effect" }
            : { kind: "none", reason: "no such object: the next update creates it" };
    switch (identity.kind) {
        case "recreated":
            return candidate.origin === "pending-create"
                ? { kind: "clear", reason: identity.why }
                : { kind: "none", reason: identity.why };
        case "unknown":
            // A declared resource whose id waits on another's output: once that one is recorded, its id is known.
            return candidate.origin === "missing-from-state"
                ? { kind: "defer", reason: identity.why }
                : { kind: "refuse", reason: identity.why };
    }
    if (!found) throw new Error(`${candidate.urn}: looked for nothing`);
    if (found.kind === "absent") return absentAction();
    if (!owner)
        return {
            kind: "refuse",
            reason: `${identity.id} exists, and the resource belongs to no tenant this stack's state holds`,
        };
    if (found.kind === "helm-release" && identity.kind === "helm-release") {
        const verdict = helmReleaseVerdict(
            identity.name,
            kubernetesOwnershipProblem(found.namespaceLabels, owner),
            found.revisions,
        );
        if (verdict.kind === "not-ours")
            return {
                kind: "refuse",
                reason: `${identity.id} exists but is not the program's: ${verdict.reason}`,
            };
        if (verdict.kind === "first-install-cut-off")
            return {
                kind: "forget-helm-record",
                namespace: identity.namespace,
                records: verdict.records,
                reason: `${identity.id} is a first install that was cut off ("pending-install")`,
            };
        return {
            kind: "import",
            id: identity.id,
            reason: `${identity.id} exists and is the program's`,
        };
    }
    const problem = ownershipProblem(candidate, found, owner);
    if (problem === "defer")
        return {
            kind: "defer",
            reason: `${identity.id} exists; its owner role is not in the state yet`,
        };
    if (problem !== undefined)
        return {
            kind: "refuse",
            reason: `${identity.id} exists but is not the program's: ${problem}`,
        };
    return {
        kind: "import",
        id: identity.id,
        reason: `${identity.id} exists and is the program's`,
    };
}

function ownershipProblem(
    candidate: Candidate,
    found: Found,
    owner: Owner,
): string | undefined | "defer" {
    const { inputs } = candidate;
    switch (found.kind) {
        case "kubernetes":
            return kubernetesOwnershipProblem(found.labels, owner);
        case "helm-release":
            throw new Error("a Helm release is judged by helmReleaseVerdict");
        case "postgres-role":
            return roleOwnershipProblem(found.facts, { ...inputs, name: String(inputs.name) });
        case "postgres-database":
            if (typeof inputs.owner !== "string" || inputs.owner === UNKNOWN_VALUE) return "defer";
            return databaseOwnershipProblem(found.facts, {
                name: String(inputs.name),
                owner: inputs.owner,
            });
        case "absent":
            return undefined;
    }
}

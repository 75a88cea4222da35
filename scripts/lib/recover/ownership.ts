/**
 * Whether an object found on the platform, which the state does not hold, is one the program made
 * (a killed update created it before recording it) and may be imported. Recovery never adopts
 * anything else: an object that fails these checks is reported and the command refuses.
 *
 * Kubernetes objects carry the program's labels (components/kubernetes/namespace.ts): the tenant,
 * the environment, and managed-by Pulumi. PostgreSQL objects have no labels, so the rule there is
 * what a killed create leaves: a role with exactly the attributes the program declares and no
 * database but its own, and a database owned by the tenant's role with no table in it (no pod can
 * have used it: the tenant's Secret is created only after the database is recorded). The caller
 * also requires the tenant's own component in the state: the update had begun this tenant.
 */
import { ENVIRONMENT_LABEL } from "../../../components/vocabulary/naming";
import { LABEL_PREFIX } from "../../../components/kubernetes/namespace";

export const TENANT_LABEL = `${LABEL_PREFIX}/tenant`;
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_PULUMI = "pulumi";

export interface Owner {
    readonly tenant: string;
    readonly environment: string;
}

/** Why an object with these labels is not the program's for `owner`; undefined when it is. */
export function kubernetesOwnershipProblem(labels: unknown, owner: Owner): string | undefined {
    const expected: Record<string, string> = {
        [TENANT_LABEL]: owner.tenant,
        [ENVIRONMENT_LABEL]: owner.environment,
        [MANAGED_BY_LABEL]: MANAGED_BY_PULUMI,
    };
    if (typeof labels !== "object" || labels === null || Array.isArray(labels))
        return `it has none of the program's labels (${Object.keys(expected).join(", ")})`;
    const mismatches = Object.entries(expected)
        .filter(
            ([key, value]) =>
                !Object.hasOwn(labels, key) || (labels as Record<string, unknown>)[key] !== value,
        )
        .map(([key, value]) => {
            const found = Object.hasOwn(labels, key)
                ? (labels as Record<string, unknown>)[key]
                : undefined;
            return `${key} is ${found === undefined ? "missing" : JSON.stringify(found)}, not ${JSON.stringify(value)}`;
        });
    return mismatches.length === 0 ? undefined : mismatches.join("; ");
}

/** A Helm release's revision: the Secret Helm stores it in, and Helm's labels on it. */
export interface HelmRevision {
    readonly secret: string;
    readonly labels: Record<string, string>;
}

export type HelmReleaseVerdict =
    | { readonly kind: "ours" }
    /**
     * A first install cut off: Helm's only record says "pending-install". Helm would refuse every
     * later operation on it; forgetting the record lets the next install take over the objects,
     * which carry the release's own ownership annotations.
     */
    | { readonly kind: "first-install-cut-off"; readonly records: readonly string[] }
    | { readonly kind: "not-ours"; readonly reason: string };

/** What recovery may do with a Helm release found in a namespace. */
export function helmReleaseVerdict(
    release: string,
    namespaceProblem: string | undefined,
    revisions: readonly HelmRevision[],
): HelmReleaseVerdict {
    if (namespaceProblem !== undefined)
        return {
            kind: "not-ours",
            reason: `its namespace is not the program's: ${namespaceProblem}`,
        };
    const ours = revisions.filter((r) => r.labels.owner === "helm" && r.labels.name === release);
    if (ours.length === 0) return { kind: "not-ours", reason: "it has no revision Helm recorded" };
    if (
        ours.length === 1 &&
        ours[0].labels.version === "1" &&
        ours[0].labels.status === "pending-install"
    )
        return { kind: "first-install-cut-off", records: [ours[0].secret] };
    const latest = ours.reduce((a, b) =>
        Number(b.labels.version) > Number(a.labels.version) ? b : a,
    );
    if (latest.labels.status !== "deployed")
        return {
            kind: "not-ours",
            reason:
                `its latest revision ${latest.labels.version} is "${latest.labels.status}": a Helm operation was cut off; ` +
                "`helm rollback` it to its last deployed revision, then run recover again",
        };
    return { kind: "ours" };
}

/** A PostgreSQL role as the catalog shows it. */
export interface RoleFacts {
    readonly canLogin: boolean;
    readonly superuser: boolean;
    readonly createDatabase: boolean;
    readonly createRole: boolean;
    readonly connectionLimit: number;
    /** Databases the role owns. */
    readonly ownedDatabases: readonly string[];
}

/** What the program declares for a role (postgresql Role inputs). */
export interface DeclaredRole {
    readonly name: string;
    readonly login?: unknown;
    readonly superuser?: unknown;
    readonly createDatabase?: unknown;
    readonly createRole?: unknown;
    readonly connectionLimit?: unknown;
}

export function roleOwnershipProblem(found: RoleFacts, declared: DeclaredRole): string | undefined {
    const problems: string[] = [];
    const compare = (what: string, actual: unknown, wanted: unknown) => {
        if (actual !== wanted)
            problems.push(`${what} is ${String(actual)}, the program declares ${String(wanted)}`);
    };
    compare("login", found.canLogin, declared.login === true);
    compare("superuser", found.superuser, declared.superuser === true);
    compare("createdb", found.createDatabase, declared.createDatabase === true);
    compare("createrole", found.createRole, declared.createRole === true);
    compare("connection limit", found.connectionLimit, declared.connectionLimit ?? -1);
    const others = found.ownedDatabases.filter((database) => database !== declared.name);
    if (others.length > 0) problems.push(`it owns other databases (${others.join(", ")})`);
    return problems.length === 0 ? undefined : problems.join("; ");
}

/** A PostgreSQL database as the catalog shows it. */
export interface DatabaseFacts {
    readonly owner: string;
    /** Tables, views and sequences outside the system schemas. */
    readonly userRelations: number;
}

export function databaseOwnershipProblem(
    found: DatabaseFacts,
    declared: { readonly name: string; readonly owner?: unknown },
): string | undefined {
    const problems: string[] = [];
    if (found.owner !== declared.owner)
        problems.push(
            `its owner is ${found.owner}, the program declares ${String(declared.owner)}`,
        );
    if (found.userRelations > 0)
        problems.push(
            `it holds ${found.userRelations} tables or other relations: it has been used, a killed create leaves it empty`,
        );
    return problems.length === 0 ? undefined : problems.join("; ");
}

/**
 * Whether a change is a signup, which may take the fast lane (no person between the pull request
 * and prod). A change is a signup only when every change from the merge base to the head adds a
 * new regular file `tenants/<name>.yaml` (not a link, not executable) that is a valid tenant named
 * `<name>`, does not adopt a running school (adoption imports instead of creating) nor restore a
 * dump (a school's data comes back), and lands in
 * shards that have a stack. Anything else, however small, keeps the reviewed path, and every
 * reason is listed. The rule that admitted a signup is recorded: `create-tenant` for the core's
 * pull request (branch `tenant/create-tenant-<name>` adding exactly that tenant's file, as
 * .github/workflows/tenant.yml opens it), otherwise `adds-tenant-files`. A branch name proves
 * nothing, so `create-tenant` is never wider than `adds-tenant-files`: it only names the case.
 */
import { deploys } from "../../components/stack/shard-stacks";
import type { TenantSpec } from "../../components/tenant-files/registry";
import { ENVIRONMENTS, Environment } from "../../components/vocabulary/words";
import { missingShards } from "./affected-stacks";
import { ChangeRefs, readChangeSet } from "./change-set";
import { whatIs } from "./change-scope";
import { quote } from "../../components/support/quote";
import { ChangedFile, kindOfMode, verbOf } from "./git";
import type { DiscoveredStack } from "./stack-groups";
import { stacksAtCommit } from "./stacks-at-commit";
import { TenantChange, tenantChanges } from "./tenant-versions";

export type SignupRule = "create-tenant" | "adds-tenant-files";

/** What `npm run lane -- --json` prints. */
export interface SignupVerdict {
    readonly signup: boolean;
    /** The rule that admitted the change; null when it is not a signup. */
    readonly rule: SignupRule | null;
    /** The new tenants, in file order; empty when it is not a signup. */
    readonly tenants: readonly string[];
    /** Every environment a new tenant lists, in the order dev, sit, prod. */
    readonly environments: readonly Environment[];
    /** The stacks of the head that deploy a new tenant, in deploy order. */
    readonly stacks: readonly string[];
    /** Why it is not a signup, one per file and problem; empty for a signup. */
    readonly reasons: readonly string[];
    /** Remarks that change nothing, such as why the create-tenant rule did not apply. */
    readonly notes: readonly string[];
}

export interface SignupRefs extends ChangeRefs {
    /** The pull request's source branch, when known. */
    readonly branch?: string;
}

const CREATE_TENANT_BRANCH = /^tenant\/create-tenant-(.+)$/;

/** Classifies the change from merge-base(`refs.base`, `refs.head`) to `refs.head`. */
export function classifySignup(repoDir: string, refs: SignupRefs): SignupVerdict {
    const change = readChangeSet(repoDir, refs);
    return signupVerdict(
        change.files,
        tenantChanges(repoDir, change.files),
        () => stacksAtCommit(repoDir, change.head),
        refs.branch,
    );
}

/**
 * The verdict on `files`, given the tenant files among them read at both commits; `stacksOfHead`
 * is only called for a change that is otherwise a signup, to place its tenants.
 */
export function signupVerdict(
    files: readonly ChangedFile[],
    tenantFiles: readonly TenantChange[],
    stacksOfHead: () => readonly DiscoveredStack[],
    branch?: string,
): SignupVerdict {
    const reasons: string[] = [];
    const added: TenantSpec[] = [];
    if (files.length === 0) reasons.push("no file changed: a signup adds at least one tenant file");
    const tenantFileAt = new Map(
        tenantFiles.map((tenantFile) => [tenantFile.change.path, tenantFile]),
    );
    for (const file of files) {
        const tenantFile = tenantFileAt.get(file.path);
        if (!tenantFile) {
            reasons.push(outsideTheLane(file));
            continue;
        }
        const problems = newTenantProblems(tenantFile);
        if (problems.length > 0) reasons.push(...problems);
        else if (tenantFile.after.state === "tenant") added.push(tenantFile.after.tenant);
    }
    const stacks = reasons.length === 0 ? stacksOfHead() : [];
    for (const tenant of added) {
        for (const shard of missingShards(tenant, stacks))
            reasons.push(`${tenant.file}: names ${shard}, which no stack deploys`);
    }
    const createTenant = createTenantRule(branch, files);
    const { notes } = createTenant;
    if (reasons.length > 0) {
        return {
            signup: false,
            rule: null,
            tenants: [],
            environments: [],
            stacks: [],
            reasons,
            notes,
        };
    }
    return {
        signup: true,
        rule: createTenant.applies ? "create-tenant" : "adds-tenant-files",
        tenants: added.map((tenant) => tenant.name),
        environments: ENVIRONMENTS.filter((environment) =>
            added.some((tenant) => tenant.environments.includes(environment)),
        ),
        stacks: stacks
            .filter((stack) => added.some((tenant) => deploys(stack, tenant)))
            .map((stack) => stack.stack),
        reasons: [],
        notes,
    };
}

/** A changed path that is not a tenant file. */
function outsideTheLane(file: ChangedFile): string {
    const verb = verbOf(file);
    if (file.path.startsWith("tenants/"))
        return `${file.path}: ${verb} (not a tenant file name: a signup adds tenants/<name>.yaml)`;
    return `${file.path}: ${verb} (${whatIs(file.path)}: not a signup)`;
}

/** Why a changed tenant file is not a new tenant a signup may add; none when it is one. */
function newTenantProblems({ change, after }: TenantChange): string[] {
    if (change.status !== "A") return [`${change.path}: ${verbOf(change)} (an existing tenant)`];
    const kind = kindOfMode(change.newMode);
    if (kind === "symlink") return [`${change.path}: added as a symbolic link, not a file`];
    if (kind === "executable") return [`${change.path}: added as an executable file (mode 100755)`];
    if (kind !== "file") return [`${change.path}: added as git mode ${change.newMode}, not a file`];
    if (after.state === "invalid")
        return after.problems.map((problem) => `${change.path}: ${problem}`);
    if (after.state === "tenant" && after.tenant.adopt)
        return [
            `${change.path}: adopt: takes over a school that already runs (it imports instead of creating): not a signup`,
        ];
    if (after.state === "tenant" && after.tenant.restore)
        return [
            `${change.path}: restore: brings a school's data back from a dump, which a reviewer approves: not a signup`,
        ];
    return [];
}

/**
 * Whether the change is the core's create-tenant pull request: its branch names a tenant and the
 * change adds exactly that tenant's file. A create-tenant branch it does not fit gets a note.
 */
function createTenantRule(
    branch: string | undefined,
    files: readonly ChangedFile[],
): { readonly applies: boolean; readonly notes: readonly string[] } {
    const name = branch === undefined ? undefined : CREATE_TENANT_BRANCH.exec(branch)?.[1];
    if (name === undefined) return { applies: false, notes: [] };
    const expected = `tenants/${name}.yaml`;
    if (files.length === 1 && files[0].path === expected && files[0].status === "A")
        return { applies: true, notes: [] };
    const changed = files.map((file) => `${file.path} (${verbOf(file)})`).join(", ") || "nothing";
    return {
        applies: false,
        notes: [
            `the create-tenant rule does not apply: branch ${quote(branch!)} must add exactly ${expected}, and this change holds ${changed}`,
        ],
    };
}

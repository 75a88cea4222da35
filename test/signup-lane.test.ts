/**
 * `npm run lane`, the signup classifier, on real git history: a pull request's branch off `main`
 * in a temporary repository (test/support/git-history.ts: dev, sit, prod, prod-2; tenants alpha,
 * beta, gamma). A signup only adds new tenant files; each attack hides something else in one, and
 * must be refused with its reason.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { GitError } from "../scripts/lib/git";
import { classifySignup, SignupVerdict } from "../scripts/lib/signup-lane";
import { gitHistory, GitHistory, tenantFile } from "./support/git-history";

const DELTA = tenantFile("delta", { environments: ["dev", "prod"], stackShard: { prod: 2 } });
const EPSILON = tenantFile("epsilon", { environments: ["sit"] });

describe("signup lane (npm run lane)", () => {
    let repo: GitHistory;
    beforeEach(() => (repo = gitHistory()));
    afterEach(() => repo.cleanup());

    /** Commits what `change` does on `branch` off main, and classifies it. */
    function verdictOf(change: () => void, branch = "signup"): SignupVerdict {
        repo.git("checkout", "-q", "-b", branch);
        change();
        repo.commit("the change");
        return classifySignup(repo.dir, {
            base: "main",
            head: "HEAD",
            options: ["--base", "--head"],
            branch,
        });
    }
    const notASignup = (reasons: string[], notes: string[] = []): SignupVerdict => ({
        signup: false,
        rule: null,
        tenants: [],
        environments: [],
        stacks: [],
        reasons,
        notes,
    });

    describe("signups", () => {
        it("one tenant added: the general rule, its environments and stacks", () => {
            assert.deepEqual(
                verdictOf(() => repo.write({ "tenants/delta.yaml": DELTA })),
                {
                    signup: true,
                    rule: "adds-tenant-files",
                    tenants: ["delta"],
                    environments: ["dev", "prod"],
                    stacks: ["dev", "prod-2"],
                    reasons: [],
                    notes: [],
                },
            );
        });

        it("two tenants added: the union of their environments, in the order dev, sit, prod", () => {
            assert.deepEqual(
                verdictOf(() =>
                    repo.write({ "tenants/epsilon.yaml": EPSILON, "tenants/delta.yaml": DELTA }),
                ),
                {
                    signup: true,
                    rule: "adds-tenant-files",
                    tenants: ["delta", "epsilon"],
                    environments: ["dev", "sit", "prod"],
                    stacks: ["dev", "sit", "prod-2"],
                    reasons: [],
                    notes: [],
                },
            );
        });

        it("the core's create-tenant pull request: the create-tenant rule", () => {
            assert.deepEqual(
                verdictOf(
                    () => repo.write({ "tenants/delta.yaml": DELTA }),
                    "tenant/create-tenant-delta",
                ),
                {
                    signup: true,
                    rule: "create-tenant",
                    tenants: ["delta"],
                    environments: ["dev", "prod"],
                    stacks: ["dev", "prod-2"],
                    reasons: [],
                    notes: [],
                },
            );
        });

        it("counts only the change since the merge base, not what main gained since", () => {
            repo.write({ "charts/tenant/values.yaml": "replicas: 3\n" });
            repo.commit("main moves on");
            repo.git("checkout", "-q", "-b", "signup", "HEAD~1");
            repo.write({ "tenants/epsilon.yaml": EPSILON });
            repo.commit("add epsilon");
            const verdict = classifySignup(repo.dir, {
                base: "main",
                head: "HEAD",
                options: ["--base", "--head"],
            });
            assert.equal(verdict.signup, true, verdict.reasons.join("\n"));
            assert.deepEqual(verdict.stacks, ["sit"]);
        });
    });

    describe("anything else keeps the reviewed path, with every reason", () => {
        const withDelta = (files: Record<string, string>) => () =>
            repo.write({ "tenants/delta.yaml": DELTA, ...files });
        const cases: Record<string, [() => void, string[]]> = {
            "an edited existing tenant": [
                withDelta({ "tenants/alpha.yaml": tenantFile("alpha", { environments: ["dev"] }) }),
                ["tenants/alpha.yaml: modified (an existing tenant)"],
            ],
            "a stack-file change hidden in a signup": [
                withDelta({
                    "Pulumi.prod.yaml":
                        "config:\n  aims:environment: prod\n  aims:allowTenantRemoval: [alpha]\n",
                }),
                ["Pulumi.prod.yaml: modified (a stack file: not a signup)"],
            ],
            "a chart and a program change hidden in a signup": [
                withDelta({
                    "charts/tenant/values.yaml": "replicas: 0\n",
                    "index.ts": "export = async () => ({ changed: true });\n",
                }),
                [
                    "charts/tenant/values.yaml: modified (the chart: not a signup)",
                    "index.ts: modified (the program: not a signup)",
                ],
            ],
            "a harmless file is still not a tenant file": [
                withDelta({ "docs/delivery.md": "# Delivery, again\n" }),
                ["docs/delivery.md: modified (documentation: not a signup)"],
            ],
            "a removed tenant": [
                () => repo.remove("tenants/beta.yaml"),
                ["tenants/beta.yaml: removed (an existing tenant)"],
            ],
            "a renamed tenant": [
                () => {
                    repo.git("mv", "tenants/gamma.yaml", "tenants/gamma-two.yaml");
                    repo.write({
                        "tenants/gamma-two.yaml": tenantFile("gamma-two", {
                            environments: ["dev"],
                        }),
                    });
                },
                ["tenants/gamma.yaml: removed (an existing tenant)"],
            ],
            "a symbolic link named tenants/x.yaml": [
                () => fs.symlinkSync("alpha.yaml", path.join(repo.dir, "tenants/x.yaml")),
                ["tenants/x.yaml: added as a symbolic link, not a file"],
            ],
            "an executable tenant file": [
                () => {
                    repo.write({ "tenants/delta.yaml": DELTA });
                    fs.chmodSync(path.join(repo.dir, "tenants/delta.yaml"), 0o755);
                },
                ["tenants/delta.yaml: added as an executable file (mode 100755)"],
            ],
            "a new tenant that adopts a running school": [
                () =>
                    repo.write({
                        "tenants/delta.yaml": tenantFile("delta", { extra: "adopt: true" }),
                    }),
                [
                    "tenants/delta.yaml: adopt: takes over a school that already runs (it imports instead of creating): not a signup",
                ],
            ],
            "a new tenant that adopts a running school in one environment": [
                () =>
                    repo.write({
                        "tenants/delta.yaml": tenantFile("delta", { extra: "adopt: [prod]" }),
                    }),
                [
                    "tenants/delta.yaml: adopt: takes over a school that already runs (it imports instead of creating): not a signup",
                ],
            ],
            "a new tenant that restores a dump": [
                () =>
                    repo.write({
                        "tenants/delta.yaml": tenantFile("delta", {
                            extra: "restore:\n  prod:\n    dump: offboarding/prod/delta/tenant_delta.dump",
                        }),
                    }),
                [
                    "tenants/delta.yaml: restore: brings a school's data back from a dump, which a reviewer approves: not a signup",
                ],
            ],
            "a file under tenants/sub/ and one with .yml": [
                () =>
                    repo.write({
                        "tenants/sub/delta.yaml": DELTA,
                        "tenants/epsilon.yml": EPSILON,
                    }),
                [
                    "tenants/epsilon.yml: added (not a tenant file name: a signup adds tenants/<name>.yaml)",
                    "tenants/sub/delta.yaml: added (not a tenant file name: a signup adds tenants/<name>.yaml)",
                ],
            ],
            "a new file that names another tenant": [
                () => repo.write({ "tenants/delta.yaml": EPSILON }),
                [
                    'tenants/delta.yaml: name: must match the file name "delta" (got "epsilon"); rename the file to "epsilon.yaml" or fix the name',
                ],
            ],
            "a new file that is not a valid tenant": [
                () => repo.write({ "tenants/delta.yaml": "name: delta\nplan: huge\n" }),
                [
                    "tenants/delta.yaml: displayName: is required",
                    'tenants/delta.yaml: plan: must be one of small, standard, large (got "huge")',
                ],
            ],
            "a new tenant in a shard that no stack deploys": [
                () =>
                    repo.write({
                        "tenants/delta.yaml": tenantFile("delta", {
                            environments: ["prod"],
                            stackShard: { prod: 3 },
                        }),
                    }),
                ["tenants/delta.yaml: names shard 3 of prod, which no stack deploys"],
            ],
            "no change at all": [
                () => undefined,
                ["no file changed: a signup adds at least one tenant file"],
            ],
        };
        for (const [name, [change, reasons]] of Object.entries(cases)) {
            it(name, () => assert.deepEqual(verdictOf(change), notASignup(reasons)));
        }
    });

    describe("the create-tenant rule needs exactly its own file", () => {
        const note = (changed: string) =>
            `the create-tenant rule does not apply: branch "tenant/create-tenant-delta" must add exactly tenants/delta.yaml, and this change holds ${changed}`;

        it("a create-tenant branch adding another tenant: the general rule, not create-tenant", () => {
            const verdict = verdictOf(
                () => repo.write({ "tenants/epsilon.yaml": EPSILON }),
                "tenant/create-tenant-delta",
            );
            assert.equal(verdict.signup, true);
            assert.equal(verdict.rule, "adds-tenant-files");
            assert.deepEqual(verdict.notes, [note("tenants/epsilon.yaml (added)")]);
        });

        it("a create-tenant branch adding its tenant and another: the general rule", () => {
            const verdict = verdictOf(
                () => repo.write({ "tenants/delta.yaml": DELTA, "tenants/epsilon.yaml": EPSILON }),
                "tenant/create-tenant-delta",
            );
            assert.equal(verdict.rule, "adds-tenant-files");
            assert.deepEqual(verdict.tenants, ["delta", "epsilon"]);
            assert.deepEqual(verdict.notes, [
                note("tenants/delta.yaml (added), tenants/epsilon.yaml (added)"),
            ]);
        });

        it("a create-tenant branch whose file names another tenant: no rule", () => {
            assert.deepEqual(
                verdictOf(
                    () => repo.write({ "tenants/delta.yaml": EPSILON }),
                    "tenant/create-tenant-delta",
                ),
                notASignup([
                    'tenants/delta.yaml: name: must match the file name "delta" (got "epsilon"); rename the file to "epsilon.yaml" or fix the name',
                ]),
            );
        });

        it("a create-tenant branch editing its tenant: no rule", () => {
            assert.deepEqual(
                verdictOf(
                    () => repo.write({ "tenants/gamma.yaml": tenantFile("gamma") }),
                    "tenant/create-tenant-gamma",
                ),
                notASignup(
                    ["tenants/gamma.yaml: modified (an existing tenant)"],
                    [
                        'the create-tenant rule does not apply: branch "tenant/create-tenant-gamma" must add exactly tenants/gamma.yaml, and this change holds tenants/gamma.yaml (modified)',
                    ],
                ),
            );
        });
    });

    it("refuses a ref git does not know, naming the option", () => {
        assert.throws(
            () =>
                classifySignup(repo.dir, {
                    base: "main",
                    head: "no-such-branch",
                    options: ["--base", "--head"],
                }),
            (err: Error) =>
                err instanceof GitError &&
                err.message.startsWith(
                    '--head: "no-such-branch" is not a commit in this repository',
                ),
        );
    });

    describe("the command", () => {
        it("prints the verdict as JSON and exits 0, signup or not", () => {
            repo.git("checkout", "-q", "-b", "tenant/create-tenant-delta");
            repo.write({ "tenants/delta.yaml": DELTA });
            repo.commit("add delta");
            const signup = repo.run(
                "lane",
                "--base",
                "main",
                "--branch",
                "tenant/create-tenant-delta",
                "--json",
            );
            assert.equal(signup.status, 0, signup.stderr);
            assert.deepEqual(JSON.parse(signup.stdout), {
                signup: true,
                rule: "create-tenant",
                tenants: ["delta"],
                environments: ["dev", "prod"],
                stacks: ["dev", "prod-2"],
                reasons: [],
                notes: [],
            });
            repo.write({ "index.ts": "// changed\n" });
            repo.commit("and the program");
            const other = repo.run("lane", "--base", "main");
            assert.equal(other.status, 0, other.stderr);
            assert.deepEqual(other.stdout.trimEnd().split("\n"), [
                "not a signup:",
                "  index.ts: modified (the program: not a signup)",
            ]);
        });

        it("fails on bad input: a missing --base, an unknown ref", () => {
            const missing = repo.run("lane", "--json");
            assert.equal(missing.status, 1);
            assert.match(missing.stderr, /^--base is required$/m);
            const unknown = repo.run("lane", "--base", "origin/main", "--json");
            assert.equal(unknown.status, 1);
            assert.equal(unknown.stdout, "");
            assert.match(
                unknown.stderr,
                /^error: --base: "origin\/main" is not a commit in this repository/m,
            );
        });
    });
});

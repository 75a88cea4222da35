/**
 * `npm run stacks -- --changed-since <ref>` on real git history: a pull request's branch off
 * `main` in a temporary repository (test/support/git-history.ts: dev, sit, prod, prod-2; alpha
 * in dev, sit, prod; beta in sit and prod-2; gamma in dev). Each case asserts the exact stacks
 * and why.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { affectedStacks } from "../scripts/lib/affected-stacks";
import { GitError } from "../scripts/lib/git";
import { gitHistory, GitHistory, runScript, stackFile, tenantFile } from "./support/git-history";

const EVERY_STACK = ["dev", "sit", "prod", "prod-2"];

describe("affected stacks (npm run stacks -- --changed-since)", () => {
    let repo: GitHistory;
    beforeEach(() => {
        repo = gitHistory();
        repo.git("checkout", "-q", "-b", "change");
    });
    afterEach(() => repo.cleanup());

    /** Commits what `change` does on the branch, and returns the affected stacks and why. */
    function affectedBy(change: () => void): { stacks: string[]; why: Record<string, string> } {
        change();
        repo.commit("the change");
        const affected = affectedStacks(repo.dir, {
            base: "main",
            head: "HEAD",
            options: ["--changed-since", "--head"],
        });
        return { stacks: affected.stacks.map((stack) => stack.stack), why: { ...affected.why } };
    }
    const every = (why: string) => Object.fromEntries(EVERY_STACK.map((stack) => [stack, why]));

    describe("a change confined to tenants/", () => {
        it("a tenant added: the stacks of its environments and shards", () => {
            const delta = tenantFile("delta", {
                environments: ["dev", "prod"],
                stackShard: { prod: 2 },
            });
            assert.deepEqual(
                affectedBy(() => repo.write({ "tenants/delta.yaml": delta })),
                {
                    stacks: ["dev", "prod-2"],
                    why: {
                        dev: "tenants/delta.yaml: added",
                        "prod-2": "tenants/delta.yaml: added",
                    },
                },
            );
        });

        it("a tenant moved from prod to prod-2: both shards, and its other stacks", () => {
            const moved = tenantFile("alpha", { stackShard: { prod: 2 } });
            assert.deepEqual(
                affectedBy(() => repo.write({ "tenants/alpha.yaml": moved })),
                {
                    stacks: EVERY_STACK,
                    why: {
                        dev: "tenants/alpha.yaml: modified",
                        sit: "tenants/alpha.yaml: modified",
                        prod: "tenants/alpha.yaml: modified, leaves this stack",
                        "prod-2": "tenants/alpha.yaml: modified, joins this stack",
                    },
                },
            );
        });

        it("a tenant removed: the stacks it was in", () => {
            assert.deepEqual(
                affectedBy(() => repo.remove("tenants/beta.yaml")),
                {
                    stacks: ["sit", "prod-2"],
                    why: {
                        sit: "tenants/beta.yaml: removed",
                        "prod-2": "tenants/beta.yaml: removed",
                    },
                },
            );
        });

        it("a tenant's environments changed from dev to dev and sit: both", () => {
            const wider = tenantFile("gamma", { environments: ["dev", "sit"] });
            assert.deepEqual(
                affectedBy(() => repo.write({ "tenants/gamma.yaml": wider })),
                {
                    stacks: ["dev", "sit"],
                    why: {
                        dev: "tenants/gamma.yaml: modified",
                        sit: "tenants/gamma.yaml: modified, joins this stack",
                    },
                },
            );
        });

        it("a tenant renamed: the stacks of the old name and of the new one", () => {
            assert.deepEqual(
                affectedBy(() => {
                    repo.remove("tenants/gamma.yaml");
                    repo.write({
                        "tenants/gamma-two.yaml": tenantFile("gamma-two", {
                            environments: ["sit"],
                        }),
                    });
                }),
                {
                    stacks: ["dev", "sit"],
                    why: {
                        dev: "tenants/gamma.yaml: removed",
                        sit: "tenants/gamma-two.yaml: added",
                    },
                },
            );
        });

        it("several tenants: each stack says every tenant that reaches it", () => {
            assert.deepEqual(
                affectedBy(() => {
                    repo.remove("tenants/gamma.yaml");
                    repo.write({
                        "tenants/delta.yaml": tenantFile("delta", { environments: ["dev"] }),
                    });
                }),
                {
                    stacks: ["dev"],
                    why: { dev: "tenants/delta.yaml: added; tenants/gamma.yaml: removed" },
                },
            );
        });
    });

    describe("a change that can reach every stack", () => {
        it("a stack file changed", () => {
            const bigger = `${stackFile("prod", 2)}  aims:maxTenantsPerStack: 80\n`;
            assert.deepEqual(
                affectedBy(() => repo.write({ "Pulumi.prod-2.yaml": bigger })),
                { stacks: EVERY_STACK, why: every("Pulumi.prod-2.yaml: modified (a stack file)") },
            );
        });

        it("the chart changed", () => {
            assert.deepEqual(
                affectedBy(() => repo.write({ "charts/tenant/values.yaml": "replicas: 2\n" })),
                {
                    stacks: EVERY_STACK,
                    why: every("charts/tenant/values.yaml: modified (the chart)"),
                },
            );
        });

        it("a new shard stack: every stack of the head, the new one included", () => {
            const { stacks } = affectedBy(() =>
                repo.write({ "Pulumi.prod-3.yaml": stackFile("prod", 3) }),
            );
            assert.deepEqual(stacks, [...EVERY_STACK, "prod-3"]);
        });

        it("a path nobody listed as harmless", () => {
            assert.deepEqual(
                affectedBy(() => repo.write({ Makefile: "all:\n" })),
                {
                    stacks: EVERY_STACK,
                    why: every("Makefile: added (a file not known to be harmless)"),
                },
            );
        });

        it("a mixed change: every stack, with the tenant named where it lands", () => {
            const delta = tenantFile("delta", { environments: ["sit"] });
            assert.deepEqual(
                affectedBy(() =>
                    repo.write({
                        "docs/delivery.md": "# Delivery, again\n",
                        "index.ts": "export = async () => ({ changed: true });\n",
                        "tenants/delta.yaml": delta,
                    }),
                ),
                {
                    stacks: EVERY_STACK,
                    why: {
                        ...every("index.ts: modified (the program)"),
                        sit: "index.ts: modified (the program); tenants/delta.yaml: added",
                    },
                },
            );
        });

        it("shows three reasons, then how many more", () => {
            const { why } = affectedBy(() =>
                repo.write({
                    "components/a.ts": "",
                    "components/b.ts": "",
                    "components/c.ts": "",
                    "components/d.ts": "",
                    "components/e.ts": "",
                }),
            );
            assert.equal(
                why.dev,
                "components/a.ts: added (the program); components/b.ts: added (the program); components/c.ts: added (the program); and 2 more",
            );
        });
    });

    describe("a tenant file the program would refuse reaches every stack", () => {
        const cases: Record<string, [() => void, string]> = {
            "a tenant file that does not validate": [
                () =>
                    repo.write({
                        "tenants/delta.yaml": "name: delta\ndisplayName: Delta\nplan: huge\n",
                    }),
                'tenants/delta.yaml: plan: must be one of small, standard, large (got "huge"), after the change (every stack reads it)',
            ],
            "a tenant file named after another tenant": [
                () =>
                    repo.write({
                        "tenants/delta.yaml": tenantFile("gamma", { environments: ["dev"] }),
                    }),
                'tenants/delta.yaml: name: must match the file name "delta" (got "gamma"); rename the file to "gamma.yaml" or fix the name, after the change (every stack reads it)',
            ],
            "a symbolic link named like a tenant file": [
                () => fs.symlinkSync("alpha.yaml", path.join(repo.dir, "tenants/delta.yaml")),
                "tenants/delta.yaml: a symbolic link, which the program refuses to read, after the change (every stack reads it)",
            ],
            "a tenant file with the .yml extension": [
                () =>
                    repo.write({
                        "tenants/delta.yml": tenantFile("delta", { environments: ["dev"] }),
                    }),
                "tenants/delta.yml: added (a file in tenants/ that is not a tenant file)",
            ],
            "a tenant naming a shard that no stack deploys": [
                () =>
                    repo.write({
                        "tenants/delta.yaml": tenantFile("delta", {
                            environments: ["prod"],
                            stackShard: { prod: 3 },
                        }),
                    }),
                "tenants/delta.yaml: names shard 3 of prod, which no stack deploys, after the change",
            ],
        };
        for (const [name, [change, why]] of Object.entries(cases)) {
            it(name, () => {
                assert.deepEqual(affectedBy(change), { stacks: EVERY_STACK, why: every(why) });
            });
        }

        it("an invalid file before the change counts too", () => {
            repo.git("checkout", "-q", "main");
            repo.write({ "tenants/delta.yaml": "name: delta\n" });
            repo.commit("a broken tenant on main");
            repo.git("checkout", "-q", "-b", "fix");
            const { stacks, why } = affectedBy(() =>
                repo.write({
                    "tenants/delta.yaml": tenantFile("delta", { environments: ["dev"] }),
                }),
            );
            const broken =
                "tenants/delta.yaml: displayName: is required, before the change (every stack reads it)";
            assert.deepEqual(stacks, EVERY_STACK);
            assert.deepEqual(why, {
                ...every(broken),
                dev: `${broken}; tenants/delta.yaml: modified, joins this stack`,
            });
        });
    });

    it("files that cannot change a stack affect none", () => {
        assert.deepEqual(
            affectedBy(() =>
                repo.write({
                    "docs/delivery.md": "# Delivery, again\n",
                    "README.md": "# aims, again\n",
                    "tenants/README.md": "the tenants\n",
                    "test/stacks.test.ts": "// another test\n",
                    ".github/workflows/preview.yml": "name: preview again\n",
                    ".gitlab-ci.yml": "stages: [test]\n",
                    "bench-results/run.json": "{}\n",
                    "security/accepted-findings.md": "# none\n",
                    ".prettierrc.json": "{}\n",
                }),
            ),
            { stacks: [], why: {} },
        );
    });

    it("a README inside the chart is part of the chart", () => {
        const { stacks } = affectedBy(() => repo.write({ "charts/tenant/README.md": "# chart\n" }));
        assert.deepEqual(stacks, EVERY_STACK);
    });

    it("counts only the change since the merge base, not what main gained since", () => {
        repo.git("checkout", "-q", "main");
        repo.write({ "charts/tenant/values.yaml": "replicas: 3\n" });
        repo.commit("main moves on");
        repo.git("checkout", "-q", "change");
        assert.deepEqual(
            affectedBy(() => repo.remove("tenants/gamma.yaml")),
            { stacks: ["dev"], why: { dev: "tenants/gamma.yaml: removed" } },
        );
    });

    it("refuses a ref git does not know, naming the option", () => {
        assert.throws(
            () =>
                affectedStacks(repo.dir, {
                    base: "no-such-branch",
                    head: "HEAD",
                    options: ["--changed-since", "--head"],
                }),
            (err: Error) =>
                err instanceof GitError &&
                err.message ===
                    '--changed-since: "no-such-branch" is not a commit in this repository; fetch it first',
        );
    });

    describe("the command", () => {
        beforeEach(() => {
            repo.write({
                "tenants/delta.yaml": tenantFile("delta", {
                    environments: ["dev", "prod"],
                    stackShard: { prod: 2 },
                }),
            });
            repo.commit("add delta");
        });

        it("prints the JSON of npm run stacks, restricted to the affected stacks, with why", () => {
            const result = repo.run("stacks", "--changed-since", "main", "--json");
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(JSON.parse(result.stdout), {
                dev: ["dev"],
                sit: [],
                prod: ["prod-2"],
                all: ["dev", "prod-2"],
                environmentOf: { dev: "dev", "prod-2": "prod" },
                why: { dev: "tenants/delta.yaml: added", "prod-2": "tenants/delta.yaml: added" },
            });
        });

        it("prints a table with a WHY column", () => {
            const result = repo.run("stacks", "--changed-since", "main");
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(result.stdout.trimEnd().split("\n"), [
                "ENVIRONMENT  SHARD  STACK   WHY",
                "dev          1      dev     tenants/delta.yaml: added",
                "prod         2      prod-2  tenants/delta.yaml: added",
            ]);
        });

        it("--head names the change's last commit", () => {
            const before = repo.git("rev-parse", "HEAD~1");
            const result = repo.run(
                "stacks",
                "--changed-since",
                "main",
                "--head",
                before,
                "--json",
            );
            assert.equal(result.status, 0, result.stderr);
            assert.deepEqual(JSON.parse(result.stdout).all, []);
        });

        it("fails on an unknown ref, printing no JSON", () => {
            const result = repo.run("stacks", "--changed-since", "origin/main", "--json");
            assert.equal(result.status, 1);
            assert.equal(result.stdout, "");
            assert.match(
                result.stderr,
                /^error: --changed-since: "origin\/main" is not a commit in this repository/m,
            );
        });

        it("fails on a shallow clone without the merge base, saying to fetch the history", () => {
            repo.git("checkout", "-q", "main");
            repo.write({ "docs/delivery.md": "# main moves on\n" });
            repo.commit("main moves on");
            const clone = path.join(repo.dir, "..", `${path.basename(repo.dir)}-shallow`);
            repo.git(
                "clone",
                "-q",
                "--depth",
                "1",
                "--no-single-branch",
                `file://${repo.dir}`,
                clone,
            );
            try {
                const result = runScript(
                    clone,
                    "stacks",
                    "--changed-since",
                    "origin/main",
                    "--head",
                    "origin/change",
                );
                assert.equal(result.status, 1);
                assert.match(
                    result.stderr,
                    /^error: no merge base between \w{12} and \w{12}: this clone is shallow and lacks it; fetch the whole history/m,
                );
            } finally {
                fs.rmSync(clone, { recursive: true, force: true });
            }
        });

        it("refuses --head without --changed-since", () => {
            const result = repo.run("stacks", "--head", "HEAD");
            assert.equal(result.status, 1);
            assert.match(result.stderr, /^--head goes with --changed-since$/m);
        });
    });
});

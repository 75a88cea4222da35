/**
 * The signup lane's plan check (npm run plan-check): small plans in the shape of
 * `pulumi preview --json`, built here, with a good case and hostile ones. The same check on the
 * real engine's output is test/e2e/signup-lane.test.ts.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/support/project-root";
import { PreviewInputError, readPreviewPlan } from "../scripts/lib/preview-plan";
import { describeVerdict, judgeSignupPlan, SignupVerdict } from "../scripts/lib/signup-plan";

const PREFIX = "urn:pulumi:dev::aims-tenants::";
const STACK = `${PREFIX}pulumi:pulumi:Stack::aims-tenants-dev`;
const TENANT = "aims:index:Tenant";
const DATABASE = `${TENANT}$aims:index:TenantDatabase`;

interface Step {
    op: string;
    urn: string;
    newState?: Record<string, unknown>;
    oldState?: Record<string, unknown>;
}

const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
/** A step as the engine prints it: the state carries the type and the parent. */
const step = (op: string, urn: string, parent?: string): Step => {
    const state = { urn, type: typeOf(urn), custom: true, ...(parent && { parent }) };
    return op === "delete" ? { op, urn, oldState: state } : { op, urn, newState: state };
};
const tenantUrn = (name: string) => `${PREFIX}${TENANT}::${name}`;
const databaseUrn = (name: string) => `${PREFIX}${DATABASE}::${name}`;
const roleUrn = (name: string) => `${PREFIX}${DATABASE}$postgresql:index/role:Role::${name}-role`;
const namespaceUrn = (name: string) =>
    `${PREFIX}${TENANT}$aims:kubernetes:TenantWorkload$kubernetes:core/v1:Namespace::${name}`;
const workloadUrn = (name: string) => `${PREFIX}${TENANT}$aims:kubernetes:TenantWorkload::${name}`;
const GUARD = `${PREFIX}pulumi:pulumi:StackReference::deployed-tenants`;
const POSTGRES_PROVIDER = `${PREFIX}pulumi:providers:postgresql::postgresql`;
const KUBERNETES_PROVIDER = `${PREFIX}pulumi:providers:kubernetes::kubernetes`;

/** One tenant's resources, every step with `op`. */
const tenantSteps = (name: string, op: string): Step[] => [
    step(op, tenantUrn(name), STACK),
    step(op, databaseUrn(name), tenantUrn(name)),
    step(op, roleUrn(name), databaseUrn(name)),
    step(op, workloadUrn(name), tenantUrn(name)),
    step(op, namespaceUrn(name), workloadUrn(name)),
];

/** A stack with alpha and bravo deployed and unchanged, its providers and the guard's read. */
const deployedStack = (): Step[] => [
    step("same", STACK),
    step("read", GUARD, STACK),
    step("same", POSTGRES_PROVIDER, STACK),
    step("same", KUBERNETES_PROVIDER, STACK),
    ...tenantSteps("alpha", "same"),
    ...tenantSteps("bravo", "same"),
];

/**
 * A plan as `pulumi preview --json` prints it: the summary counts every step, and unchanged
 * resources are listed only with --show-sames (the stack's root always is).
 */
const printed = (steps: Step[], diagnostics: unknown[] = [], { showSames = false } = {}) => {
    const changeSummary: Record<string, number> = {};
    for (const s of steps) changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
    const listed = steps.filter((s) => showSames || s.op !== "same" || s.urn === STACK);
    return JSON.stringify({ steps: listed, diagnostics, changeSummary });
};

/** The deployed stack, charlie's creation and `extra` steps. */
const signupSteps = (extra: Step[] = []): Step[] => [
    ...deployedStack(),
    ...tenantSteps("charlie", "create"),
    ...extra,
];
const signup = (extra: Step[] = [], diagnostics: unknown[] = [], options = {}) =>
    printed(signupSteps(extra), diagnostics, options);

const judge = (text: string, tenants: string[] = ["charlie"]): SignupVerdict =>
    judgeSignupPlan(readPreviewPlan(text), tenants);

/** A refused verdict's offences as `op urn`. */
const offending = (verdict: SignupVerdict) =>
    verdict.offences.map((offence) => `${offence.op} ${offence.urn}`);

/** Replaces the step of `urn` in a plan by `replacement` steps. */
const withSteps = (steps: Step[], urn: string, replacement: Step[]): Step[] =>
    steps.flatMap((s) => (s.urn === urn ? replacement : [s]));

describe("signup plan check", () => {
    describe("admits", () => {
        it("a plan that only creates the new tenant's component and what is inside it", () => {
            const verdict = judge(signup());
            assert.equal(verdict.admitted, true);
            assert.deepEqual(verdict.offences, []);
            assert.deepEqual([...verdict.createdByTenant], [["charlie", 5]]);
            assert.equal(verdict.unchanged, 13);
            assert.equal(verdict.guardReads, 1);
            assert.deepEqual(describeVerdict(verdict), [
                "signup plan admitted: 5 creates inside tenant charlie; 13 unchanged; 1 read of the deletion guard's history",
            ]);
        });

        it("two new tenants, and says which named tenant this stack does not hold", () => {
            const text = signup(tenantSteps("delta", "create"));
            const verdict = judge(text, ["charlie", "delta", "echo"]);
            assert.equal(verdict.admitted, true);
            assert.deepEqual(
                [...verdict.createdByTenant],
                [
                    ["charlie", 5],
                    ["delta", 5],
                ],
            );
            assert.deepEqual(verdict.absentTenants, ["echo"]);
            assert.match(
                describeVerdict(verdict).at(-1)!,
                /10 creates inside tenants charlie, delta; .*not in this stack: echo$/,
            );
        });

        it("warnings of the preview", () => {
            const warning = { severity: "warning", message: "a deprecated field", urn: STACK };
            assert.equal(judge(signup([], [warning])).admitted, true);
        });
    });

    describe("refuses", () => {
        it("an update of an existing tenant's resource beside the signup", () => {
            const steps = withSteps(signupSteps(), roleUrn("alpha"), [
                step("update", roleUrn("alpha"), databaseUrn("alpha")),
            ]);
            const verdict = judge(printed(steps));
            assert.equal(verdict.admitted, false);
            assert.deepEqual(offending(verdict), [`update ${roleUrn("alpha")}`]);
            assert.match(verdict.offences[0].reason, /updates an existing resource/);
            assert.match(
                describeVerdict(verdict)[0],
                /^update urn:pulumi:dev::aims-tenants::.*::alpha-role: updates an existing resource/,
            );
            assert.match(
                describeVerdict(verdict).at(-1)!,
                /^signup plan refused \(1 problem\): 5 creates inside tenant charlie; 12 unchanged/,
            );
        });

        it("a replace, in each of the steps the engine prints for it", () => {
            const urn = namespaceUrn("bravo");
            const replaced = ["replace", "create-replacement", "delete-replaced"].map((op) =>
                step(op, urn, workloadUrn("bravo")),
            );
            const steps = withSteps(signupSteps(), urn, replaced);
            const verdict = judge(printed(steps));
            assert.deepEqual(offending(verdict), [
                `replace ${urn}`,
                `create-replacement ${urn}`,
                `delete-replaced ${urn}`,
            ]);
            for (const offence of verdict.offences)
                assert.match(offence.reason, /replaces an existing resource/);
        });

        it("a delete, an import, a discard and an operation it does not know", () => {
            const steps = [
                ...signupSteps(),
                step("delete", roleUrn("gone"), databaseUrn("alpha")),
                step("import", `${PREFIX}postgresql:index/database:Database::adopted`, STACK),
                step("discard", `${PREFIX}postgresql:index/database:Database::forgotten`, STACK),
                step("refresh", `${PREFIX}postgresql:index/database:Database::refreshed`, STACK),
            ];
            const verdict = judge(printed(steps));
            assert.deepEqual(
                verdict.offences.map((offence) => offence.op),
                ["delete", "import", "discard", "refresh"],
            );
            assert.match(verdict.offences[0].reason, /deletes/);
            assert.match(verdict.offences[1].reason, /imports/);
        });

        it("a create outside any tenant", () => {
            const urn = `${PREFIX}kubernetes:core/v1:Namespace::shared`;
            const verdict = judge(signup([step("create", urn, STACK)]));
            assert.deepEqual(offending(verdict), [`create ${urn}`]);
            assert.match(verdict.offences[0].reason, /outside any new tenant's component/);
        });

        it("a create inside an existing tenant, whether unchanged resources are listed or not", () => {
            const urn = `${PREFIX}${TENANT}$kubernetes:core/v1:ConfigMap::alpha-extra`;
            const extra = [step("create", urn, tenantUrn("alpha"))];
            const byDefault = judge(signup(extra));
            assert.deepEqual(offending(byDefault), [`create ${urn}`]);
            assert.match(
                byDefault.offences[0].reason,
                /its parent .*::alpha is not created by this plan/,
            );
            const verdict = judge(signup(extra, [], { showSames: true }));
            assert.deepEqual(offending(verdict), [`create ${urn}`]);
            assert.match(
                verdict.offences[0].reason,
                new RegExp(
                    `inside ${tenantUrn("alpha").replace(/\$/g, "\\$")}, which is not the component of a named new tenant`,
                ),
            );
        });

        it("a create named after the new tenant whose parent is another tenant", () => {
            const urn = `${PREFIX}${TENANT}$kubernetes:core/v1:Secret::charlie-registry`;
            const verdict = judge(signup([step("create", urn, tenantUrn("bravo"))]));
            assert.deepEqual(offending(verdict), [`create ${urn}`]);
            assert.match(verdict.offences[0].reason, /::bravo/);
            const listed = judge(
                signup([step("create", urn, tenantUrn("bravo"))], [], { showSames: true }),
            );
            assert.match(listed.offences[0].reason, /inside .*::bravo, which is not/);
        });

        it("a Tenant component with a new tenant's name that is not directly under the stack", () => {
            const nested = `${PREFIX}${TENANT}$${TENANT}::delta`;
            const child = `${PREFIX}${TENANT}$${TENANT}$kubernetes:core/v1:Namespace::delta`;
            const text = signup([
                step("create", nested, tenantUrn("alpha")),
                step("create", child, nested),
            ]);
            const verdict = judge(text, ["charlie", "delta"]);
            assert.deepEqual(offending(verdict), [`create ${nested}`, `create ${child}`]);
        });

        it("a create whose parent is not in the plan, and a chain of parents that loops", () => {
            const orphan = `${PREFIX}${TENANT}$kubernetes:core/v1:Secret::charlie-orphan`;
            const loopA = `${PREFIX}aims:index:Loop::a`;
            const loopB = `${PREFIX}aims:index:Loop::b`;
            const verdict = judge(
                signup([
                    step("create", orphan, `${PREFIX}${TENANT}::nobody`),
                    step("create", loopA, loopB),
                    step("create", loopB, loopA),
                ]),
            );
            assert.match(
                verdict.offences[0].reason,
                /its parent .*::nobody is not created by this plan/,
            );
            assert.match(verdict.offences[1].reason, /loops/);
            assert.equal(verdict.offences.length, 3);
        });

        it("the stack's first tenant: its providers are created outside any tenant", () => {
            const steps = [
                step("same", STACK),
                step("read", GUARD, STACK),
                step("create", POSTGRES_PROVIDER, STACK),
                step("create", KUBERNETES_PROVIDER, STACK),
                ...tenantSteps("charlie", "create"),
            ];
            const verdict = judge(printed(steps));
            assert.deepEqual(offending(verdict), [
                `create ${POSTGRES_PROVIDER}`,
                `create ${KUBERNETES_PROVIDER}`,
            ]);
            assert.match(
                verdict.offences[0].reason,
                /creates a provider shared by the whole stack/,
            );
        });

        it("a new stack: the stack itself is created", () => {
            const steps = [step("create", STACK), ...tenantSteps("charlie", "create")];
            const verdict = judge(printed(steps));
            assert.deepEqual(offending(verdict), [`create ${STACK}`]);
            assert.match(verdict.offences[0].reason, /first deployment of a stack is not a signup/);
        });

        it("a read of anything but the deletion guard's history", () => {
            const other = `${PREFIX}pulumi:pulumi:StackReference::other-stack`;
            const nestedGuard = `${PREFIX}${TENANT}$pulumi:pulumi:StackReference::deployed-tenants`;
            const verdict = judge(
                signup([
                    step("read", other, STACK),
                    step("read", nestedGuard, tenantUrn("charlie")),
                ]),
            );
            assert.deepEqual(offending(verdict), [`read ${other}`, `read ${nestedGuard}`]);
        });

        it("a change summary that counts changes the steps do not list", () => {
            const document = JSON.parse(signup());
            document.changeSummary.update = 2;
            document.changeSummary.create = 6;
            const verdict = judge(JSON.stringify(document));
            assert.equal(verdict.admitted, false);
            assert.deepEqual(verdict.offences, []);
            assert.deepEqual(verdict.problems, [
                "the change summary counts 6 create but the steps list 5: the plan is not complete",
                "the change summary counts 2 update but the steps list 0: the plan is not complete",
            ]);
        });

        it("a preview with an error diagnostic, and names the error", () => {
            const error = {
                severity: "error",
                message: "error: tenants/charlie.yaml: domain: taken\nmore",
                urn: STACK,
            };
            const verdict = judge(signup([], [error]));
            assert.equal(verdict.admitted, false);
            assert.deepEqual(verdict.offences, []);
            assert.deepEqual(verdict.problems, [
                "the preview reported an error: tenants/charlie.yaml: domain: taken",
            ]);
        });

        it("a plan that creates none of the named tenants", () => {
            const verdict = judge(printed(deployedStack()));
            assert.equal(verdict.admitted, false);
            assert.match(verdict.problems[0], /creates none of the named tenants \(charlie\)/);
        });

        it("an existing tenant named as new: its resources are not created", () => {
            const verdict = judge(signup(), ["alpha"]);
            assert.equal(verdict.admitted, false);
            assert.equal(verdict.offences.length, 5);
            assert.match(verdict.offences[0].reason, /not one of the named new tenants/);
        });

        it("an empty list of new tenants", () => {
            const verdict = judge(signup(), []);
            assert.equal(verdict.admitted, false);
            assert.ok(
                verdict.problems.includes("no new tenant was named: a signup adds at least one"),
            );
        });
    });

    describe("refuses input that is not a preview's JSON", () => {
        const cases: [string, string, RegExp][] = [
            ["text", "Previewing update (dev):\n + 5 to create", /not JSON/],
            ["a list", "[]", /not an object/],
            ["an object without steps", '{"config":{}}', /neither `steps` nor `diagnostics`/],
            ["steps that are not a list", '{"steps":{}}', /`steps` is not a list/],
            ["a step without an op", `{"steps":[{"urn":"${STACK}"}]}`, /steps\[0\]\.op/],
            [
                "a step whose URN is not one",
                '{"steps":[{"op":"same","urn":"charlie"}]}',
                /steps\[0\]\.urn: not a Pulumi URN/,
            ],
            [
                "a state whose type is not its URN's",
                JSON.stringify({
                    steps: [
                        {
                            op: "create",
                            urn: tenantUrn("charlie"),
                            newState: { type: "pulumi:pulumi:Stack" },
                        },
                    ],
                }),
                /the state's type pulumi:pulumi:Stack is not the type of its URN/,
            ],
            [
                "a diagnostic without a severity",
                '{"diagnostics":[{"message":"x"}]}',
                /diagnostics\[0\]/,
            ],
            [
                "a change summary that is not counts",
                '{"steps":[],"changeSummary":{"create":"all"}}',
                /`changeSummary` is not a count per operation/,
            ],
        ];
        for (const [what, text, message] of cases) {
            it(what, () =>
                assert.throws(
                    () => readPreviewPlan(text),
                    (err: Error) => err instanceof PreviewInputError && message.test(err.message),
                ),
            );
        }
    });

    describe("npm run plan-check", function () {
        this.timeout(60_000);
        let dir: string;
        before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-plan-check-"))));
        after(() => fs.rmSync(dir, { recursive: true, force: true }));
        const run = (args: string[], input?: string) => {
            const result = spawnSync(
                process.execPath,
                [
                    "-r",
                    "ts-node/register/transpile-only",
                    path.join(PROJECT_ROOT, "scripts", "plan-check.ts"),
                    ...args,
                ],
                {
                    cwd: PROJECT_ROOT,
                    encoding: "utf8",
                    input,
                    env: {
                        ...process.env,
                        TS_NODE_PROJECT: path.join(PROJECT_ROOT, "tsconfig.json"),
                    },
                },
            );
            return { status: result.status, stdout: result.stdout, stderr: result.stderr };
        };

        it("exits 0 on an admitted plan read from --file", () => {
            const file = path.join(dir, "preview.json");
            fs.writeFileSync(file, signup());
            const result = run(["--tenants", "charlie", "--file", file]);
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /^signup plan admitted: 5 creates inside tenant charlie/);
        });

        it("exits 1 on a refused plan read from stdin, one line per offending step", () => {
            const urn = `${PREFIX}kubernetes:core/v1:Namespace::shared`;
            const result = run(
                ["--tenants", "charlie"],
                signup([
                    step("create", urn, STACK),
                    step("delete", roleUrn("alpha"), databaseUrn("alpha")),
                ]),
            );
            assert.equal(result.status, 1);
            const lines = result.stdout.trim().split("\n");
            assert.equal(lines.length, 3);
            assert.match(lines[0], /^create urn:pulumi:.*::shared: /);
            assert.match(lines[1], /^delete urn:pulumi:.*::alpha-role: /);
            assert.match(lines[2], /^signup plan refused \(2 problems\)/);
        });

        it("exits 1 on input that is not a preview's JSON", () => {
            const result = run(["--tenants", "charlie"], "error: preview failed\n");
            assert.equal(result.status, 1);
            assert.match(result.stdout, /signup plan refused: stdin: the input is not JSON/);
        });

        it("exits 2 without new tenants, with a tenant name that is not one, or an unreadable file", () => {
            for (const args of [
                [],
                ["--tenants", ""],
                ["--tenants", " , "],
                ["--tenants", "Charlie"],
                ["--tenants", "charlie", "--file", path.join(dir, "missing.json")],
                ["--tenants", "charlie", "extra"],
            ]) {
                const result = run(args, signup());
                assert.equal(result.status, 2, `${args.join(" ")}: ${result.stdout}`);
                assert.match(result.stderr, /--tenants|--file|unexpected arguments/);
                assert.equal(result.stdout, "");
            }
        });
    });
});

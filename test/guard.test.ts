import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
    DeployedTenant,
    DeploymentHistory,
    interpretHistory,
} from "../components/safety/deployment-history";
import { ValidationError } from "../components/support/errors";
import {
    GuardSettings,
    guardProblems,
    platformMoveProblems,
    removalGuardProblems,
} from "../components/safety/guard";
import type { TenantSpec } from "../components/tenant-files/registry";
import { TENANT_TYPE } from "../components/vocabulary/type-tokens";
import { copyProject, ProjectCopy } from "./support/project";
import { spec, startMocks, valueOf } from "./support/mocks";
import { loadProgram } from "../scripts/lib/program";

const settings = (overrides: Partial<GuardSettings> = {}): GuardSettings => ({
    file: "Pulumi.prod.yaml",
    environment: "prod",
    stackShard: 1,
    platform: "kubernetes",
    protectData: true,
    allowTenantRemoval: [],
    forceTenantRemoval: [],
    allowPlatformMove: [],
    acceptMissingTenantHistory: false,
    maxTenantRemovals: 1,
    ...overrides,
});
const deployed = (...names: string[]): DeployedTenant[] =>
    names.map((name) => ({ name, platform: "kubernetes", status: "active" }));
const offboarded = (...names: string[]): DeployedTenant[] =>
    names.map((name) => ({ name, platform: "kubernetes", status: "offboarding" }));
const next = (...names: string[]) => names.map((name) => spec({ name }));
const history = (tenants: DeployedTenant[]): DeploymentHistory => ({ kind: "deployed", tenants });
const MARKER = { outputsVersion: 1 };

describe("deletion guard: the stack's history", () => {
    it("is new when the stack has neither a tenants output nor the marker", () => {
        for (const [tenants, marker] of [
            [undefined, undefined],
            [null, null],
            [undefined, null],
            [null, undefined],
        ]) {
            assert.deepEqual(interpretHistory(tenants, marker), { kind: "new" });
        }
    });

    it("is the recorded tenants, with or without the marker (a stack deployed before the marker existed)", () => {
        const tenants = [
            {
                name: "a",
                platform: "aws",
                status: "suspended",
                url: "https://a.example.org",
                plan: "small",
            },
        ];
        for (const marker of [undefined, MARKER]) {
            assert.deepEqual(interpretHistory(tenants, marker), {
                kind: "deployed",
                tenants: [{ name: "a", platform: "aws", status: "suspended" }],
            });
        }
    });

    const lostHistories: Record<string, [unknown, unknown, RegExp]> = {
        "a missing tenants output on a marked stack": [
            undefined,
            MARKER,
            /"tenants" output is missing, although its "aimsStack" output says it has been deployed/,
        ],
        "a null tenants output on a marked stack": [null, MARKER, /"tenants" output is missing/],
        "an empty list": [[], MARKER, /"tenants" output is an empty list/],
        "an empty list without the marker": [[], undefined, /"tenants" output is an empty list/],
        "a string": ["school1", undefined, /"tenants" output is not a list \(got a string\)/],
        "an object": [{ school1: { status: "active" } }, MARKER, /not a list \(got an object\)/],
        "a number": [3, MARKER, /not a list \(got a number\)/],
        "a list of names": [
            ["school1"],
            MARKER,
            /entry \[0\] without a name, a known platform and a known status/,
        ],
        "an entry without a platform": [[{ name: "a", status: "active" }], MARKER, /entry \[0\]/],
        "an entry without a status": [
            [{ name: "a", platform: "kubernetes" }],
            MARKER,
            /entry \[0\]/,
        ],
        "an unknown platform": [
            [
                { name: "a", platform: "kubernetes", status: "active" },
                { name: "b", platform: "gcp", status: "active" },
            ],
            MARKER,
            /entry \[1\]/,
        ],
        "an unknown status": [
            [{ name: "a", platform: "aws", status: "deleted" }],
            MARKER,
            /entry \[0\]/,
        ],
        "an empty name": [[{ name: "", platform: "aws", status: "active" }], MARKER, /entry \[0\]/],
        "a null entry": [[null], MARKER, /entry \[0\]/],
        "a tenant listed twice": [
            [
                { name: "a", platform: "aws", status: "active" },
                { name: "a", platform: "kubernetes", status: "active" },
            ],
            MARKER,
            /lists "a" more than once/,
        ],
        "a marker that is a string": [
            undefined,
            "deployed",
            /"aimsStack" output is not what this program writes \(got a string\)/,
        ],
        "a marker that is a list": [
            [{ name: "a", platform: "aws", status: "active" }],
            [1],
            /"aimsStack" output is not what this program writes \(got a list\)/,
        ],
        "a marker without a version": [
            undefined,
            {},
            /"aimsStack" output is not what this program writes/,
        ],
        "a marker with a version as a string": [
            undefined,
            { outputsVersion: "1" },
            /not what this program writes/,
        ],
        "a marker with version 0": [
            undefined,
            { outputsVersion: 0 },
            /not what this program writes/,
        ],
        "a marker from a newer program": [
            [{ name: "a", platform: "aws", status: "active" }],
            { outputsVersion: 2 },
            /written by a newer version of this program/,
        ],
    };
    for (const [label, [tenants, marker, reason]] of Object.entries(lostHistories)) {
        it(`is lost on ${label}`, () => {
            const read = interpretHistory(tenants, marker);
            assert.equal(read.kind, "lost");
            assert.match((read as { reason: string }).reason, reason);
        });
    }

    it("never quotes an output's content in the reason", () => {
        const read = interpretHistory("postgres://admin:hunter2@db", MARKER) as { reason: string };
        assert.doesNotMatch(read.reason, /hunter2/);
    });
});

describe("deletion guard: a lost history", () => {
    const lost: DeploymentHistory = { kind: "lost", reason: 'its "tenants" output is missing' };

    it("refuses, naming the file, the reason and the escape hatch", () => {
        const problems = guardProblems(lost, next("a"), settings());
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /^Pulumi\.prod\.yaml: the stack has been deployed, but its "tenants" output is missing; refusing/,
        );
        assert.match(
            problems[0],
            /set aims:acceptMissingTenantHistory: true in Pulumi\.prod\.yaml for one update, and take it off again right after/,
        );
    });

    it("goes ahead with aims:acceptMissingTenantHistory, still refusing an empty list and flagging confirmations of unknown tenants", () => {
        assert.deepEqual(
            guardProblems(lost, next("a"), settings({ acceptMissingTenantHistory: true })),
            [],
        );
        const problems = guardProblems(
            lost,
            [],
            settings({ acceptMissingTenantHistory: true, allowTenantRemoval: ["b"] }),
        );
        assert.match(problems[0], /would deploy no tenant to prod; refusing/);
        assert.match(
            problems[1],
            /aims:allowTenantRemoval: lists "b", which matches no tenant the stack deployed last time \(none\)/,
        );
    });

    it("refuses aims:acceptMissingTenantHistory left on with a healthy history or on a new stack", () => {
        const on = settings({ acceptMissingTenantHistory: true });
        assert.deepEqual(guardProblems(history(deployed("a")), next("a"), on), [
            'Pulumi.prod.yaml: aims:acceptMissingTenantHistory: is true, but its "tenants" and "aimsStack" outputs are intact; take it off: left on, it would let a later loss of the stack\'s history through unnoticed',
        ]);
        assert.match(
            guardProblems({ kind: "new" }, next("a"), on)[0],
            /acceptMissingTenantHistory: is true, but the stack is new; take it off/,
        );
    });

    it("lets a new stack deploy its tenants", () => {
        assert.deepEqual(guardProblems({ kind: "new" }, next("a", "b"), settings()), []);
    });
});

describe("deletion guard: removals", () => {
    it("lets tenants be added and kept", () => {
        assert.deepEqual(removalGuardProblems(deployed("a"), next("a", "b"), settings()), []);
    });

    it("refuses an unconfirmed removal, naming the tenant, the environment and what it deletes", () => {
        const problems = removalGuardProblems(
            [...deployed("a"), ...offboarded("school1")],
            next("a"),
            settings(),
        );
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /^Pulumi\.prod\.yaml: aims:allowTenantRemoval: removing school1 in prod \(kubernetes\): deletes namespace school1/,
        );
        assert.match(
            problems[0],
            /its offboarding backup job goes too, the dump stays in the backup bucket; database tenant_school1 and its role are kept/,
        );
        assert.match(
            problems[0],
            /add "school1" to aims:allowTenantRemoval in Pulumi\.prod\.yaml; if not, restore tenants\/school1\.yaml/,
        );
        assert.doesNotMatch(problems[0], /refuses until its status is offboarding/);
    });

    describe("a move to another shard stack", () => {
        const movedTo = (shard: number) =>
            spec({ name: "school1", stackShard: { prod: shard }, file: "tenants/school1.yaml" });

        it("is refused like an unconfirmed removal, naming the file, the shard and the way back", () => {
            for (const shard of [2, 3]) {
                const problems = removalGuardProblems(
                    deployed("a", "school1"),
                    next("a"),
                    settings(),
                    [movedTo(shard)],
                );
                assert.equal(problems.length, 2, problems.join("\n")); // the move, and no backup
                assert.match(
                    problems[0],
                    new RegExp(
                        `^Pulumi\\.prod\\.yaml: aims:allowTenantRemoval: stackShard\\.prod: ${shard} in tenants/school1\\.yaml moves school1 from this stack \\(shard 1\\) to shard ${shard} of prod, where it would be declared again from nothing\\. ` +
                            "Here that means removing school1 in prod \\(kubernetes\\): deletes namespace school1",
                    ),
                );
                assert.match(problems[0], /put stackShard\.prod back to 1$/);
                assert.match(
                    problems[1],
                    /^Pulumi\.prod\.yaml: aims:forceTenantRemoval: school1 was active/,
                );
            }
        });

        it("is refused from a shard other than the first, back to shard 1 as well", () => {
            const problems = removalGuardProblems(
                offboarded("school1"),
                next("a"),
                settings({ stackShard: 2 }),
                [spec({ name: "school1" })],
            );
            assert.equal(problems.length, 1);
            assert.match(
                problems[0],
                /moves school1 from this stack \(shard 2\) to shard 1 of prod/,
            );
            assert.match(problems[0], /put stackShard\.prod back to 2$/);
        });

        it("goes ahead only as a confirmed removal, with the removal's own rules", () => {
            const confirmed = settings({ allowTenantRemoval: ["school1"] });
            assert.deepEqual(
                removalGuardProblems(offboarded("school1"), next("a"), confirmed, [movedTo(2)]),
                [],
            );
            const unbacked = removalGuardProblems(deployed("school1"), next("a"), confirmed, [
                movedTo(2),
            ]);
            assert.equal(unbacked.length, 1);
            assert.match(unbacked[0], /aims:forceTenantRemoval: school1 was active/);
        });
    });

    it("accepts a confirmed removal of an offboarded tenant", () => {
        assert.deepEqual(
            removalGuardProblems(
                [...deployed("a"), ...offboarded("school1")],
                next("a"),
                settings({ allowTenantRemoval: ["school1"] }),
            ),
            [],
        );
    });

    it("says what an AWS tenant's removal deletes", () => {
        const problems = removalGuardProblems(
            [{ name: "greenfield", platform: "aws", status: "offboarding" }, ...deployed("a")],
            next("a"),
            settings({ protectData: false, environment: "dev", file: "Pulumi.dev.yaml" }),
        );
        assert.match(
            problems[0],
            /removing greenfield in dev \(aws\): deletes its ECS service .*log group \/ecs\/dev-greenfield.*database tenant_greenfield and its role are dropped/,
        );
    });

    for (const status of ["active", "suspended"] as const) {
        it(`refuses to remove a ${status} tenant (never backed up) even when confirmed, unless forced`, () => {
            const last: DeployedTenant[] = [
                ...deployed("a"),
                { name: "school1", platform: "aws", status },
            ];
            const problems = removalGuardProblems(
                last,
                next("a"),
                settings({ allowTenantRemoval: ["school1"] }),
            );
            assert.deepEqual(problems, [
                `Pulumi.prod.yaml: aims:forceTenantRemoval: school1 was ${status} when the stack last deployed it, so no offboarding backup of its database was taken; ` +
                    "refusing to remove it, confirmed or not. Go through offboarding first: keep tenants/school1.yaml with status: offboarding, deploy that, then remove it " +
                    '(docs/offboarding.md); or, to remove it without a backup, add "school1" to aims:forceTenantRemoval as well as to aims:allowTenantRemoval in Pulumi.prod.yaml',
            ]);
            assert.deepEqual(
                removalGuardProblems(
                    last,
                    next("a"),
                    settings({ allowTenantRemoval: ["school1"], forceTenantRemoval: ["school1"] }),
                ),
                [],
            );
        });
    }

    it("does not let a force stand in for the confirmation", () => {
        const problems = removalGuardProblems(
            [...deployed("a", "school1")],
            next("a"),
            settings({ forceTenantRemoval: ["school1"] }),
        );
        assert.equal(problems.length, 1);
        assert.match(problems[0], /aims:allowTenantRemoval: removing school1 in prod/);
    });

    it("reports both the missing confirmation and the missing backup of an unconfirmed active tenant", () => {
        const problems = removalGuardProblems(deployed("a", "school1"), next("a"), settings());
        assert.deepEqual(
            problems.map((p) => p.split(": ")[1]),
            ["aims:allowTenantRemoval", "aims:forceTenantRemoval"],
        );
    });

    it("refuses more removals at once than aims:maxTenantRemovals, even when confirmed", () => {
        const confirmed = settings({ allowTenantRemoval: ["b", "c"] });
        const problems = removalGuardProblems(
            [...deployed("a"), ...offboarded("b", "c")],
            next("a"),
            confirmed,
        );
        assert.deepEqual(problems, [
            "Pulumi.prod.yaml: aims:maxTenantRemovals: this update would remove 2 tenants from prod (b, c), more than the 1 allowed at once; remove them in separate changes, or raise aims:maxTenantRemovals for this one change",
        ]);
        assert.deepEqual(
            removalGuardProblems([...deployed("a"), ...offboarded("b", "c")], next("a"), {
                ...confirmed,
                maxTenantRemovals: 2,
            }),
            [],
        );
    });

    it("refuses an empty list, even for a stack that has no tenant yet", () => {
        assert.match(
            removalGuardProblems(offboarded("a"), [], settings({ allowTenantRemoval: ["a"] }))[0],
            /would deploy no tenant to prod and remove all 1 it has; refusing/,
        );
        assert.match(
            removalGuardProblems([], [], settings())[0],
            /would deploy no tenant to prod; refusing/,
        );
    });
});

describe("deletion guard: stale confirmations", () => {
    it("refuses a removal confirmation that names a tenant the stack still deploys", () => {
        assert.deepEqual(
            removalGuardProblems(deployed("a"), next("a"), settings({ allowTenantRemoval: ["a"] })),
            [
                'Pulumi.prod.yaml: aims:allowTenantRemoval: lists "a", which this stack still deploys; take it off the list so that it cannot confirm a later, accidental removal',
            ],
        );
    });

    const unknownNames: Record<string, string> = {
        "a typo": "schol1",
        "another case": "School1",
        "a removal already done": "old-school",
        "a name with spaces": " school1",
    };
    for (const [label, name] of Object.entries(unknownNames)) {
        it(`flags a removal confirmation that matches no deployed tenant: ${label}`, () => {
            const problems = removalGuardProblems(
                deployed("a", "b"),
                next("a", "b"),
                settings({ allowTenantRemoval: [name] }),
            );
            assert.deepEqual(problems, [
                `Pulumi.prod.yaml: aims:allowTenantRemoval: lists "${name}", which matches no tenant the stack deployed last time (a, b); a typo, or a removal already done: take it off the list`,
            ]);
        });
    }

    it("does not let a misspelled confirmation confirm the real removal", () => {
        const problems = removalGuardProblems(
            [...deployed("a"), ...offboarded("school1")],
            next("a"),
            settings({ allowTenantRemoval: ["School1"] }),
        );
        assert.equal(problems.length, 2);
        assert.match(problems[0], /removing school1 in prod/);
        assert.match(problems[1], /lists "School1", which matches no tenant/);
    });

    it("flags a force that removes nothing, or that an offboarded tenant does not need", () => {
        assert.deepEqual(
            removalGuardProblems(
                deployed("a"),
                next("a"),
                settings({ forceTenantRemoval: ["a", "zzz"] }),
            ),
            [
                'Pulumi.prod.yaml: aims:forceTenantRemoval: lists "a", which this update does not remove; take it off the list',
                'Pulumi.prod.yaml: aims:forceTenantRemoval: lists "zzz", which this update does not remove; take it off the list',
            ],
        );
        const problems = removalGuardProblems(
            [...deployed("a"), ...offboarded("b")],
            next("a"),
            settings({ allowTenantRemoval: ["b"], forceTenantRemoval: ["b"] }),
        );
        assert.deepEqual(problems, [
            'Pulumi.prod.yaml: aims:forceTenantRemoval: lists "b", which was offboarding, so its backup was taken; the force is not needed: take it off the list',
        ]);
    });
});

describe("deletion guard: platform moves", () => {
    const onAws = (name: string, overrides: Partial<TenantSpec> = {}) =>
        spec({ name, platform: "aws", ...overrides });

    it("refuses a tenant file moving a tenant to another platform, naming what goes", () => {
        const problems = platformMoveProblems(
            deployed("a", "school1"),
            [spec({ name: "a" }), onAws("school1")],
            settings(),
        );
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /^Pulumi\.prod\.yaml: aims:allowPlatformMove: platform: aws in tenants\/school1\.yaml moves school1 in prod from kubernetes to aws: deletes namespace school1 with its Helm release, secrets/,
        );
        assert.match(
            problems[0],
            /its namespace and secrets are retained on delete.*being protected they make `pulumi up` fail until the tenant's status is offboarding/,
        );
        assert.match(problems[0], /database tenant_school1 and its role stay/);
        assert.match(
            problems[0],
            /add "school1" to aims:allowPlatformMove in Pulumi\.prod\.yaml; if not, put the tenant back on kubernetes$/,
        );
    });

    it("refuses a stack-wide aims:platform change, once per tenant it moves", () => {
        const problems = platformMoveProblems(
            deployed("a", "b"),
            next("a", "b"),
            settings({
                platform: "aws",
                protectData: false,
                environment: "dev",
                file: "Pulumi.dev.yaml",
            }),
        );
        assert.equal(problems.length, 2);
        for (const [i, name] of ["a", "b"].entries()) {
            assert.match(
                problems[i],
                new RegExp(
                    `^Pulumi\\.dev\\.yaml: aims:allowPlatformMove: aims:platform: aws in Pulumi\\.dev\\.yaml moves ${name} in dev from kubernetes to aws`,
                ),
            );
            assert.match(problems[i], /its namespace and secrets are deleted with their content/);
        }
    });

    it("says what a move off AWS deletes", () => {
        const last: DeployedTenant[] = [{ name: "g", platform: "aws", status: "suspended" }];
        const problems = platformMoveProblems(
            last,
            [spec({ name: "g", platform: "kubernetes" })],
            settings({ platform: "aws" }),
        );
        assert.match(
            problems[0],
            /moves g in prod from aws to kubernetes: deletes its ECS service .* EFS access point and Secrets Manager secrets; its EFS access point and Secrets Manager secrets are retained/,
        );
    });

    it("accepts a confirmed move, and one tenant's confirmation does not confirm another's", () => {
        assert.deepEqual(
            platformMoveProblems(
                deployed("a"),
                [onAws("a")],
                settings({ allowPlatformMove: ["a"] }),
            ),
            [],
        );
        const problems = platformMoveProblems(
            deployed("a", "b"),
            next("a", "b"),
            settings({ platform: "aws", allowPlatformMove: ["a"] }),
        );
        assert.equal(problems.length, 1);
        assert.match(problems[0], /moves b in prod/);
    });

    it("does not count a new tenant or a tenant that keeps its platform as a move", () => {
        assert.deepEqual(
            platformMoveProblems(
                deployed("a"),
                [spec({ name: "a", platform: "kubernetes" }), onAws("new")],
                settings({ platform: "aws" }),
            ),
            [],
        );
    });

    it("flags a move confirmation that moves nothing", () => {
        for (const name of ["a", "gone", "A"]) {
            assert.deepEqual(
                platformMoveProblems(
                    deployed("a"),
                    next("a"),
                    settings({ allowPlatformMove: [name] }),
                ),
                [
                    `Pulumi.prod.yaml: aims:allowPlatformMove: lists "${name}", which this update does not move between platforms; take it off the list so that it cannot confirm a later, accidental move`,
                ],
            );
        }
    });

    it("is part of the guard's problems, with removals and history", () => {
        const last = history([...deployed("a"), { name: "b", platform: "aws", status: "active" }]);
        const problems = guardProblems(
            last,
            [spec({ name: "a", platform: "aws" })],
            settings({ allowTenantRemoval: ["b"], acceptMissingTenantHistory: true }),
        );
        assert.deepEqual(
            problems.map((p) => p.split(": ")[1]),
            [
                "aims:acceptMissingTenantHistory",
                "aims:forceTenantRemoval",
                "aims:allowPlatformMove",
            ],
        );
    });
});

describe("deletion guard: in the program", () => {
    let project: ProjectCopy;
    afterEach(() => project?.remove());

    /** The prod stack deployed riverside-high and school1 last time. */
    const tenants = (riversideStatus: string) => [
        {
            name: "riverside-high",
            platform: "aws",
            status: riversideStatus,
            url: "https://portal.riverside-high.example.org",
        },
        {
            name: "school1",
            platform: "kubernetes",
            status: "active",
            url: "https://school1.aims.example.org",
        },
    ];
    const lastUpdate = (riversideStatus = "active") => ({
        tenants: tenants(riversideStatus),
        aimsStack: MARKER,
    });
    const onlySchool1 = () =>
        copyProject({
            "school1.yaml":
                'name: school1\ndisplayName: School One\nschoolId: "1001"\nplan: standard\n',
        });

    async function refused(
        config: Record<string, unknown>,
        previous: Record<string, unknown>,
        message: RegExp,
    ): Promise<void> {
        const mocks = startMocks("prod", config, previous);
        const program = loadProgram(project.dir);
        await assert.rejects(program(), (err: unknown) => {
            assert.ok(err instanceof ValidationError);
            assert.match(err.message, message);
            return true;
        });
        await mocks.settled();
        assert.deepEqual(
            mocks.resources.map((r) => r.type),
            [],
        );
    }

    it("fails and registers nothing when a tenant file disappears unconfirmed", async () => {
        project = onlySchool1();
        await refused({}, lastUpdate("offboarding"), /removing riverside-high in prod \(aws\)/);
    });

    it("removes an offboarded tenant when the removal is confirmed, and declares the others", async () => {
        project = onlySchool1();
        const mocks = startMocks(
            "prod",
            { "aims:allowTenantRemoval": ["riverside-high"] },
            lastUpdate("offboarding"),
        );
        const program = loadProgram(project.dir);
        await program();
        await mocks.settled();
        assert.deepEqual(
            mocks.ofType(TENANT_TYPE).map((t) => t.name),
            ["school1"],
        );
    });

    it("refuses a confirmed removal of an active tenant, and removes it with the force", async () => {
        project = onlySchool1();
        await refused(
            { "aims:allowTenantRemoval": ["riverside-high"] },
            lastUpdate(),
            /riverside-high was active .* no offboarding backup/,
        );
        const mocks = startMocks(
            "prod",
            {
                "aims:allowTenantRemoval": ["riverside-high"],
                "aims:forceTenantRemoval": ["riverside-high"],
            },
            lastUpdate(),
        );
        await loadProgram(project.dir)();
        await mocks.settled();
        assert.deepEqual(
            mocks.ofType(TENANT_TYPE).map((t) => t.name),
            ["school1"],
        );
    });

    it("fails when the list comes back without any tenant of the environment", async () => {
        project = copyProject({
            "greenfield.yaml":
                'name: greenfield\ndisplayName: G\nschoolId: "1002"\nplan: small\nenvironments: [dev]\n',
        });
        await refused({}, lastUpdate(), /would deploy no tenant to prod and remove all 2 it has/);
    });

    const lostOutputs: Record<string, Record<string, unknown>> = {
        "the tenants output is missing": { aimsStack: MARKER },
        "the tenants output was renamed": { aimsStack: MARKER, tenantList: tenants("active") },
        "the tenants output is an empty list": { aimsStack: MARKER, tenants: [] },
        "the tenants output is null": { aimsStack: MARKER, tenants: null },
        "the tenants output is a map": { aimsStack: MARKER, tenants: { school1: "active" } },
        "the marker is malformed": { aimsStack: "yes", tenants: tenants("active") },
    };
    for (const [label, previous] of Object.entries(lostOutputs)) {
        it(`refuses and registers nothing when ${label}`, async () => {
            project = copyProject();
            await refused(
                {},
                previous,
                /^Pulumi\.prod\.yaml: the stack has been deployed, but .*; refusing/,
            );
        });
    }

    it("goes ahead on a lost history with aims:acceptMissingTenantHistory", async () => {
        project = copyProject();
        const mocks = startMocks(
            "prod",
            { "aims:acceptMissingTenantHistory": true },
            { aimsStack: MARKER },
        );
        await loadProgram(project.dir)();
        await mocks.settled();
        assert.deepEqual(
            mocks.ofType(TENANT_TYPE).map((t) => t.name),
            ["riverside-high", "school1"],
        );
    });

    it("refuses a stack-wide platform change that would move its tenants", async () => {
        project = copyProject();
        await refused(
            { "aims:platform": "aws" },
            lastUpdate(),
            /aims:platform: aws in Pulumi\.prod\.yaml moves school1 in prod from kubernetes to aws/,
        );
    });

    it("exports the marker, the same on every update, so that a later update can tell the stack was deployed", async () => {
        const markers: unknown[] = [];
        for (const previous of [{}, lastUpdate()]) {
            project = copyProject();
            const mocks = startMocks("prod", {}, previous);
            const outputs = await loadProgram(project.dir)();
            await mocks.settled();
            markers.push(await valueOf(pulumi.output(outputs.aimsStack)));
            project.remove();
        }
        assert.deepEqual(markers, [MARKER, MARKER]);
        assert.deepEqual(interpretHistory(undefined, markers[0]).kind, "lost");
    });
});

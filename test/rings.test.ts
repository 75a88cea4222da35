import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../components/support/errors";
import { readStackSettings, StackSettings } from "../components/stack/settings";
import { configSource } from "../components/stack/stack-file";
import { appVersionOf } from "../components/stack/rings";
import { tenantRingProblems } from "../components/stack/ring-stacks";
import { ringHistoryProblems } from "../components/safety/ring-history";
import { interpretHistory } from "../components/safety/deployment-history";
import { compareTags, parseVersion } from "../components/vocabulary/versions";
import type { TenantSpec } from "../components/tenant-files/registry";
import { loadProgram } from "../scripts/lib/program";
import { AWS } from "./support/aws";
import { TYPES as K8S } from "./support/kubernetes";
import { spec, stackConfig, startMocks, valueOf } from "./support/mocks";
import { copyProject, ProjectCopy } from "./support/project";

const images = {
    frontend: "registry.example.org/aims/frontend",
    backend: "registry.example.org/aims/backend",
};
const RINGS = [
    { name: "canary", version: "2.5.0", soakMinutes: 30 },
    { name: "early", version: "2.4.0" },
    { name: "general", version: "2.4.0" },
];
const withRings = (rings: unknown = RINGS, extra: Record<string, unknown> = {}) => ({
    "aims:images": images,
    "aims:rings": rings,
    ...extra,
});

const canary = spec({ name: "school1", ring: "canary" });
const unringed = spec({ name: "riverside-high" });

function read(
    overrides: Record<string, unknown>,
    tenants: TenantSpec[] = [canary, unringed],
): StackSettings {
    return readStackSettings(configSource(stackConfig("dev", overrides)), "dev", tenants);
}

function problems(
    overrides: Record<string, unknown>,
    tenants: TenantSpec[] = [canary, unringed],
): string[] {
    try {
        read(overrides, tenants);
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return [...err.problems];
    }
    assert.fail("expected the settings to be rejected");
}

describe("rings", () => {
    beforeEach(() => startMocks("dev"));

    describe("versions", () => {
        it("orders numbers as numbers, a missing part as 0, a prerelease before its release, build ignored", () => {
            assert.equal(compareTags("1.10.0", "1.9.3"), 1);
            assert.equal(compareTags("v1.4", "1.4.0"), 0);
            assert.equal(compareTags("1.5.0-rc.2", "1.5.0"), -1);
            assert.equal(compareTags("1.5.0-rc.10", "1.5.0-rc.2"), 1);
            assert.equal(compareTags("1.5.0-beta", "1.5.0-rc.1"), -1);
            assert.equal(compareTags("1.5.0-1", "1.5.0-alpha"), -1);
            assert.equal(compareTags("2024.05.1+build7", "2024.05.1+build9"), 0);
        });

        it("gives no order to tags that are not versions", () => {
            for (const tag of ["latest", "sha-2f3e1a", "main-2f3e1", "1.4.x"])
                assert.equal(parseVersion(tag), undefined, tag);
            assert.equal(compareTags("latest", "1.0.0"), undefined);
        });
    });

    describe("stack config", () => {
        it("a stack without rings behaves as before: every tenant runs aims:images.tag", () => {
            const settings = read({}, [canary, unringed]);
            assert.equal(settings.rings, undefined);
            assert.deepEqual(appVersionOf(canary, settings), { tag: "2.4.0", source: "stack" });
        });

        it("reads the rings in order, the last ring as default, soak time 60 minutes unless set", () => {
            const settings = read(withRings());
            assert.deepEqual(settings.rings, {
                rings: [
                    { name: "canary", version: "2.5.0", soakMinutes: 30 },
                    { name: "early", version: "2.4.0", soakMinutes: 60 },
                    { name: "general", version: "2.4.0", soakMinutes: 60 },
                ],
                defaultRing: "general",
                rollbackRings: [],
            });
        });

        it("gives each tenant its ring's version, the default ring's without a ring, and lets a pin win", () => {
            const settings = read(withRings(RINGS, { "aims:defaultRing": "early" }));
            assert.deepEqual(appVersionOf(canary, settings), {
                tag: "2.5.0",
                source: "ring",
                ring: "canary",
            });
            assert.deepEqual(appVersionOf(unringed, settings), {
                tag: "2.4.0",
                source: "ring",
                ring: "early",
            });
            const pinned = spec({ name: "pinned", ring: "canary", image: { tag: "2.3.1" } });
            assert.deepEqual(appVersionOf(pinned, settings), {
                tag: "2.3.1",
                source: "pin",
                ring: "canary",
            });
        });

        it("refuses a tenant's ring the stack does not declare, naming the tenant file", () => {
            assert.deepEqual(problems(withRings(), [spec({ name: "school1", ring: "canry" })]), [
                'tenants/school1.yaml: ring: names "canry", which Pulumi.dev.yaml does not declare (aims:rings: canary, early, general); use one of them, or remove the field for the stack\'s default ring',
            ]);
        });

        it("refuses a ring without a version, and a version without an order", () => {
            assert.deepEqual(problems(withRings([{ name: "canary" }])), [
                "Pulumi.dev.yaml: aims:rings[0].version: is required",
            ]);
            const [problem] = problems(withRings([{ name: "general", version: "latest" }]), [
                unringed,
            ]);
            assert.match(
                problem,
                /^Pulumi\.dev\.yaml: aims:rings\[0\]\.version: must be an orderable version, .* \(got "latest"\)/,
            );
        });

        it("refuses a later ring newer than the ring before it, unless that ring is being rolled back", () => {
            const ahead = [
                { name: "canary", version: "2.4.0" },
                { name: "early", version: "2.5.0" },
                { name: "general", version: "2.4.0" },
            ];
            const [problem] = problems(withRings(ahead));
            assert.match(
                problem,
                /^Pulumi\.dev\.yaml: aims:rings\[1\]\.version: ring early would run 2\.5\.0, newer than 2\.4\.0 of canary, the ring before it/,
            );
            assert.equal(
                read(withRings(ahead, { "aims:rollbackRings": ["canary"] })).rings?.rings[1]
                    .version,
                "2.5.0",
            );
        });

        it("refuses aims:images.tag beside rings, and ring keys without rings", () => {
            assert.deepEqual(problems({ "aims:rings": RINGS }), [
                "Pulumi.dev.yaml: aims:images.tag: must not be set beside aims:rings: each ring's version is the app version of its tenants, and a second version would be read as one; remove it",
            ]);
            assert.deepEqual(
                problems({ "aims:defaultRing": "canary", "aims:rollbackRings": ["canary"] }),
                [
                    "Pulumi.dev.yaml: aims:defaultRing: goes with aims:rings, which Pulumi.dev.yaml does not declare; remove it",
                    "Pulumi.dev.yaml: aims:rollbackRings: goes with aims:rings, which Pulumi.dev.yaml does not declare; remove it",
                ],
            );
        });

        it("refuses a twice-named ring, an unknown default ring and an unknown rollback ring", () => {
            assert.deepEqual(
                problems(
                    withRings([...RINGS, { name: "canary", version: "2.4.0" }], {
                        "aims:defaultRing": "late",
                        "aims:rollbackRings": ["late"],
                    }),
                ),
                [
                    'Pulumi.dev.yaml: aims:rings[3].name: "canary" is also the name of aims:rings[0]',
                    'Pulumi.dev.yaml: aims:defaultRing: names "late", which is not a ring (aims:rings: canary, early, general, canary)',
                    'Pulumi.dev.yaml: aims:rollbackRings[0]: names "late", which is not a ring (aims:rings: canary, early, general, canary)',
                ],
            );
        });

        it("refuses a ring that no stack deploying the tenant declares, and accepts one that one does", () => {
            const stacks = [
                {
                    stack: "dev",
                    file: "Pulumi.dev.yaml",
                    environment: "dev" as const,
                    stackShard: 1,
                    listenerArns: [],
                    ringNames: [],
                },
                {
                    stack: "prod",
                    file: "Pulumi.prod.yaml",
                    environment: "prod" as const,
                    stackShard: 1,
                    listenerArns: [],
                    ringNames: ["canary"],
                },
            ];
            assert.deepEqual(tenantRingProblems(stacks, [spec({ name: "a", ring: "canary" })]), []);
            assert.deepEqual(
                tenantRingProblems(stacks, [
                    spec({ name: "a", ring: "canary", environments: ["dev"] }),
                ]),
                [
                    'tenants/a.yaml: ring: names "canary", but no stack that deploys the tenant declares rings (Pulumi.dev.yaml); add aims:rings to a stack file first (docs/releases.md), or remove the field',
                ],
            );
        });
    });

    describe("versions against the last deployment", () => {
        const deployed = (rings: unknown) =>
            interpretHistory(
                [{ name: "school1", platform: "kubernetes", status: "active" }],
                { outputsVersion: 1 },
                rings,
            );
        const settingsWith = (versions: string[], rollbackRings: string[] = []) => ({
            file: "Pulumi.prod.yaml",
            rings: {
                rings: versions.map((version, i) => ({
                    name: RINGS[i].name,
                    version,
                    soakMinutes: 60,
                })),
                defaultRing: "general",
                rollbackRings,
            },
        });
        const before = deployed([
            { name: "canary", version: "2.5.0" },
            { name: "early", version: "2.4.0" },
            { name: "general", version: "2.4.0" },
        ]);

        it("accepts the same or newer versions", () => {
            assert.deepEqual(
                ringHistoryProblems(before, settingsWith(["2.6.0", "2.5.0", "2.4.0"])),
                [],
            );
        });

        it("refuses a version that goes back unless aims:rollbackRings names the ring", () => {
            const [problem] = ringHistoryProblems(
                before,
                settingsWith(["2.4.0", "2.4.0", "2.4.0"]),
            );
            assert.match(
                problem,
                /^Pulumi\.prod\.yaml: aims:rings\[0\]\.version: ring canary would go back from 2\.5\.0, which the stack runs, to 2\.4\.0; refusing an unconfirmed rollback/,
            );
            assert.deepEqual(
                ringHistoryProblems(before, settingsWith(["2.4.0", "2.4.0", "2.4.0"], ["canary"])),
                [],
            );
        });

        it("refuses a stale rollback flag: a ring whose version does not go back, or never deployed", () => {
            assert.deepEqual(
                ringHistoryProblems(before, settingsWith(["2.5.0", "2.4.0", "2.4.0"], ["early"])),
                [
                    'Pulumi.prod.yaml: aims:rollbackRings[0]: lists "early", whose version does not go back (2.4.0 deployed, 2.4.0 now); take it off the list so that it cannot confirm a later, accidental rollback',
                ],
            );
            assert.deepEqual(
                ringHistoryProblems(
                    { kind: "new" },
                    settingsWith(["2.5.0", "2.4.0", "2.4.0"], ["canary"]),
                ),
                [
                    'Pulumi.prod.yaml: aims:rollbackRings[0]: lists "canary", which the stack has not deployed with a version yet; take it off the list so that it cannot confirm a later, accidental rollback',
                ],
            );
        });

        it("reads a malformed rings output as a lost history", () => {
            assert.equal(deployed("2.5.0").kind, "lost");
            assert.equal(deployed([{ name: "canary" }]).kind, "lost");
        });
    });

    describe("the program", () => {
        let project: ProjectCopy;
        afterEach(() => project?.remove());

        const tenantFile = (name: string, extra: string) =>
            `name: ${name}\ndisplayName: ${name}\nplan: small\nschoolId: "1"\nenvironments: [dev]\n${extra}`;

        const ringed = {
            "school1.yaml": tenantFile("school1", "ring: canary\n"),
            "riverside-high.yaml": tenantFile("riverside-high", ""),
            "pinned.yaml": tenantFile("pinned", 'ring: canary\nimage: { tag: "2.3.1" }\n'),
            "greenfield.yaml": tenantFile("greenfield", "ring: canary\nplatform: aws\n"),
        };

        async function run(
            overrides: Record<string, unknown>,
            previous?: Record<string, unknown>,
            tenants: Record<string, string> = ringed,
        ) {
            project = copyProject(tenants);
            const mocks = startMocks("dev", overrides, previous);
            const outputs = await loadProgram(project.dir)();
            await mocks.settled();
            return { mocks, outputs };
        }

        it("gives the chart and the task definition each tenant's version, labels the ring, names it to the rollout check", async () => {
            const { mocks, outputs } = await run(
                withRings(RINGS, {
                    "aims:kubernetes": {
                        ...JSON.parse(stackConfig("dev").config["aims:kubernetes"]),
                        waitForReady: true,
                    },
                }),
            );
            const tagOf = (tenant: string) =>
                mocks.ofType(K8S.release).find((r) => r.name.startsWith(`${tenant}-`))!.inputs
                    .values.backend.image.tag;
            assert.equal(tagOf("school1"), "2.5.0");
            assert.equal(tagOf("riverside-high"), "2.4.0");
            assert.equal(tagOf("pinned"), "2.3.1");
            const containers = JSON.parse(
                mocks.get(AWS.taskDefinition, "greenfield-task").inputs.containerDefinitions,
            );
            assert.deepEqual(
                [...new Set(containers.map((c: { image: string }) => c.image))].sort(),
                [
                    "registry.example.org/aims/backend:2.5.0",
                    "registry.example.org/aims/frontend:2.5.0",
                ],
            );
            assert.equal(
                mocks.get(AWS.ecsService, "greenfield-service").inputs.tags["aims:ring"],
                "canary",
            );
            assert.equal(
                mocks.get(K8S.namespace, "school1-namespace").inputs.metadata.labels[
                    "aims.example.org/ring"
                ],
                "canary",
            );
            assert.equal(
                mocks.get(K8S.namespace, "riverside-high-namespace").inputs.metadata.labels[
                    "aims.example.org/ring"
                ],
                "general",
            );
            const rollout = mocks
                .ofType("command:local:Command")
                .find((c) => c.name === "school1-rollout")!;
            assert.equal(rollout.inputs.environment.AIMS_ROLLOUT_RING, "canary");
            assert.deepEqual(await valueOf(pulumi.output(outputs.rings)), [
                { name: "canary", version: "2.5.0" },
                { name: "early", version: "2.4.0" },
                { name: "general", version: "2.4.0" },
            ]);
        });

        it("without rings: no ring label, no ring output, the stack's tag", async () => {
            const { mocks, outputs } = await run({}, undefined, {
                "school1.yaml": tenantFile("school1", ""),
            });
            assert.equal(mocks.ofType(K8S.release)[0].inputs.values.backend.image.tag, "2.4.0");
            assert.equal(
                mocks.get(K8S.namespace, "school1-namespace").inputs.metadata.labels[
                    "aims.example.org/ring"
                ],
                undefined,
            );
            assert.equal(outputs.rings, undefined);
        });

        it("stops before any resource when a ring's version goes back unconfirmed", async () => {
            const previous = {
                aimsStack: { outputsVersion: 1 },
                tenants: ["school1", "riverside-high", "pinned"]
                    .map((name) => ({ name, platform: "kubernetes", status: "active" }))
                    .concat([{ name: "greenfield", platform: "aws", status: "active" }]),
                rings: [
                    { name: "canary", version: "2.6.0" },
                    { name: "early", version: "2.4.0" },
                    { name: "general", version: "2.4.0" },
                ],
            };
            project = copyProject({ "school1.yaml": tenantFile("school1", "ring: canary\n") });
            const mocks = startMocks("dev", withRings(), {
                ...previous,
                tenants: previous.tenants.slice(0, 1),
            });
            await assert.rejects(loadProgram(project.dir)(), (err: Error) => {
                assert.ok(err instanceof ValidationError);
                assert.deepEqual(err.problems.length, 1);
                assert.match(
                    err.problems[0],
                    /ring canary would go back from 2\.6\.0, which the stack runs, to 2\.5\.0/,
                );
                return true;
            });
            await mocks.settled();
            assert.deepEqual(
                mocks.resources.filter((r) => !r.type.startsWith("pulumi:")),
                [],
            );
        });
    });
});

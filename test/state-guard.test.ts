import { strict as assert } from "node:assert";
import type { GuardSettings } from "../components/safety/guard";
import type { StackState, StateResource } from "../scripts/lib/recover/state";
import { outputProblems, stateGuardProblems, tenantsOfState } from "../scripts/lib/state-guard";
import { spec } from "./support/mocks";

const settings = (overrides: Partial<GuardSettings> = {}): GuardSettings => ({
    file: "Pulumi.dev.yaml",
    environment: "dev",
    stackShard: 1,
    platform: "kubernetes",
    protectData: false,
    allowTenantRemoval: [],
    forceTenantRemoval: [],
    allowPlatformMove: [],
    acceptMissingTenantHistory: false,
    maxTenantRemovals: 1,
    ...overrides,
});
const next = (...names: string[]) => names.map((name) => spec({ name }));
const STACK_URN = "urn:pulumi:dev::aims::pulumi:pulumi:Stack::aims-dev";
const tenantUrn = (name: string) => `urn:pulumi:dev::aims::aims:index:Tenant::${name}`;

/** A state with these Tenant components (with outputs when `finished`), a workload under each, and `outputs` on the stack. */
function state(
    tenants: Array<{ name: string; finished?: { platform: string; status: string } }>,
    outputs?: Record<string, unknown>,
): StackState {
    const resources: StateResource[] = [
        { urn: STACK_URN, type: "pulumi:pulumi:Stack", ...(outputs && { outputs }) },
    ];
    for (const tenant of tenants) {
        resources.push({
            urn: tenantUrn(tenant.name),
            type: "aims:index:Tenant",
            parent: STACK_URN,
            outputs: tenant.finished ?? {},
        });
        resources.push({
            urn: `urn:pulumi:dev::aims::aims:index:Tenant$aims:kubernetes:TenantWorkload::${tenant.name}`,
            type: "aims:kubernetes:TenantWorkload",
            parent: tenantUrn(tenant.name),
        });
    }
    return { resources, pendingOperations: [] };
}
const MARKER = { outputsVersion: 1 };
const listed = (...names: string[]) =>
    names.map((name) => ({ name, platform: "kubernetes", status: "active" }));

describe("state guard: the tenants of the state", () => {
    it("reads finished Tenant components from their outputs, unfinished ones from their children", () => {
        const found = tenantsOfState(
            state([
                { name: "a", finished: { platform: "kubernetes", status: "offboarding" } },
                { name: "b" },
            ]),
            "aws",
        );
        assert.deepEqual(found, [
            { name: "a", platform: "kubernetes", status: "offboarding" },
            { name: "b", platform: "kubernetes", status: "active" },
        ]);
    });
});

describe("state guard: removals", () => {
    it("refuses a removal after a killed first up, which left no outputs", () => {
        const killed = state([{ name: "a" }, { name: "b" }]);
        const problems = stateGuardProblems(killed, next("a"), settings());
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.match(problems[0], /aims:allowTenantRemoval: removing b in dev/);
        assert.match(problems[1], /aims:forceTenantRemoval: b was active/);
    });

    it("lets a confirmed removal through, and a run that removes nothing", () => {
        const killed = state([
            { name: "a" },
            { name: "b", finished: { platform: "kubernetes", status: "offboarding" } },
        ]);
        assert.deepEqual(
            stateGuardProblems(killed, next("a"), settings({ allowTenantRemoval: ["b"] })),
            [],
        );
        assert.deepEqual(stateGuardProblems(killed, next("a", "b"), settings()), []);
        assert.deepEqual(stateGuardProblems(state([]), next("a"), settings()), []);
    });

    it("refuses a removal of a tenant the outputs list but the state lost, and one the state holds but the outputs miss", () => {
        const deployed = state(
            [{ name: "a", finished: { platform: "kubernetes", status: "active" } }],
            {
                tenants: listed("a", "c"),
                aimsStack: MARKER,
            },
        );
        assert.match(
            stateGuardProblems(deployed, next("a"), settings()).join("\n"),
            /removing c in dev/,
        );
        const partial = state([{ name: "a" }, { name: "d" }], {
            tenants: listed("a"),
            aimsStack: MARKER,
        });
        assert.match(
            stateGuardProblems(partial, next("a"), settings()).join("\n"),
            /removing d in dev/,
        );
    });

    it("refuses a platform move of a tenant whose workload the state holds", () => {
        const killed = state([{ name: "a" }]);
        const problems = stateGuardProblems(
            killed,
            [spec({ name: "a", platform: "aws" })],
            settings(),
        );
        assert.match(problems.join("\n"), /aims:allowPlatformMove/);
    });
});

describe("state guard: outputs that are not the program's", () => {
    it("accepts the program's outputs and none at all", () => {
        assert.deepEqual(
            outputProblems(
                state([], { tenants: listed("a"), aimsStack: MARKER }),
                "Pulumi.dev.yaml",
            ),
            [],
        );
        assert.deepEqual(outputProblems(state([]), "Pulumi.dev.yaml"), []);
        assert.deepEqual(outputProblems(state([], {}), "Pulumi.dev.yaml"), []);
    });

    it("refuses outputs with keys the program never writes, without the marker, or with a broken marker or list", () => {
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [
                { tenants: listed("a"), aimsStack: MARKER, bucketName: "x" },
                /never writes "bucketName"/,
            ],
            [{ url: "https://x" }, /never writes "url"/],
            [{ tenants: listed("a") }, /no "aimsStack" marker/],
            [{ tenants: listed("a"), aimsStack: "yes" }, /not what this program writes/],
            [{ tenants: "a,b", aimsStack: MARKER }, /not a list/],
            [{ aimsStack: MARKER }, /"tenants" output is missing/],
        ];
        for (const [outputs, expected] of cases) {
            const problems = outputProblems(state([], outputs), "Pulumi.dev.yaml");
            assert.match(problems.join("\n"), expected, JSON.stringify(outputs));
            assert.ok(problems.every((p) => p.startsWith("Pulumi.dev.yaml: ")));
        }
    });

    it("refuses such a stack for the update too, unless a person accepted the missing history", () => {
        const foreign = state([], { bucketName: "x" });
        assert.notDeepEqual(stateGuardProblems(foreign, next("a"), settings()), []);
        assert.deepEqual(
            stateGuardProblems(foreign, next("a"), settings({ acceptMissingTenantHistory: true })),
            [],
        );
    });
});

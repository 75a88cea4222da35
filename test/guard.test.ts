import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../components/errors";
import { DeployedTenant, GuardSettings, removalGuardProblems } from "../components/guard";
import { copyProject, ProjectCopy } from "./support/project";
import { spec, startMocks } from "./support/mocks";

const settings = (overrides: Partial<GuardSettings> = {}): GuardSettings => ({
    file: "Pulumi.prod.yaml", environment: "prod", platform: "kubernetes", protectData: true,
    allowTenantRemoval: [], maxTenantRemovals: 1, ...overrides,
});
const deployed = (...names: string[]): DeployedTenant[] => names.map((name) => ({ name, status: "active" }));
const next = (...names: string[]) => names.map((name) => spec({ name }));

describe("deletion guard: rules", () => {
    it("lets a new stack deploy its tenants", () => {
        assert.deepEqual(removalGuardProblems([], next("a", "b"), settings()), []);
    });

    it("lets tenants be added and kept", () => {
        assert.deepEqual(removalGuardProblems(deployed("a"), next("a", "b"), settings()), []);
    });

    it("refuses an unconfirmed removal, naming the tenant, the environment and what it deletes", () => {
        const problems = removalGuardProblems(deployed("a", "school1"), next("a"), settings());
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^Pulumi\.prod\.yaml: aims:allowTenantRemoval: removing school1 in prod \(kubernetes\): deletes namespace school1/);
        assert.match(problems[0], /database tenant_school1 and its role are kept on the server/);
        assert.match(problems[0], /add "school1" to aims:allowTenantRemoval in Pulumi\.prod\.yaml; if not, restore tenants\/school1\.yaml/);
    });

    it("says that an offboarded tenant's backup stays in the bucket", () => {
        const problems = removalGuardProblems([{ name: "school1", status: "offboarding" }, ...deployed("a")], next("a"), settings());
        assert.match(problems[0], /its offboarding backup job goes too, the dump stays in the backup bucket; database tenant_school1 and its role are kept/);
        assert.doesNotMatch(problems[0], /refuses until its status is offboarding/);
    });

    it("accepts a removal listed in aims:allowTenantRemoval", () => {
        assert.deepEqual(removalGuardProblems(deployed("a", "school1"), next("a"), settings({ allowTenantRemoval: ["school1"] })), []);
    });

    it("says what an AWS tenant's removal deletes", () => {
        const problems = removalGuardProblems([{ name: "greenfield", platform: "aws", status: "active" }, ...deployed("a")], next("a"), settings({ protectData: false, environment: "dev", file: "Pulumi.dev.yaml" }));
        assert.match(problems[0], /removing greenfield in dev \(aws\): deletes its ECS service .*log group \/ecs\/dev-greenfield.*database tenant_greenfield and its role are dropped/);
    });

    it("refuses more removals at once than aims:maxTenantRemovals, even when confirmed", () => {
        const confirmed = settings({ allowTenantRemoval: ["b", "c"] });
        const problems = removalGuardProblems(deployed("a", "b", "c"), next("a"), confirmed);
        assert.deepEqual(problems, [
            "Pulumi.prod.yaml: aims:maxTenantRemovals: this update would remove 2 tenants from prod (b, c), more than the 1 allowed at once; remove them in separate changes, or raise aims:maxTenantRemovals for this one change",
        ]);
        assert.deepEqual(removalGuardProblems(deployed("a", "b", "c"), next("a"), { ...confirmed, maxTenantRemovals: 2 }), []);
    });

    it("refuses an empty list, even for a stack that has no tenant yet", () => {
        assert.match(removalGuardProblems(deployed("a"), [], settings({ allowTenantRemoval: ["a"] }))[0], /would deploy no tenant to prod and remove all 1 it has; refusing/);
        assert.match(removalGuardProblems([], [], settings())[0], /would deploy no tenant to prod; refusing/);
    });

    it("refuses a confirmation that names a tenant the stack still deploys", () => {
        assert.deepEqual(removalGuardProblems(deployed("a"), next("a"), settings({ allowTenantRemoval: ["a"] })), [
            'Pulumi.prod.yaml: aims:allowTenantRemoval: lists "a", which this stack still deploys; take it off the list so that it cannot confirm a later, accidental removal',
        ]);
    });
});

describe("deletion guard: in the program", () => {
    type Program = () => Promise<{ tenants: pulumi.Input<unknown[]> }>;
    let project: ProjectCopy;
    afterEach(() => project?.remove());

    /** The prod stack deployed riverside-high and school1 last time. */
    const lastUpdate = { tenants: [
        { name: "riverside-high", platform: "aws", status: "active", url: "https://portal.riverside-high.example.org" },
        { name: "school1", platform: "kubernetes", status: "active", url: "https://school1.aims.example.org" },
    ] };
    const onlySchool1 = () => copyProject({ "school1.yaml": "name: school1\ndisplayName: School One\nschoolId: \"1001\"\nplan: standard\n" });

    it("fails and registers nothing when a tenant file disappears unconfirmed", async () => {
        project = onlySchool1();
        const mocks = startMocks("prod", {}, lastUpdate);
        const program = require(path.join(project.dir, "index.ts")) as Program;
        await assert.rejects(program(), (err: unknown) => {
            assert.ok(err instanceof ValidationError);
            assert.match(err.message, /removing riverside-high in prod \(aws\)/);
            return true;
        });
        await mocks.settled();
        assert.deepEqual(mocks.resources.map((r) => r.type), []);
    });

    it("removes the tenant when the removal is confirmed, and declares the others", async () => {
        project = onlySchool1();
        const mocks = startMocks("prod", { "aims:allowTenantRemoval": ["riverside-high"] }, lastUpdate);
        const program = require(path.join(project.dir, "index.ts")) as Program;
        await program();
        await mocks.settled();
        assert.deepEqual(mocks.ofType("aims:index:Tenant").map((t) => t.name), ["school1"]);
    });

    it("fails when the list comes back without any tenant of the environment", async () => {
        project = copyProject({ "greenfield.yaml": "name: greenfield\ndisplayName: G\nschoolId: \"1002\"\nplan: small\nenvironments: [dev]\n" });
        const mocks = startMocks("prod", {}, lastUpdate);
        const program = require(path.join(project.dir, "index.ts")) as Program;
        await assert.rejects(program(), /would deploy no tenant to prod and remove all 2 it has/);
        await mocks.settled();
        assert.deepEqual(mocks.resources, []);
    });
});

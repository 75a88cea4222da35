import { strict as assert } from "node:assert";
import { Tenant } from "../components/tenant";
import {
    TENANT_DATABASE_TYPE,
    TENANT_SERVICE_TYPE,
    TENANT_TYPE,
    TENANT_WORKLOAD_TYPE,
} from "../components/vocabulary/type-tokens";
import {
    isSecret,
    MockStack,
    reveal,
    Secret,
    settingsOf,
    spec,
    startMocks,
    valueOf,
} from "./support/mocks";

const RANDOM = "random:index/randomPassword:RandomPassword";
const ROLE = "postgresql:index/role:Role";
const DATABASE = "postgresql:index/database:Database";
const GRANT = "postgresql:index/grant:Grant";
const GRANT_ROLE = "postgresql:index/grantRole:GrantRole";

async function deploy(
    stack: string,
    overrides: Parameters<typeof spec>[0],
    configOverrides: Record<string, unknown> = {},
) {
    const mocks = startMocks(stack, configOverrides);
    const tenantSpec = spec(overrides);
    const tenant = new Tenant(tenantSpec.name, {
        tenant: tenantSpec,
        settings: settingsOf(stack, [tenantSpec], configOverrides),
    });
    await mocks.settled();
    return { mocks, tenant };
}

function sharedResources(mocks: MockStack, name: string) {
    return {
        component: mocks.get(TENANT_TYPE, name),
        database: mocks.get(TENANT_DATABASE_TYPE, name),
        secretKey: mocks.get(RANDOM, `${name}-secret-key`),
        password: mocks.get(RANDOM, `${name}-db-password`),
        role: mocks.get(ROLE, `${name}-db-role`),
        db: mocks.get(DATABASE, `${name}-db`),
        databaseGrant: mocks.get(GRANT, `${name}-db-revoke-public`),
        schemaGrant: mocks.get(GRANT, `${name}-db-revoke-public-schema-create`),
        adminMembership: mocks.get(GRANT_ROLE, `${name}-db-admin-membership`),
    };
}

describe("Tenant: what both platforms share", () => {
    it("keeps the type tokens every deployed URN contains", () => {
        assert.deepEqual(
            [TENANT_TYPE, TENANT_DATABASE_TYPE, TENANT_WORKLOAD_TYPE, TENANT_SERVICE_TYPE],
            [
                "aims:index:Tenant",
                "aims:index:TenantDatabase",
                "aims:kubernetes:TenantWorkload",
                "aims:aws:TenantService",
            ],
        );
    });

    it("creates the random secrets and the database as children named after the tenant", async () => {
        const { mocks } = await deploy("dev", { name: "riverside-high" });
        const r = sharedResources(mocks, "riverside-high");
        assert.equal(r.component.parent, undefined);
        assert.equal(r.secretKey.parent, r.component.urn);
        assert.equal(r.password.parent, r.component.urn);
        assert.equal(r.database.parent, r.component.urn);
        for (const child of [r.role, r.db, r.databaseGrant, r.schemaGrant, r.adminMembership])
            assert.equal(child.parent, r.database.urn);
        assert.equal(mocks.ofType(RANDOM).length, 2);
        assert.equal(mocks.ofType(ROLE).length, 1);
        assert.equal(mocks.ofType(DATABASE).length, 1);
    });

    it("generates a long SECRET_KEY and an alphanumeric database password", async () => {
        const { mocks } = await deploy("dev", { name: "school1" });
        const r = sharedResources(mocks, "school1");
        assert.deepEqual(r.secretKey.inputs, {
            length: 64,
            special: true,
            overrideSpecial: "!#%*+-=_",
        });
        assert.deepEqual(r.password.inputs, { length: 32, special: false });
    });

    it("gives the tenant its own login role owning database tenant_<name>, with the plan's connection limit", async () => {
        const { mocks } = await deploy("dev", { name: "riverside-high", plan: "small" });
        const r = sharedResources(mocks, "riverside-high");
        assert.equal(r.role.inputs.name, "tenant_riverside_high");
        assert.equal(r.role.inputs.login, true);
        assert.equal(r.role.inputs.superuser, false);
        assert.equal(r.role.inputs.createRole, false);
        assert.equal(r.role.inputs.createDatabase, false);
        assert.equal(r.role.inputs.connectionLimit, 20);
        assert.equal(r.db.inputs.name, "tenant_riverside_high");
        assert.equal(r.db.inputs.owner, "tenant_riverside_high");
    });

    it("scales the connection limit with the plan", async () => {
        for (const [plan, limit] of [
            ["small", 20],
            ["standard", 40],
            ["large", 80],
        ] as const) {
            const { mocks } = await deploy("dev", { name: "school1", plan });
            assert.equal(
                sharedResources(mocks, "school1").role.inputs.connectionLimit,
                limit,
                plan,
            );
        }
    });

    it("closes the database to PUBLIC: no CONNECT, TEMPORARY or CREATE, and only USAGE on schema public", async () => {
        const { mocks } = await deploy("dev", { name: "riverside-high" });
        const r = sharedResources(mocks, "riverside-high");
        assert.deepEqual(r.databaseGrant.inputs, {
            database: "tenant_riverside_high",
            role: "public",
            objectType: "database",
            privileges: [],
        });
        assert.deepEqual(r.schemaGrant.inputs, {
            database: "tenant_riverside_high",
            role: "public",
            objectType: "schema",
            schema: "public",
            privileges: ["USAGE"],
        });
        assert.equal(mocks.ofType(GRANT).length, 2);
    });

    it("makes the non-superuser admin a member of the tenant role before the database and the revokes, so they act as the owner", async () => {
        const { mocks } = await deploy("dev", { name: "riverside-high" });
        const r = sharedResources(mocks, "riverside-high");
        assert.deepEqual(r.adminMembership.inputs, {
            role: "aims_admin",
            grantRole: "tenant_riverside_high",
            withAdminOption: false,
        });
        for (const dependent of [r.db, r.databaseGrant, r.schemaGrant]) {
            assert.ok(
                dependent.dependencies.includes(r.adminMembership.urn),
                `${dependent.name} waits for the membership`,
            );
        }
    });

    it("passes the generated password to the role as a secret", async () => {
        const { mocks } = await deploy("dev", { name: "school1" });
        const role = mocks.get(ROLE, "school1-db-role");
        assert.ok(role.inputs.password instanceof Secret);
        assert.match(reveal(role.inputs.password), /^mock-/);
    });

    it("exposes its url, status, platform and database, and keeps the secrets secret", async () => {
        const { tenant } = await deploy("dev", { name: "school1", status: "suspended" });
        assert.equal(await valueOf(tenant.url), "https://school1.dev.aims.example.org");
        assert.equal(await valueOf(tenant.status), "suspended");
        assert.equal(await valueOf(tenant.platform), "kubernetes");
        assert.equal(await valueOf(tenant.databaseName), "tenant_school1");
        assert.equal(await isSecret(tenant.secretKey), true);
        assert.equal(await isSecret(tenant.databasePassword), true);
        assert.equal(await isSecret(tenant.url), false);
    });

    it("serves a custom domain and runs on the platform its file names", async () => {
        const { tenant } = await deploy("dev", {
            name: "school1",
            domain: "portal.school1.example.org",
            platform: "aws",
        });
        assert.equal(await valueOf(tenant.url), "https://portal.school1.example.org");
        assert.equal(await valueOf(tenant.platform), "aws");
    });

    describe("data protection", () => {
        it("protects and retains the database, role and secrets in prod, set on each resource", async () => {
            const { mocks } = await deploy("prod", { name: "school1" });
            const r = sharedResources(mocks, "school1");
            for (const resource of [r.role, r.db, r.secretKey, r.password]) {
                assert.equal(resource.protect, true, `${resource.name} protect`);
                assert.equal(resource.retainOnDelete, true, `${resource.name} retainOnDelete`);
            }
            // Not inherited: the components themselves carry no protection.
            assert.equal(r.component.protect, false);
            assert.equal(r.database.protect, false);
        });

        it("neither protects nor retains in dev", async () => {
            const { mocks } = await deploy("dev", { name: "school1" });
            const r = sharedResources(mocks, "school1");
            for (const resource of [r.role, r.db, r.secretKey, r.password]) {
                assert.equal(resource.protect, false);
                assert.equal(resource.retainOnDelete, false);
            }
        });

        it("lifts protection of an offboarding tenant in prod but still retains its database", async () => {
            const { mocks } = await deploy("prod", { name: "school1", status: "offboarding" });
            const r = sharedResources(mocks, "school1");
            assert.equal(r.db.protect, false);
            assert.equal(r.db.retainOnDelete, true);
            assert.equal(r.role.retainOnDelete, true);
        });
    });
});

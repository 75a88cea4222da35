import { strict as assert } from "node:assert";
import { schemaOf } from "../components/json-schema/schemas";
import { schemaAt } from "../components/json-schema/subschema";
import * as naming from "../components/vocabulary/naming";
import { PLAN_NAMES } from "../components/vocabulary/plans";
import { ENVIRONMENTS, PLATFORMS, TENANT_STATUSES } from "../components/vocabulary/words";
import schema from "../schema/tenant.schema.json";

describe("naming", () => {
    it("derives every name of docs/design.md from the tenant name", () => {
        assert.equal(naming.namespaceName("riverside-high"), "riverside-high");
        assert.equal(naming.releaseName("riverside-high"), "riverside-high");
        assert.equal(naming.databaseName("riverside-high"), "tenant_riverside_high");
        assert.equal(naming.databaseRoleName("riverside-high"), "tenant_riverside_high");
        assert.equal(naming.djangoSecretName("school1"), "school1-django-secret");
        assert.equal(naming.databaseSecretName("school1"), "school1-database");
        assert.equal(naming.tlsSecretName("school1"), "school1-tls");
        assert.equal(naming.taskRoleName("prod", "school1"), "prod-school1-task");
        assert.equal(
            naming.dbCredentialsSecretName("sit", "school1"),
            "sit-school1-db-credentials",
        );
        assert.equal(naming.logGroupName("dev", "school1"), "/ecs/dev-school1");
    });

    it("serves a tenant at <name>.<baseDomain> unless it has its own domain", () => {
        assert.equal(
            naming.tenantHost({ name: "school1" }, "dev.aims.example.org"),
            "school1.dev.aims.example.org",
        );
        assert.equal(
            naming.tenantHost(
                { name: "school1", domain: "portal.school1.example.org" },
                "dev.aims.example.org",
            ),
            "portal.school1.example.org",
        );
    });

    describe("fitName", () => {
        it("keeps a name that fits, up to the limit itself", () => {
            assert.equal(naming.fitName("prod-x-backup", 64), "prod-x-backup");
            assert.equal(naming.fitName("a".repeat(32), 32), "a".repeat(32));
        });
        it("shortens a longer name to a prefix, without a trailing hyphen, and six hex digits of its hash", () => {
            const fitted = naming.fitName(`${"a".repeat(24)}-${"b".repeat(20)}`, 32);
            assert.match(fitted, /^a{24}-[0-9a-f]{6}$/);
            assert.ok(fitted.length <= 32);
        });
        it("fits every name that has a limit into it with the same hash, as deployed names were fitted", () => {
            // Values of deployed resources: a changed hash would rename (replace) them.
            assert.equal(
                naming.targetGroupName(
                    "prod",
                    "the-international-school-of-cape-town-north",
                    "web",
                ),
                "prod-the-international-sc-ef40f8",
            );
            assert.equal(
                naming.backupJobName("the-international-school-of-cape-town-north-campus"),
                "the-international-school-of-cape-town-north-campus-offbo-50408c",
            );
            assert.equal(
                naming.backupRoleName("prod", `k${"a".repeat(52)}`),
                `prod-k${"a".repeat(51)}-7695ac`,
            );
        });
    });

    describe("target group names", () => {
        it("are <env>-<name>-<role> when that fits in 32 characters", () => {
            assert.equal(naming.targetGroupName("prod", "school1", "web"), "prod-school1-web");
            const fits = "a".repeat(23);
            assert.equal(naming.targetGroupName("prod", fits, "api"), `prod-${fits}-api`);
        });
        it("keep a readable prefix and a hash when longer, within 32 characters, for every valid length", () => {
            for (let length = 1; length <= naming.MAX_TENANT_NAME_LENGTH; length++) {
                for (const env of ENVIRONMENTS) {
                    for (const role of naming.TARGET_GROUP_ROLES) {
                        const name = naming.targetGroupName(env, "b".repeat(length), role);
                        assert.ok(name.length <= naming.TARGET_GROUP_NAME_LIMIT, name);
                        assert.match(name, /^[a-z0-9-]+$/);
                        assert.ok(!name.includes("--") && !name.endsWith("-"), name);
                    }
                }
            }
        });
        it("are deterministic and distinct for long names sharing a prefix", () => {
            const a = naming.targetGroupName(
                "prod",
                "the-international-school-of-cape-town-north",
                "web",
            );
            const b = naming.targetGroupName(
                "prod",
                "the-international-school-of-cape-town-south",
                "web",
            );
            assert.equal(
                a,
                naming.targetGroupName(
                    "prod",
                    "the-international-school-of-cape-town-north",
                    "web",
                ),
            );
            assert.notEqual(a, b);
            assert.ok(a.startsWith("prod-the-international-sc"), a);
        });
    });

    describe("limits", () => {
        it("finds no problem for a name of the maximum length, and names the broken limit beyond it", () => {
            assert.deepEqual(
                naming.nameLimitProblems("a".repeat(naming.MAX_TENANT_NAME_LENGTH)),
                [],
            );
            const problems = naming.nameLimitProblems(
                "a".repeat(naming.MAX_TENANT_NAME_LENGTH + 1),
            );
            assert.deepEqual(
                problems.map((p) => /the (.*) name/.exec(p)?.[1]),
                ["Helm release"],
            );
        });
        it("makes the Helm release the binding limit: 53 characters", () => {
            assert.equal(naming.MAX_TENANT_NAME_LENGTH, 53);
        });
    });
});

describe("tenant.schema.json", () => {
    it("states the name limits the registry enforces", () => {
        assert.equal(schema.properties.name.maxLength, naming.MAX_TENANT_NAME_LENGTH);
        assert.equal(schema.properties.name.pattern, naming.TENANT_NAME_PATTERN.source);
    });
    it("lists the same plans, environments, statuses and platforms as the code", () => {
        assert.deepEqual(schema.properties.plan.enum, [...PLAN_NAMES]);
        const tenant = schemaOf("tenant.schema.json");
        assert.deepEqual(schemaAt(tenant, ["environments", "0"])?.enum, [...ENVIRONMENTS]);
        assert.deepEqual(schema.properties.status.enum, [...TENANT_STATUSES]);
        assert.deepEqual(schemaAt(tenant, ["platform"])?.enum, [...PLATFORMS]);
    });
    it("rejects unknown fields at every level", () => {
        assert.equal(schema.additionalProperties, false);
        assert.equal(schema.properties.image.additionalProperties, false);
        assert.equal(schema.properties.aws.additionalProperties, false);
    });
});

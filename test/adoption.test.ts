import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ValidationError } from "../components/support/errors";
import { parseTenantFile } from "../components/tenant-files/registry";
import { readStackSettings } from "../components/stack/settings";
import { Tenant } from "../components/tenant";
import { configSource, SECRET_PLACEHOLDER } from "../components/stack/stack-file";
import { IMPORT_COMMENT_PATTERN } from "../scripts/lib/synth-output";
import { deployTenant, objectOf, TYPES } from "./support/kubernetes";
import {
    RecordedResource,
    reveal,
    settingsOf,
    spec,
    stackConfig,
    startMocks,
} from "./support/mocks";
import { copyProject } from "./support/project";

const FILE = "tenants/riverside-high.yaml";
const BASE = 'name: riverside-high\ndisplayName: Riverside High\nplan: standard\nschoolId: "7"\n';

function parse(extra: string) {
    return parseTenantFile(FILE, `${BASE}${extra}`);
}

function assertOneProblem(extra: string, pattern: RegExp, field = "adopt"): void {
    const { problems } = parse(extra);
    assert.equal(problems.length, 1, `expected one problem, got: ${problems.join(" | ")}`);
    assert.ok(problems[0].startsWith(`${FILE}: ${field}: `), problems[0]);
    assert.match(problems[0], pattern);
}

/** The four kinds of resource the Argo CD setup already has for a school. */
function adoptedResources(resources: readonly RecordedResource[], name: string) {
    const find = (type: string, resourceName: string) => {
        const found = resources.find(
            (resource) => resource.type === type && resource.name === resourceName,
        );
        assert.ok(found, `${type} ${resourceName} is registered`);
        return found;
    };
    return {
        namespace: find(TYPES.namespace, `${name}-namespace`),
        djangoSecret: find(TYPES.secret, `${name}-django-secret`),
        databaseSecret: find(TYPES.secret, `${name}-database-secret`),
        database: find(TYPES.database, `${name}-db`),
        role: find(TYPES.role, `${name}-db-role`),
    };
}

describe("adopting a school from the Argo CD setup", () => {
    describe("the adopt field", () => {
        it("accepts true (every environment of the tenant), a list of them, and false", () => {
            assert.deepEqual(parse("environments: [sit, prod]\nadopt: true\n").tenant?.adopt, [
                "sit",
                "prod",
            ]);
            assert.deepEqual(parse("adopt: [prod, dev]\n").tenant?.adopt, ["dev", "prod"]);
            assert.equal(parse("adopt: false\n").tenant?.adopt, undefined);
            assert.equal(parse("").tenant?.adopt, undefined);
        });

        it("accepts an adopted tenant that is offboarding: adopt stays for the tenant's life", () => {
            assert.deepEqual(parse("adopt: true\nstatus: offboarding\n").problems, []);
        });

        for (const [value, field, pattern] of [
            [
                "yes",
                "adopt",
                /must be true, false, or a list of the environments .* \(got "yes"\)$/,
            ],
            ['"true"', "adopt", /must be true, false, or a list .* \(got "true"\)$/],
            ["1", "adopt", /must be true, false, or a list .* \(got 1\)$/],
            ["null", "adopt", /must be true, false, or a list .* \(got null\)$/],
            ["{prod: true}", "adopt", /must be true, false, or a list .* \(got a mapping\)$/],
            ["[]", "adopt", /an empty list adopts nothing, leave it out instead$/],
            ["[qa]", "adopt[0]", /must be one of dev, sit, prod \(got "qa"\)$/],
            ["[prod, [prod]]", "adopt[1]", /must be one of dev, sit, prod \(got a list\)$/],
            ["[prod, prod]", "adopt", /lists "prod" twice$/],
        ] as const) {
            it(`refuses adopt: ${value} with one message naming the field`, () => {
                assertOneProblem(`adopt: ${value}\n`, pattern, field);
            });
        }

        it("refuses an environment the tenant does not run in", () => {
            assertOneProblem(
                "environments: [sit]\nadopt: [prod]\n",
                /lists "prod", which is not one of the tenant's environments \(sit\)/,
            );
        });

        it("refuses an AWS tenant: Argo CD ran schools on Kubernetes", () => {
            assertOneProblem(
                "platform: aws\nadopt: true\n",
                /only a Kubernetes tenant can be adopted/,
            );
        });

        it("refuses an adopted tenant that the stack runs on AWS by default", () => {
            startMocks("dev");
            const adopted = spec({ name: "riverside-high", adopt: ["dev"] });
            assert.throws(
                () =>
                    readStackSettings(
                        configSource(stackConfig("dev", { "aims:platform": "aws" })),
                        "dev",
                        [adopted],
                    ),
                (err: unknown) => {
                    assert.ok(err instanceof ValidationError);
                    assert.ok(
                        err.problems.some((problem) =>
                            /^tenants\/riverside-high\.yaml: adopt: only a Kubernetes tenant .* runs this tenant on aws/.test(
                                problem,
                            ),
                        ),
                        err.problems.join(" | "),
                    );
                    return true;
                },
            );
        });
    });

    describe("resources", () => {
        it("imports the namespace, secrets, database and role under the Argo CD setup's names, hyphen kept", async () => {
            const { mocks } = await deployTenant("dev", { name: "riverside-high", adopt: ["dev"] });
            const r = adoptedResources(mocks.resources, "riverside-high");
            assert.equal(r.namespace.importId, "riverside-high");
            assert.equal(r.djangoSecret.importId, "riverside-high/riverside-high-django-secret");
            assert.equal(r.databaseSecret.importId, "riverside-high/riverside-high-database");
            assert.equal(r.database.importId, "tenant_riverside-high");
            assert.equal(r.role.importId, "tenant_riverside-high");
            assert.equal(objectOf(r.namespace).metadata.name, "riverside-high");
            assert.equal(objectOf(r.djangoSecret).metadata.name, "riverside-high-django-secret");
            assert.equal(r.database.inputs.name, "tenant_riverside-high");
            assert.equal(r.role.inputs.name, "tenant_riverside-high");
        });

        it("keeps the running school's SECRET_KEY and database password: nothing generated, nothing declared, changes ignored", async () => {
            const { mocks } = await deployTenant("dev", { name: "riverside-high", adopt: ["dev"] });
            const r = adoptedResources(mocks.resources, "riverside-high");
            assert.deepEqual(mocks.ofType("random:index/randomPassword:RandomPassword"), []);
            for (const secret of [r.djangoSecret, r.databaseSecret]) {
                assert.equal(secret.inputs.stringData, undefined, secret.name);
                assert.equal(secret.inputs.data, undefined, secret.name);
                assert.deepEqual(secret.ignoreChanges, ["data", "stringData"], secret.name);
            }
            assert.equal(r.role.inputs.password, undefined);
            assert.deepEqual(r.role.ignoreChanges, ["password"]);
            // The encoding cannot change in place; an adopted database keeps its own.
            assert.equal(r.database.inputs.encoding, undefined);
        });

        it("points the chart at the school's two secrets: SECRET_KEY from its Django secret, the credentials from its database secret", async () => {
            const adopted = await deployTenant("dev", { name: "riverside-high", adopt: ["dev"] });
            const values = reveal(adopted.r.release.inputs.values);
            assert.equal(values.djangoSecret, "riverside-high-django-secret");
            assert.equal(values.database.credentialsSecret, "riverside-high-database");
            assert.ok(
                adopted.r.release.dependencies.includes(adopted.r.adoptedDjangoSecret!.urn),
                "the pods start once the Django secret is the program's",
            );
            const created = await deployTenant("dev", { name: "riverside-high", adopt: ["prod"] });
            const own = reveal(created.r.release.inputs.values);
            assert.equal(own.djangoSecret, "riverside-high-database");
            assert.equal(own.database.credentialsSecret, "riverside-high-database");
        });

        it("points the chart and the offboarding backup at the adopted database", async () => {
            const { mocks, r } = await deployTenant("dev", {
                name: "riverside-high",
                adopt: ["dev"],
                status: "offboarding",
            });
            assert.equal(reveal(r.release.inputs.values).database.name, "tenant_riverside-high");
            const job = mocks
                .ofType("kubernetes:batch/v1:Job")
                .find((resource) => resource.name.startsWith("riverside-high"));
            assert.ok(job, "the offboarding backup Job is registered");
            const env = objectOf(job).spec.template.spec.containers[0].env as Array<{
                name: string;
                value?: string;
            }>;
            assert.equal(
                env.find((variable) => variable.name === "PGDATABASE")?.value,
                "tenant_riverside-high",
            );
        });

        it("keeps prod's protection on every imported resource", async () => {
            const { mocks } = await deployTenant("prod", { name: "school1", adopt: ["prod"] });
            for (const [what, resource] of Object.entries(
                adoptedResources(mocks.resources, "school1"),
            )) {
                assert.ok(resource.importId, `${what} is imported`);
                assert.equal(resource.protect, true, `${what} is protected`);
                assert.equal(resource.retainOnDelete, true, `${what} is retained on delete`);
            }
        });

        it("creates as usual in an environment the file does not adopt, with the program's database name", async () => {
            const { mocks } = await deployTenant("dev", {
                name: "riverside-high",
                adopt: ["prod"],
            });
            assert.deepEqual(
                mocks.resources.filter((resource) => resource.importId !== undefined),
                [],
            );
            assert.equal(
                mocks.get(TYPES.database, "riverside-high-db").inputs.name,
                "tenant_riverside_high",
            );
            assert.equal(mocks.ofType("random:index/randomPassword:RandomPassword").length, 2);
            assert.deepEqual(
                mocks
                    .ofType(TYPES.secret)
                    .map((secret) => secret.name)
                    .sort(),
                ["riverside-high-core-secret", "riverside-high-database-secret"],
                "one Secret for the credentials and SECRET_KEY, no Django secret of its own",
            );
        });

        it("imports nothing of a tenant next to an adopted one", async () => {
            const mocks = startMocks("dev");
            const tenants = [
                spec({ name: "riverside-high", adopt: ["dev"] }),
                spec({ name: "hillcrest" }),
            ];
            const settings = settingsOf("dev", tenants);
            for (const tenant of tenants) new Tenant(tenant.name, { tenant, settings });
            await mocks.settled();
            const imported = mocks.resources
                .filter((resource) => resource.importId !== undefined)
                .map((resource) => resource.name)
                .sort();
            assert.deepEqual(imported, [
                "riverside-high-database-secret",
                "riverside-high-db",
                "riverside-high-db-role",
                "riverside-high-django-secret",
                "riverside-high-namespace",
            ]);
        });
    });

    describe("synth", () => {
        it("shows import ids on the adopted resources, none of them a plain create, and no secret value", () => {
            const tenant = fs.readFileSync(
                path.join(__dirname, "..", "tenants", "school1.yaml"),
                "utf8",
            );
            const project = copyProject({ "school1.yaml": `${tenant}adopt: [dev]\n` });
            try {
                const result = project.run("synth", "--stack", "dev");
                assert.equal(result.status, 0, result.stderr);
                assert.match(result.stdout, /5 of them imported, not created \(adopt\)/);
                const out = path.join(project.dir, "out", "dev", "school1");
                const manifestImport = (file: string) =>
                    IMPORT_COMMENT_PATTERN.exec(fs.readFileSync(path.join(out, file), "utf8"))?.[1];
                assert.equal(manifestImport("Namespace-school1-namespace.yaml"), "school1");
                assert.equal(
                    manifestImport("Secret-school1-django-secret.yaml"),
                    "school1/school1-django-secret",
                );
                assert.equal(
                    manifestImport("Secret-school1-database-secret.yaml"),
                    "school1/school1-database",
                );
                const record = (file: string) =>
                    JSON.parse(fs.readFileSync(path.join(out, file), "utf8"));
                assert.deepEqual(record("postgresql-Database-school1-db.json").options, {
                    protect: false,
                    retainOnDelete: false,
                    import: "tenant_school1",
                    ignoreChanges: [],
                });
                assert.deepEqual(record("postgresql-Role-school1-db-role.json").options, {
                    protect: false,
                    retainOnDelete: false,
                    import: "tenant_school1",
                    ignoreChanges: ["password"],
                });
                assert.equal(
                    fs.existsSync(path.join(out, "random-RandomPassword-school1-secret-key.json")),
                    false,
                );
                for (const file of fs.readdirSync(out)) {
                    const text = fs.readFileSync(path.join(out, file), "utf8");
                    assert.doesNotMatch(
                        text,
                        /mock-[0-9a-f]{8}/,
                        `${file} holds a generated secret`,
                    );
                    assert.ok(!text.includes(SECRET_PLACEHOLDER), `${file} holds a config secret`);
                }
            } finally {
                project.remove();
            }
        });
    });
});

import { strict as assert } from "node:assert";
import { ValidationError } from "../components/support/errors";
import { parseTenantFile } from "../components/tenant-files/registry";
import { readStackSettings, StackSettings } from "../components/stack/settings";
import { configSource, SECRET_PLACEHOLDER } from "../components/stack/stack-file";
import { isSecret, spec, stackConfig, startMocks, valueOf } from "./support/mocks";

const kubernetesTenant = spec({ name: "school1" });
const awsTenant = spec({ name: "greenfield", platform: "aws" });
const devCore = JSON.parse(stackConfig("dev").config["aims:core"]);
const KEY = "Pulumi.dev.yaml: aims:core";

function read(core: unknown, tenants = [kubernetesTenant]): StackSettings {
    return readStackSettings(
        configSource(stackConfig("dev", { "aims:core": core })),
        "dev",
        tenants,
    );
}

function problems(core: unknown, tenants = [kubernetesTenant]): string[] {
    try {
        read(core, tenants);
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return [...err.problems];
    }
    assert.fail("expected the settings to be rejected");
}

describe("aims:core settings", () => {
    beforeEach(() => startMocks("dev"));

    it("reads the dev stack's block: URL, core database, object storage, every secret a Pulumi secret", async () => {
        const core = read(devCore).core!;
        assert.equal(core.url, "https://core.dev.aims.example.org");
        assert.deepEqual(
            { ...core.database, password: undefined },
            {
                host: "aimsgodb.database.svc.cluster.local",
                port: 5432,
                name: "aimsgodb",
                user: "aims_tenant",
                password: undefined,
            },
        );
        assert.deepEqual(
            { ...core.objectStorage, credentials: undefined },
            {
                bucket: "aims-dev-media",
                region: "eu-west-1",
                prefix: "tenants",
                credentials: undefined,
            },
        );
        for (const secret of [
            core.database.password,
            core.bootstrapSecret,
            core.adminApiKey,
            core.objectStorage!.credentials!.accessKeyId,
            core.objectStorage!.credentials!.secretAccessKey,
        ]) {
            assert.equal(await isSecret(secret), true);
            assert.equal(
                await valueOf(secret),
                SECRET_PLACEHOLDER,
                "offline, every secret is the placeholder",
            );
        }
    });

    it("is optional: a stack without it has no core and needs no schoolId", () => {
        assert.equal(
            read(undefined, [spec({ name: "school1", schoolId: undefined })]).core,
            undefined,
        );
    });

    it("requires the schoolId of every tenant the stack deploys, naming the tenant file", () => {
        assert.deepEqual(problems(devCore, [spec({ name: "school1", schoolId: undefined })]), [
            "tenants/school1.yaml: schoolId: is required: Pulumi.dev.yaml configures aims:core, and the tenant's backend tells the core which school it is (TENANT_SCHOOL_ID)",
        ]);
    });

    it("url: an https base URL, stripped of a trailing slash", () => {
        assert.equal(
            read({ ...devCore, url: "https://core.example.org/" }).core!.url,
            "https://core.example.org",
        );
        for (const bad of [
            "http://core.example.org",
            "https://core.example.org/api",
            "https://u:p@core.example.org",
            "core.example.org",
        ]) {
            assert.match(
                problems({ ...devCore, url: bad })[0],
                /aims:core\.url: must be the core's https base URL/,
                bad,
            );
        }
        assert.deepEqual(problems({ ...devCore, url: undefined }), [`${KEY}.url: is required`]);
    });

    it("database: host, port, name and user checked, the password required as a secret", () => {
        assert.equal(
            read({ ...devCore, database: { ...devCore.database, port: 6432 } }).core!.database.port,
            6432,
        );
        assert.match(
            problems({ ...devCore, database: { ...devCore.database, host: "db host" } })[0],
            /aims:core\.database\.host: must be a host name/,
        );
        assert.match(
            problems({ ...devCore, database: { ...devCore.database, port: 70000 } })[0],
            /aims:core\.database\.port: must be a whole number from 1 to 65535/,
        );
        assert.match(
            problems({ ...devCore, database: { ...devCore.database, name: "aims go db" } })[0],
            /aims:core\.database\.name: must be a PostgreSQL name/,
        );
        assert.match(
            problems({ ...devCore, database: { ...devCore.database, user: "x;drop" } })[0],
            /aims:core\.database\.user: must be a PostgreSQL name/,
        );
        const { password: _password, ...withoutPassword } = devCore.database;
        // Offline, a missing secret stands in as a placeholder; the program itself reads the block as written.
        const config = stackConfig("dev").config;
        const raw = { ...JSON.parse(config["aims:core"]), database: withoutPassword };
        assert.throws(
            () =>
                readStackSettings(configSource(stackConfig("dev", { "aims:core": raw })), "dev", [
                    kubernetesTenant,
                ]),
            (err: ValidationError) =>
                err.problems.includes(
                    `${KEY}.database.password: is required; set it once with: pulumi config set --secret --path aims:core.database.password --stack dev`,
                ),
        );
        assert.deepEqual(problems({ ...devCore, database: undefined }), [
            `${KEY}.database: is required`,
        ]);
    });

    it("bootstrapSecret and adminApiKey: required, never quoted in a message", () => {
        const { bootstrapSecret: _b, adminApiKey: _a, ...without } = devCore;
        const config = stackConfig("dev").config;
        const raw = { ...JSON.parse(config["aims:core"]), ...without };
        delete raw.bootstrapSecret;
        delete raw.adminApiKey;
        assert.throws(
            () =>
                readStackSettings(configSource(stackConfig("dev", { "aims:core": raw })), "dev", [
                    kubernetesTenant,
                ]),
            (err: ValidationError) =>
                err.problems.includes(
                    `${KEY}.bootstrapSecret: is required; set it once with: pulumi config set --secret --path aims:core.bootstrapSecret --stack dev`,
                ) &&
                err.problems.includes(
                    `${KEY}.adminApiKey: is required; set it once with: pulumi config set --secret --path aims:core.adminApiKey --stack dev`,
                ),
        );
        const shown = problems({ ...devCore, adminApiKey: 12345 }).join("\n");
        assert.match(
            shown,
            /aims:core\.adminApiKey: must be a non-empty string \(the value is a secret and is not shown\)/,
        );
        assert.doesNotMatch(shown, /12345/);
    });

    it("objectStorage: optional; endpoint https, bucket, region and prefix checked", () => {
        assert.equal(read({ ...devCore, objectStorage: undefined }).core!.objectStorage, undefined);
        const storage = devCore.objectStorage;
        assert.equal(
            read({
                ...devCore,
                objectStorage: { ...storage, endpoint: "https://objects.example.org" },
            }).core!.objectStorage!.endpoint,
            "https://objects.example.org",
        );
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [
                { endpoint: "http://objects.example.org" },
                /objectStorage\.endpoint: must be an https URL/,
            ],
            [{ bucket: "Aims_Media" }, /objectStorage\.bucket: must be a bucket name/],
            [{ region: "EU West" }, /objectStorage\.region: must be a region name/],
            [{ prefix: "/tenants/" }, /objectStorage\.prefix: must be an object key prefix/],
            [{ colour: "red" }, /objectStorage\.colour: unknown key/],
        ];
        for (const [change, message] of cases)
            assert.match(
                problems({ ...devCore, objectStorage: { ...storage, ...change } })[0],
                message,
                JSON.stringify(change),
            );
    });

    it("objectStorage keys: required by Kubernetes tenants, and by AWS tenants only with another storage than AWS S3", () => {
        const config = stackConfig("dev").config;
        const withoutKeys = { ...JSON.parse(config["aims:core"]) };
        withoutKeys.objectStorage = { bucket: "aims-dev-media", region: "eu-west-1" };
        const readRaw = (core: unknown, tenants: (typeof kubernetesTenant)[]) =>
            readStackSettings(
                configSource(stackConfig("dev", { "aims:core": core })),
                "dev",
                tenants,
            );
        assert.throws(
            () => readRaw(withoutKeys, [kubernetesTenant]),
            /objectStorage\.accessKeyId: is required/,
        );
        assert.equal(
            readRaw(withoutKeys, [awsTenant]).core!.objectStorage!.credentials,
            undefined,
            "AWS S3 through the task role",
        );
        assert.throws(
            () =>
                readRaw(
                    {
                        ...withoutKeys,
                        objectStorage: {
                            ...withoutKeys.objectStorage,
                            endpoint: "https://objects.example.org",
                        },
                    },
                    [awsTenant],
                ),
            /objectStorage\.secretAccessKey: is required/,
        );
    });

    it("rejects an unknown key", () => {
        assert.deepEqual(problems({ ...devCore, baseUrl: "x" }), [
            `${KEY}.baseUrl: unknown key; allowed: url, database, bootstrapSecret, adminApiKey, objectStorage`,
        ]);
    });
});

describe("tenant file: schoolId and the core's reserved names", () => {
    const parse = (body: string, name = "hillcrest") =>
        parseTenantFile(
            `tenants/${name}.yaml`,
            `name: ${name}\ndisplayName: H\nplan: small\n${body}`,
        );

    it("accepts a quoted id and keeps it as a string", () => {
        assert.equal(parse('schoolId: "2042"\n').tenant?.schoolId, "2042");
        assert.equal(parse("schoolId: a1b2-c3\n").tenant?.schoolId, "a1b2-c3");
        assert.equal(parse("").tenant?.schoolId, undefined);
    });

    it("rejects a number, an empty id or one with other characters, naming the field", () => {
        assert.deepEqual(parse("schoolId: 2042\n").problems, [
            "tenants/hillcrest.yaml: schoolId: must be a string (got 2042)",
        ]);
        assert.match(
            parse('schoolId: ""\n').problems[0],
            /^tenants\/hillcrest\.yaml: schoolId: must be the school's id in the core.*\(got ""\)$/,
        );
        assert.match(
            parse('schoolId: "1; rm -rf /"\n').problems[0],
            /^tenants\/hillcrest\.yaml: schoolId: must be the school's id in the core/,
        );
    });

    it("reserves aims-core, argocd and database", () => {
        for (const name of ["aims-core", "argocd", "database"]) {
            assert.deepEqual(parse('schoolId: "1"\n', name).problems, [
                `tenants/${name}.yaml: name: "${name}" is reserved by the platform; choose another name`,
            ]);
        }
    });
});

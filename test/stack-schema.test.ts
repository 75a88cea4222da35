/**
 * The stack config's schemas (schema/): each block accepts the dev stack's block and refuses a
 * bad one with the message a user sees; the secrets they mark; and Pulumi.yaml, which declares
 * the same keys with the same types, defaults and descriptions.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { schemaProblems } from "../components/json-schema/problems";
import { SchemaFile, schemaOf, validatorOf } from "../components/json-schema/schemas";
import { keyOf, resolved, schemaAt } from "../components/json-schema/subschema";
import { STACK_SECRET_PATHS } from "../components/stack/secrets";
import { configSource } from "../components/stack/stack-file";
import { readStackValues } from "../components/stack/stack-values";
import { PROJECT_ROOT } from "../components/support/project-root";
import { stackConfig } from "./support/mocks";

/** The problems of `value` against a schema file, as `key: message`. */
function problemsOf(file: SchemaFile, value: unknown): string[] {
    const validate = validatorOf(file);
    if (validate(value)) return [];
    const context = { schema: schemaOf(file), document: value, entry: "key" } as const;
    return schemaProblems(validate.errors ?? [], context).map((p) => `${p.key}: ${p.message}`);
}

const dev = (key: string) => JSON.parse(stackConfig("dev").config[key]);

describe("stack config schemas", () => {
    const blocks: ReadonlyArray<{
        file: SchemaFile;
        key: string;
        bad: Record<string, unknown>;
        problem: string;
    }> = [
        {
            file: "images.schema.json",
            key: "aims:images",
            bad: { tag: " " },
            problem: 'tag: must be a non-empty string (got " ")',
        },
        {
            file: "database.schema.json",
            key: "aims:database",
            bad: { sslmode: "prefer" },
            problem:
                'sslmode: must be one of disable, require, verify-ca, verify-full (got "prefer")',
        },
        {
            file: "kubernetes.schema.json",
            key: "aims:kubernetes",
            bad: { chartPath: "C:\\charts\\tenant" },
            problem:
                "chartPath: must be a path relative to the project root with '/' separators, such as charts/tenant (got \"C:\\\\charts\\\\tenant\")",
        },
        {
            file: "aws.schema.json",
            key: "aims:aws",
            bad: { accountId: 111111111111 },
            problem:
                'accountId: must be a 12-digit AWS account ID, quoted in YAML: "111111111111" (got 111111111111)',
        },
        {
            file: "backup.schema.json",
            key: "aims:backup",
            bad: { bucket: "10.0.0.1" },
            problem:
                "bucket: must be an S3 bucket name such as aims-dev-tenant-backups: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, not an IP address (got \"10.0.0.1\")",
        },
        {
            file: "core.schema.json",
            key: "aims:core",
            bad: { url: "https://core.example.org:70000" },
            problem:
                'url: must be the core\'s https base URL without credentials, path or query, such as https://core.aims.example.org (got "https://core.example.org:70000")',
        },
    ];
    for (const { file, key, bad, problem } of blocks) {
        it(`${file}: accepts the dev stack's ${key} and refuses a bad value`, () => {
            assert.deepEqual(problemsOf(file, dev(key)), []);
            assert.deepEqual(problemsOf(file, { ...dev(key), ...bad }), [problem]);
        });
    }

    it("stack.schema.json: accepts the dev stack's aims: keys and refuses an unknown one", () => {
        const values = readStackValues(configSource(stackConfig("dev")));
        assert.deepEqual(problemsOf("stack.schema.json", values), []);
        assert.match(
            problemsOf("stack.schema.json", { ...values, "aims:protectdata": false })[0],
            /^aims:protectdata: unknown key; allowed: aims:environment, aims:stackShard, aims:maxTenantsPerStack, aims:platform, aims:baseDomain, aims:protectData, /,
        );
    });

    it("fills in the defaults it gives", () => {
        const database = { ...dev("aims:database") };
        delete database.port;
        delete database.sslmode;
        assert.deepEqual(problemsOf("database.schema.json", database), []);
        assert.equal(database.port, 5432);
        assert.equal(database.sslmode, "require");
    });

    it("marks every secret the program reads, and nothing else", () => {
        assert.deepEqual(STACK_SECRET_PATHS.map(keyOf), [
            "aims:database.password",
            "aims:kubernetes.registry.password",
            "aims:backup.secretAccessKey",
            "aims:core.database.password",
            "aims:core.bootstrapSecret",
            "aims:core.adminApiKey",
            "aims:core.objectStorage.accessKeyId",
            "aims:core.objectStorage.secretAccessKey",
        ]);
    });

    it("never shows a secret's value", () => {
        assert.deepEqual(
            problemsOf("database.schema.json", { ...dev("aims:database"), password: 12345 }),
            ["password: must be a non-empty string (the value is a secret and is not shown)"],
        );
    });
});

describe("one pattern for a host name", () => {
    const pattern = resolved({ $ref: "common.schema.json#/definitions/hostname" }).pattern;

    it("is common.schema.json's, which tenant domains, base domains and database hosts refer to", () => {
        assert.match("portal.school1.org", new RegExp(pattern as string));
        for (const [file, at] of [
            ["tenant.schema.json", ["domain"]],
            ["stack.schema.json", ["aims:baseDomain"]],
            ["aws.schema.json", ["databaseHost"]],
        ] as const) {
            assert.equal(
                schemaAt(schemaOf(file), at)?.pattern,
                pattern,
                `${file}: ${at.join(".")}`,
            );
        }
    });

    it("is the tenant chart's host pattern too (a chart cannot refer outside itself)", () => {
        const values = JSON.parse(
            fs.readFileSync(
                path.join(PROJECT_ROOT, "charts", "tenant", "values.schema.json"),
                "utf8",
            ),
        );
        assert.equal(values.properties.tenant.properties.host.pattern, pattern);
    });
});

describe("Pulumi.yaml", () => {
    interface Declaration {
        type: string;
        items?: { type: string };
        default?: unknown;
        description?: string;
    }
    const declared = (
        yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
            config: Record<string, Declaration>;
        }
    ).config;
    const stack = schemaOf("stack.schema.json");
    const keys = Object.keys(stack.properties ?? {});
    /** The Pulumi config type of a key's schema: an enum of strings is a string. */
    const typeOf = (key: string) => {
        const schema = schemaAt(stack, [key])!;
        return (
            schema.type ?? (schema.enum?.every((v) => typeof v === "string") ? "string" : undefined)
        );
    };
    /** Pulumi requires a declared key without a default, so only these can be declared. */
    const declarable = keys.filter(
        (key) => stack.required?.includes(key) || schemaAt(stack, [key])?.default !== undefined,
    );

    it("declares every key the schema requires or gives a default, and no other", () => {
        assert.deepEqual(Object.keys(declared).sort(), [...declarable].sort());
        assert.deepEqual(
            keys.filter((key) => !declarable.includes(key)),
            [
                "aims:environment",
                "aims:rings",
                "aims:defaultRing",
                "aims:kubernetes",
                "aims:aws",
                "aims:backup",
                "aims:core",
            ],
        );
    });

    it("gives each the schema's type, default and description", () => {
        for (const key of declarable) {
            const schema = schemaAt(stack, [key])!;
            const declaration = declared[key];
            assert.equal(declaration.type, typeOf(key), key);
            assert.deepEqual(declaration.default, schema.default, key);
            assert.equal(declaration.description, schema.description, key);
            if (schema.type === "array")
                assert.deepEqual(declaration.items, { type: schema.items?.type }, key);
        }
    });
});

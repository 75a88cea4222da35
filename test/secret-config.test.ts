/**
 * A secret config value written in a stack file in plain text is a problem naming the file and
 * the key, never showing the value: in the program (Pulumi says which keys are secret) and in
 * the offline reader of synth and the tenant CLI (the stack file says which values were `secure:`).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ValidationError } from "../components/support/errors";
import { readOfflineSettings, readStackConfig } from "../components/stack/stack-file";
import { MockStack, spec, stackConfig } from "./support/mocks";
import { copyProject, ProjectCopy } from "./support/project";
import { loadProgram } from "../scripts/lib/program";

const PLAIN = "plain-value-7c1e";
const tenants = [
    spec({ name: "school1", status: "offboarding" }),
    spec({ name: "greenfield", platform: "aws" }),
];

type StackDocument = { config: Record<string, any> };

/** The dev stack file of `project`, changed by `edit`. */
function editStackFile(project: ProjectCopy, edit: (config: Record<string, any>) => void): void {
    const file = path.join(project.dir, "Pulumi.dev.yaml");
    const document = yaml.load(fs.readFileSync(file, "utf8")) as StackDocument;
    edit(document.config);
    fs.writeFileSync(file, yaml.dump(document));
}

function offlineProblems(project: ProjectCopy): string[] {
    try {
        readOfflineSettings(project.dir, "dev", tenants);
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return [...err.problems];
    }
    return [];
}

const secure = { secure: "v1:AAAABBBBCCCC" };
const registry = (password: unknown) => ({
    server: "registry.example.org",
    username: "aims-pull",
    password,
});

describe("secret config values in plain text", () => {
    let project: ProjectCopy;
    beforeEach(() => (project = copyProject()));
    afterEach(() => project.remove());

    const plaintext: Record<string, [(config: Record<string, any>) => void, string]> = {
        "the database password": [
            (c) => (c["aims:database"].password = PLAIN),
            "aims:database.password",
        ],
        "a numeric database password": [
            (c) => (c["aims:database"].password = 1234567),
            "aims:database.password",
        ],
        "the registry password": [
            (c) => (c["aims:kubernetes"].registry = registry(PLAIN)),
            "aims:kubernetes.registry.password",
        ],
        "the backup secret access key": [
            (c) => (c["aims:backup"].secretAccessKey = PLAIN),
            "aims:backup.secretAccessKey",
        ],
        "the registry password next to an encrypted database password": [
            (c) => {
                c["aims:database"].password = secure;
                c["aims:kubernetes"].registry = registry(PLAIN);
            },
            "aims:kubernetes.registry.password",
        ],
        "the database password next to an encrypted registry password": [
            (c) => {
                c["aims:database"].password = PLAIN;
                c["aims:kubernetes"].registry = registry(secure);
            },
            "aims:database.password",
        ],
    };
    for (const [label, [edit, key]] of Object.entries(plaintext)) {
        it(`offline: refuses ${label}, naming the file and key, not the value`, () => {
            editStackFile(project, edit);
            const problems = offlineProblems(project);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.ok(
                problems[0].startsWith(
                    `Pulumi.dev.yaml: ${key}: is written in plain text in the stack file (the value is not shown)`,
                ),
                problems[0],
            );
            assert.doesNotMatch(problems[0], /plain-value|1234567/);
        });
    }

    it("offline: accepts encrypted values and secrets left unset", () => {
        editStackFile(project, (c) => {
            c["aims:database"].password = secure;
            c["aims:kubernetes"].registry = registry(secure);
            c["aims:backup"].secretAccessKey = secure;
        });
        assert.deepEqual(offlineProblems(project), []);
        assert.deepEqual(readStackConfig(project.dir, "dev").secretPaths.sort(), [
            "aims:backup.secretAccessKey",
            "aims:core.adminApiKey",
            "aims:core.bootstrapSecret",
            "aims:core.database.password",
            "aims:core.objectStorage.accessKeyId",
            "aims:core.objectStorage.secretAccessKey",
            "aims:database.password",
            "aims:kubernetes.registry.password",
        ]);
    });

    it("tenant validate: exits 1 on a plain-text password without printing it", () => {
        editStackFile(project, (c) => (c["aims:database"].password = PLAIN));
        const result = project.run("tenant", "validate");
        assert.equal(result.status, 1);
        assert.match(
            result.stderr,
            /^Pulumi\.dev\.yaml: aims:database\.password: is written in plain text/m,
        );
        assert.doesNotMatch(result.stdout + result.stderr, /plain-value/);
    });

    it("synth: refuses a plain-text password before registering anything", () => {
        editStackFile(project, (c) => (c["aims:database"].password = PLAIN));
        const result = project.run(
            "synth",
            "--stack",
            "dev",
            "--out",
            path.join(project.dir, "out"),
        );
        assert.equal(result.status, 1);
        assert.match(
            result.stderr,
            /^Pulumi\.dev\.yaml: aims:database\.password: is written in plain text/m,
        );
        assert.doesNotMatch(result.stdout + result.stderr, /plain-value/);
        assert.equal(fs.existsSync(path.join(project.dir, "out")), false);
    });

    const runtimeCases: Record<string, [string, Record<string, unknown>]> = {
        "the database password": [
            "aims:database",
            { ...JSON.parse(stackConfig("dev").config["aims:database"]), password: PLAIN },
        ],
        "the backup secret access key": [
            "aims:backup",
            { ...JSON.parse(stackConfig("dev").config["aims:backup"]), secretAccessKey: PLAIN },
        ],
    };
    for (const [label, [key, value]] of Object.entries(runtimeCases)) {
        it(`program: refuses ${label} when Pulumi does not mark ${key} secret, registering nothing`, async () => {
            const { config, secretKeys } = stackConfig("dev");
            config[key] = JSON.stringify(value);
            const mocks = MockStack.start({
                stack: "dev",
                config,
                secretKeys: secretKeys.filter((secretKey) => secretKey !== key),
            });
            const program = loadProgram(project.dir);
            await assert.rejects(program(), (err: unknown) => {
                assert.ok(err instanceof ValidationError, String(err));
                assert.ok(
                    err.problems.some(
                        (p) =>
                            p.startsWith(`Pulumi.dev.yaml: ${key}.`) &&
                            /written in plain text/.test(p),
                    ),
                    err.problems.join("\n"),
                );
                assert.doesNotMatch(err.message, /plain-value/);
                return true;
            });
            await mocks.settled();
            assert.deepEqual(mocks.resources, []);
        });
    }
});

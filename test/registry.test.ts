import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ValidationError } from "../components/support/errors";
import { MAX_TENANT_NAME_LENGTH } from "../components/vocabulary/naming";
import {
    loadTenants,
    MAX_TENANT_FILE_BYTES,
    parseTenantFile,
    RESERVED_NAMES,
} from "../components/tenant-files/registry";

const VALID = "name: school1\ndisplayName: School One\nplan: standard\n";

function problemsOf(content: string, file = "tenants/school1.yaml"): string[] {
    return parseTenantFile(file, content).problems;
}

/** Asserts exactly one problem, that it names the file and field, and matches `pattern`. */
function assertProblem(
    content: string,
    field: string,
    pattern: RegExp,
    file = "tenants/school1.yaml",
): void {
    const problems = problemsOf(content, file);
    assert.equal(problems.length, 1, `expected one problem, got: ${problems.join(" | ")}`);
    assert.ok(problems[0].startsWith(`${file}: ${field}: `), problems[0]);
    assert.match(problems[0], pattern);
}

function withTenantsDir(files: Record<string, string>, check: (dir: string) => void): void {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "aims-registry-"));
    const dir = path.join(root, "tenants");
    fs.mkdirSync(dir);
    for (const [file, content] of Object.entries(files))
        fs.writeFileSync(path.join(dir, file), content);
    try {
        check(dir);
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

function loadProblems(files: Record<string, string>): string[] {
    let problems: string[] = [];
    withTenantsDir(files, (dir) => {
        assert.throws(
            () => loadTenants(dir),
            (err: unknown) => {
                assert.ok(err instanceof ValidationError);
                problems = [...err.problems];
                return true;
            },
        );
    });
    return problems;
}

describe("registry: one tenant file", () => {
    it("accepts a minimal file and fills the defaults", () => {
        const { tenant, problems } = parseTenantFile("tenants/school1.yaml", VALID);
        assert.deepEqual(problems, []);
        assert.deepEqual(tenant, {
            name: "school1",
            displayName: "School One",
            environments: ["dev", "sit", "prod"],
            plan: "standard",
            status: "active",
            file: "tenants/school1.yaml",
        });
    });

    it("keeps every optional field of a full file, environments in canonical order", () => {
        const { tenant, problems } = parseTenantFile(
            "tenants/school1.yaml",
            `${VALID}environments: [prod, dev]
status: suspended
platform: aws
domain: portal.school1.example.org
image: { tag: "2.3.1" }
aws: { listenerPriority: 120, shard: 1 }
`,
        );
        assert.deepEqual(problems, []);
        assert.deepEqual(tenant?.environments, ["dev", "prod"]);
        assert.equal(tenant?.status, "suspended");
        assert.equal(tenant?.platform, "aws");
        assert.equal(tenant?.domain, "portal.school1.example.org");
        assert.deepEqual(tenant?.image, { tag: "2.3.1" });
        assert.deepEqual(tenant?.aws, { listenerPriority: 120, shard: 1 });
    });

    describe("name", () => {
        for (const good of ["a", "school1", "riverside-high", "a1-b2-c3"]) {
            it(`accepts "${good}"`, () => {
                assert.deepEqual(
                    problemsOf(
                        `name: ${good}\ndisplayName: X\nplan: small\n`,
                        `tenants/${good}.yaml`,
                    ),
                    [],
                );
            });
        }
        const notDnsLabels: Record<string, string> = {
            uppercase: "School1",
            underscore: "school_1",
            "leading hyphen": "-school",
            "trailing hyphen": "school-",
            "leading digit": "1school",
            dot: "school.one",
            "path traversal": "../x",
            "unicode look-alike": "sch\u043e\u043el1",
            space: "school one",
        };
        for (const [label, bad] of Object.entries(notDnsLabels)) {
            it(`rejects a name with a ${label}`, () => {
                assertProblem(
                    `name: "${bad}"\ndisplayName: X\nplan: small\n`,
                    "name",
                    /must be a DNS label/,
                    `tenants/${bad}.yaml`,
                );
            });
        }
        it("rejects consecutive hyphens", () => {
            assertProblem(
                "name: a--b\ndisplayName: X\nplan: small\n",
                "name",
                /consecutive hyphens/,
                "tenants/a--b.yaml",
            );
        });
        it("rejects an empty name", () => {
            assertProblem(
                'name: ""\ndisplayName: X\nplan: small\n',
                "name",
                /must be a DNS label/,
                "tenants/.yaml",
            );
        });
        for (const reserved of [
            "www",
            "api",
            "admin",
            "app",
            "mail",
            "core",
            "argocd",
            "database",
            "kube-system",
            "kube-anything",
            "aims-core",
            "flux-system",
            "cert-manager",
        ]) {
            it(`rejects the reserved name "${reserved}"`, () => {
                assertProblem(
                    `name: ${reserved}\ndisplayName: X\nplan: small\n`,
                    "name",
                    /is reserved/,
                    `tenants/${reserved}.yaml`,
                );
            });
        }
        it("reserves every platform name it lists", () => {
            assert.ok(
                RESERVED_NAMES.has("www") &&
                    RESERVED_NAMES.has("kube-system") &&
                    RESERVED_NAMES.has("argocd"),
            );
        });
        it(`accepts the longest name whose derived names fit (${MAX_TENANT_NAME_LENGTH} characters)`, () => {
            const name = "a".repeat(MAX_TENANT_NAME_LENGTH);
            assert.deepEqual(
                problemsOf(`name: ${name}\ndisplayName: X\nplan: small\n`, `tenants/${name}.yaml`),
                [],
            );
        });
        it("rejects a name one character longer, naming the limit it breaks", () => {
            const name = "a".repeat(MAX_TENANT_NAME_LENGTH + 1);
            assertProblem(
                `name: ${name}\ndisplayName: X\nplan: small\n`,
                "name",
                /too long: 54 characters, at most 53 fit every derived name \(the Helm release name .* over its limit of 53\)/,
                `tenants/${name}.yaml`,
            );
        });
        it("rejects a 64-character name", () => {
            const name = "a".repeat(64);
            assertProblem(
                `name: ${name}\ndisplayName: X\nplan: small\n`,
                "name",
                /DNS label|too long/,
                `tenants/${name}.yaml`,
            );
        });
        it("rejects a name that does not match the file name", () => {
            assertProblem(
                "name: school2\ndisplayName: X\nplan: small\n",
                "name",
                /must match the file name "school1" \(got "school2"\)/,
            );
        });
        it("reports a missing name", () => {
            assertProblem("displayName: X\nplan: small\n", "name", /is required/);
        });
    });

    describe("fields", () => {
        it("rejects an unknown field and lists the allowed ones", () => {
            assertProblem(
                `${VALID}colour: blue\n`,
                "colour",
                /unknown field; allowed: name, displayName, environments, stackShard, plan/,
            );
        });
        it("rejects an unknown nested field", () => {
            assertProblem(
                `${VALID}aws: { priority: 3 }\n`,
                "aws.priority",
                /unknown field; allowed: listenerPriority, shard/,
            );
        });
        it("rejects an unknown plan, listing the plans", () => {
            assertProblem(
                "name: school1\ndisplayName: X\nplan: huge\n",
                "plan",
                /must be one of small, standard, large \(got "huge"\)/,
            );
        });
        it("rejects an unknown environment, naming its position", () => {
            assertProblem(
                `${VALID}environments: [dev, staging]\n`,
                "environments[1]",
                /must be one of dev, sit, prod \(got "staging"\)/,
            );
        });
        it("rejects an empty environments list", () => {
            assertProblem(`${VALID}environments: []\n`, "environments", /at least 1 item/);
        });
        it("rejects a repeated environment", () => {
            assertProblem(`${VALID}environments: [dev, dev]\n`, "environments", /more than once/);
        });
        it("rejects an unknown status and platform", () => {
            assertProblem(`${VALID}status: paused\n`, "status", /active, suspended, offboarding/);
            assertProblem(`${VALID}platform: gcp\n`, "platform", /kubernetes, aws/);
        });
        it("rejects wrong types", () => {
            assertProblem(
                "name: school1\ndisplayName: 42\nplan: small\n",
                "displayName",
                /must be a string \(got 42\)/,
            );
            assertProblem(`${VALID}environments: dev\n`, "environments", /must be an array/);
            assertProblem(
                `${VALID}aws: { listenerPriority: "10" }\n`,
                "aws.listenerPriority",
                /whole number/,
            );
            assertProblem(`${VALID}aws: { shard: 1.5 }\n`, "aws.shard", /whole number/);
        });
        it("rejects a listener priority out of range", () => {
            assertProblem(
                `${VALID}aws: { listenerPriority: 50001 }\n`,
                "aws.listenerPriority",
                /must be a whole number from 1 to 50000 \(got 50001\)/,
            );
        });
        it("rejects a bad domain and a bad image tag", () => {
            assertProblem(`${VALID}domain: "Portal School"\n`, "domain", /lowercase hostname/);
            assertProblem(`${VALID}image: { tag: "-bad tag" }\n`, "image.tag", /image tag/);
        });
        it("reports every problem of a file at once", () => {
            const problems = problemsOf(
                "name: school1\ndisplayName: 1\nplan: huge\nstatus: x\nextra: 1\n",
            );
            assert.equal(problems.length, 4, problems.join("\n"));
        });
    });

    describe("file", () => {
        it("rejects malformed YAML with the line", () => {
            const problems = problemsOf("name: school1\ndisplayName: [unclosed\nplan: small\n");
            assert.equal(problems.length, 1);
            assert.match(problems[0], /^tenants\/school1\.yaml: not valid YAML \(line \d+\)/);
        });
        it("rejects duplicate keys", () => {
            assert.match(
                problemsOf(`${VALID}plan: small\n`)[0],
                /not valid YAML.*duplicated mapping key/,
            );
        });
        it("rejects an empty file and a comment-only file", () => {
            assert.match(problemsOf("")[0], /^tenants\/school1\.yaml: the file is empty/);
            assert.match(problemsOf("# nothing here\n")[0], /the file is empty/);
        });
        it("rejects a document that is not a mapping", () => {
            assert.match(problemsOf("- school1\n")[0], /must be a mapping of fields.*got a list/);
            assert.match(problemsOf("school1\n")[0], /must be a mapping of fields.*got a string$/);
        });
        it("rejects a file over the size limit", () => {
            const huge = `${VALID}# ${"x".repeat(MAX_TENANT_FILE_BYTES)}\n`;
            assert.match(problemsOf(huge)[0], /over the 65536-byte limit/);
        });
        it("rejects alias bombs without expanding them", () => {
            const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
            assert.match(problemsOf(bomb)[0], /more than 1000 values/);
        });
    });
});

describe("registry: the tenants folder", () => {
    it("loads every tenant file, sorted by file name", () => {
        withTenantsDir(
            {
                "b.yaml": "name: b\ndisplayName: B\nplan: small\n",
                "a.yaml": "name: a\ndisplayName: A\nplan: large\n",
                "README.md": "ignored",
            },
            (dir) => {
                assert.deepEqual(
                    loadTenants(dir).map((tenant) => [tenant.name, tenant.file]),
                    [
                        ["a", "tenants/a.yaml"],
                        ["b", "tenants/b.yaml"],
                    ],
                );
            },
        );
    });
    it("refuses a missing folder", () => {
        assert.throws(
            () => loadTenants(path.join(os.tmpdir(), "no-such-tenants-folder")),
            /the tenants folder is missing; refusing to continue with zero tenants/,
        );
    });
    it("refuses an empty folder", () => {
        assert.match(
            loadProblems({}).join("\n"),
            /no tenant files .*refusing to continue with zero tenants/,
        );
        assert.match(loadProblems({ "notes.txt": "x" }).join("\n"), /no tenant files/);
    });
    it("refuses a .yml file instead of ignoring it", () => {
        assert.deepEqual(
            loadProblems({
                "a.yaml": "name: a\ndisplayName: A\nplan: small\n",
                "b.yml": "name: b\n",
            }),
            ["tenants/b.yml: tenant files end in .yaml, in lowercase; rename it to b.yaml"],
        );
    });
    it("fails closed: one bad file stops the whole list, and every problem is reported", () => {
        const problems = loadProblems({
            "a.yaml": "name: a\ndisplayName: A\nplan: small\n",
            "b.yaml": "name: b\ndisplayName: B\nplan: huge\n",
            "c.yaml": "",
        });
        assert.deepEqual(problems, [
            'tenants/b.yaml: plan: must be one of small, standard, large (got "huge")',
            "tenants/c.yaml: the file is empty; a tenant file needs at least name, displayName and plan",
        ]);
    });
    it("rejects two files with the same name", () => {
        const problems = loadProblems({
            "a.yaml": "name: a\ndisplayName: A\nplan: small\n",
            "A.yaml": "name: a\ndisplayName: A\nplan: small\n",
        });
        assert.ok(
            problems.some((p) => /^tenants\/A\.yaml: name: must match the file name "A"/.test(p)),
            problems.join("\n"),
        );
    });
    it("rejects two tenants with the same domain", () => {
        const problems = loadProblems({
            "a.yaml": "name: a\ndisplayName: A\nplan: small\n",
            "b.yaml": "name: b\ndisplayName: B\nplan: small\ndomain: x.example.org\n",
            "c.yaml": "name: c\ndisplayName: C\nplan: small\ndomain: x.example.org\n",
        });
        assert.deepEqual(problems, [
            'tenants/c.yaml: domain: "x.example.org" is also the domain of tenants/b.yaml',
        ]);
    });
    it("accepts distinct names and domains", () => {
        withTenantsDir(
            {
                "a.yaml": "name: a\ndisplayName: A\nplan: small\ndomain: a.example.org\n",
                "b.yaml": "name: b\ndisplayName: B\nplan: small\ndomain: b.example.org\n",
            },
            (dir) => {
                assert.equal(loadTenants(dir).length, 2);
            },
        );
    });
    it("loads the project's own example tenants", () => {
        const tenants = loadTenants(path.join(__dirname, "..", "tenants"));
        assert.deepEqual(
            tenants.map((tenant) => tenant.name),
            ["greenfield", "riverside-high", "school1"],
        );
    });
});

describe("registry: stackShard", () => {
    it("reads the shard of each environment it names, leaving the others to shard 1", () => {
        const { tenant, problems } = parseTenantFile(
            "tenants/school1.yaml",
            `${VALID}environments: [sit, prod]\nstackShard: {prod: 2}\n`,
        );
        assert.deepEqual(problems, []);
        assert.deepEqual(tenant?.stackShard, { prod: 2 });
        assert.equal(parseTenantFile("tenants/school1.yaml", VALID).tenant?.stackShard, undefined);
    });

    it("refuses a shard that is not a whole number from 1 to 99", () => {
        for (const bad of ["0", "-1", "1.5", "100", "two", "null"]) {
            assertProblem(`${VALID}stackShard: {prod: ${bad}}\n`, "stackShard.prod", /must be/);
        }
    });

    it("refuses an environment that does not exist, an empty mapping and a list", () => {
        assertProblem(
            `${VALID}stackShard: {qa: 2}\n`,
            "stackShard.qa",
            /unknown field; allowed: dev, sit, prod/,
        );
        assertProblem(
            `${VALID}stackShard: {}\n`,
            "stackShard",
            /must set at least one field, or be left out/,
        );
        assertProblem(`${VALID}stackShard: [2]\n`, "stackShard", /mapping|object/);
    });

    it("refuses a shard for an environment the tenant is not deployed to", () => {
        assertProblem(
            `${VALID}environments: [dev]\nstackShard: {prod: 2}\n`,
            "stackShard.prod",
            /names a shard of prod, which is not one of the tenant's environments \(dev\); remove it/,
        );
    });
});

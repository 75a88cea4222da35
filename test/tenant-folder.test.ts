/**
 * Attacks on the tenants folder and on the text of tenant files: entries that are not regular
 * files, extensions in another case, content that must never be echoed, unreadable characters.
 * Every refusal names the file (and the field), and none may hang or read without bound.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ValidationError } from "../components/support/errors";
import { loadTenants, parseTenantFile } from "../components/tenant-files/registry";

const VALID = "name: school1\ndisplayName: School One\nplan: standard\n";
const A = "name: a\ndisplayName: A\nplan: small\n";

/** A tenants folder holding a valid `a.yaml`, set up by `arrange`; returns the loader's problems. */
function loadProblems(arrange: (dir: string) => void): string[] {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "aims-folder-"));
    const dir = path.join(root, "tenants");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "a.yaml"), A);
    try {
        arrange(dir);
        try {
            loadTenants(dir);
        } catch (err) {
            assert.ok(err instanceof ValidationError, String(err));
            return [...err.problems];
        }
        return [];
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

describe("tenant folder: entries that are not tenant files", () => {
    const refused: Record<string, [(dir: string) => void, RegExp]> = {
        "a symbolic link to a valid tenant file": [
            (dir) => {
                fs.writeFileSync(
                    path.join(dir, "..", "b.yaml"),
                    "name: b\ndisplayName: B\nplan: small\n",
                );
                fs.symlinkSync(path.join(dir, "..", "b.yaml"), path.join(dir, "b.yaml"));
            },
            /^tenants\/b\.yaml: is a symbolic link, not a regular file/,
        ],
        "a symbolic link to /etc/passwd": [
            (dir) => fs.symlinkSync("/etc/passwd", path.join(dir, "b.yaml")),
            /^tenants\/b\.yaml: is a symbolic link/,
        ],
        "a dangling symbolic link": [
            (dir) => fs.symlinkSync(path.join(dir, "nowhere"), path.join(dir, "b.yaml")),
            /^tenants\/b\.yaml: is a symbolic link/,
        ],
        "a symbolic link to a directory": [
            (dir) => fs.symlinkSync(os.tmpdir(), path.join(dir, "b.yaml")),
            /^tenants\/b\.yaml: is a symbolic link/,
        ],
        "a directory named b.yaml": [
            (dir) => fs.mkdirSync(path.join(dir, "b.yaml")),
            /^tenants\/b\.yaml: is a directory, not a regular file/,
        ],
        "a file ending in .yml": [
            (dir) => fs.writeFileSync(path.join(dir, "b.yml"), A),
            /^tenants\/b\.yml: tenant files end in \.yaml, in lowercase; rename it to b\.yaml$/,
        ],
        "a file ending in .YAML": [
            (dir) => fs.writeFileSync(path.join(dir, "b.YAML"), A),
            /^tenants\/b\.YAML: tenant files end in \.yaml, in lowercase; rename it to b\.yaml$/,
        ],
        "a file ending in .Yaml": [
            (dir) => fs.writeFileSync(path.join(dir, "b.Yaml"), A),
            /^tenants\/b\.Yaml: tenant files end in \.yaml/,
        ],
        "a file ending in .YML": [
            (dir) => fs.writeFileSync(path.join(dir, "b.YML"), A),
            /^tenants\/b\.YML: tenant files end in \.yaml/,
        ],
        "a directory named b.yml": [
            (dir) => fs.mkdirSync(path.join(dir, "b.yml")),
            /^tenants\/b\.yml: tenant files end in \.yaml/,
        ],
        "a file name with a line break": [
            (dir) => fs.writeFileSync(path.join(dir, "b\nc.yaml"), A),
            /^tenants\/"b\\nc\.yaml": the file name has a character/,
        ],
        "a file name with a direction override": [
            (dir) => fs.writeFileSync(path.join(dir, "b\u202ec.yaml"), A),
            /^tenants\/"b\\u202ec\.yaml": the file name/,
        ],
    };
    for (const [label, [arrange, message]] of Object.entries(refused)) {
        it(`refuses ${label}, naming the file`, () => {
            const problems = loadProblems(arrange);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], message);
        });
    }

    it("refuses a symbolic link to /dev/zero at once, without reading it", function () {
        this.timeout(2000);
        const problems = loadProblems((dir) =>
            fs.symlinkSync("/dev/zero", path.join(dir, "b.yaml")),
        );
        assert.deepEqual(problems, [
            "tenants/b.yaml: is a symbolic link, not a regular file; a tenant file must be a plain file in tenants/ (links are not followed)",
        ]);
    });

    it("refuses a FIFO at once, without opening it", function () {
        this.timeout(2000);
        const problems = loadProblems((dir) => execFileSync("mkfifo", [path.join(dir, "b.yaml")]));
        assert.deepEqual(problems, [
            "tenants/b.yaml: is a named pipe (FIFO), not a regular file; a tenant file must be a plain file in tenants/ (links are not followed)",
        ]);
    });

    it("refuses a file over the size limit from its size, and a sparse 1 GB file at once", function () {
        this.timeout(2000);
        const problems = loadProblems((dir) => {
            fs.writeFileSync(path.join(dir, "b.yaml"), "x".repeat(70_000));
            fs.closeSync(fs.openSync(path.join(dir, "c.yaml"), "w"));
            fs.truncateSync(path.join(dir, "c.yaml"), 1024 ** 3);
        });
        assert.deepEqual(problems, [
            "tenants/b.yaml: the file is 70000 bytes, over the 65536-byte limit of a tenant file",
            `tenants/c.yaml: the file is ${1024 ** 3} bytes, over the 65536-byte limit of a tenant file`,
        ]);
    });

    it("reports every bad entry at once, next to a valid file", () => {
        const problems = loadProblems((dir) => {
            fs.mkdirSync(path.join(dir, "b.yaml"));
            fs.writeFileSync(path.join(dir, "c.yml"), A);
            fs.symlinkSync("/dev/zero", path.join(dir, "d.yaml"));
        });
        assert.deepEqual(
            problems.map((problem) => problem.split(":")[0]),
            ["tenants/b.yaml", "tenants/c.yml", "tenants/d.yaml"],
        );
    });

    it("still ignores files that are not tenant-like (the schema, a README)", () => {
        assert.deepEqual(
            loadProblems((dir) => {
                fs.writeFileSync(path.join(dir, "tenant.schema.json"), "{}");
                fs.writeFileSync(path.join(dir, "README.md"), "notes");
            }),
            [],
        );
    });
});

describe("tenant file text: nothing from the file is echoed", () => {
    const MARK = "SECRETMARK-7f3a";
    const hostile: Record<string, string> = {
        "an unknown tag": `${VALID}image: !<tag:${MARK}> x\n`,
        "a local tag": `${VALID}image: !${MARK} x\n`,
        "an unknown alias": `${VALID}domain: *${MARK}\n`,
        "an unterminated quote": `name: school1\ndisplayName: "${MARK}\n`,
        "a duplicated key": `${VALID}displayName: ${MARK}\n`,
        "bad indentation": `name: school1\ndisplayName: ${MARK}: x: y\n`,
        "a non-printable byte": `name: school1\nplan: small\ndisplayName: x\u0001${MARK}\n`,
        "a tab in indentation": `name: school1\naws:\n\tshard: ${MARK}\n`,
        "an explicit int tag": `${VALID}aws: { shard: !!int ${MARK} }\n`,
        "a document that is only a string": `${MARK}\n`,
        "a pasted token": `${MARK}-${"a".repeat(40)}\n`,
        "an unclosed flow list": `name: [${MARK}\n`,
    };
    for (const [label, content] of Object.entries(hostile)) {
        it(`does not quote the file on ${label}`, () => {
            const { tenant, problems } = parseTenantFile("tenants/school1.yaml", content);
            assert.equal(tenant, undefined);
            assert.ok(problems.length > 0);
            for (const problem of problems) {
                assert.ok(problem.startsWith("tenants/school1.yaml: "), problem);
                assert.doesNotMatch(problem, new RegExp(MARK), problem);
                assert.doesNotMatch(problem, /\n/, problem);
            }
        });
    }
});

describe("tenant file text: unreadable characters and blank names", () => {
    const unreadable: Record<string, [string, string]> = {
        "a line feed in displayName": ["displayName", '"School\\nOne"'],
        "a carriage return in displayName": ["displayName", '"School\\rOne"'],
        "a NUL in displayName": ["displayName", '"School\\0One"'],
        "an ANSI escape in displayName": ["displayName", '"\\e[31mSchool"'],
        "a tab in displayName": ["displayName", '"School\\tOne"'],
        "a right-to-left override in displayName": ["displayName", '"School\\u202eenO"'],
        "a line separator in displayName": ["displayName", '"School\\u2028One"'],
        "a C1 control in displayName": ["displayName", '"School\\x85One"'],
        "a trailing newline in the domain": ["domain", '"portal.school1.example.org\\n"'],
        "a NUL in the name": ["name", '"school1\\0"'],
        "a line feed in the image tag": ["image.tag", '"2.3.1\\nlatest"'],
    };
    for (const [label, [field, value]] of Object.entries(unreadable)) {
        it(`refuses ${label} with one message naming the field`, () => {
            const doc = {
                name: "school1",
                displayName: '"School One"',
                plan: "standard",
            } as Record<string, string>;
            const lines = Object.entries({
                ...doc,
                ...(field === "image.tag" ? {} : { [field]: value }),
            }).map(([key, item]) => `${key}: ${item}`);
            if (field === "image.tag") lines.push(`image: { tag: ${value} }`);
            const { problems } = parseTenantFile("tenants/school1.yaml", `${lines.join("\n")}\n`);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0],
                new RegExp(
                    `^tenants/school1\\.yaml: ${field.replace(".", "\\.")}: must not contain control characters, line breaks or text-direction marks \\(found U\\+[0-9A-F]{4} at character \\d+\\)$`,
                ),
            );
        });
    }

    for (const blank of ['" "', '"   "', '"\\u3000"', '"\\u00a0"']) {
        it(`refuses the blank displayName ${blank}`, () => {
            const { problems } = parseTenantFile(
                "tenants/school1.yaml",
                `name: school1\ndisplayName: ${blank}\nplan: small\n`,
            );
            assert.deepEqual(
                problems.map((problem) => problem.replace(/ \(got .*\)$/, "")),
                [
                    "tenants/school1.yaml: displayName: must not be blank: the name of the school as people read it",
                ],
            );
        });
    }

    for (const good of [
        "School One",
        "École Saint-Jean",
        "Ōtāhuhu College",
        "学校",
        "St. Mary's (Junior)",
    ]) {
        it(`accepts the displayName ${JSON.stringify(good)}`, () => {
            assert.deepEqual(
                parseTenantFile(
                    "tenants/school1.yaml",
                    `name: school1\ndisplayName: ${JSON.stringify(good)}\nplan: small\n`,
                ).problems,
                [],
            );
        });
    }

    it("shows a hostile value escaped and on one line", () => {
        const { problems } = parseTenantFile(
            "tenants/school1.yaml",
            `${VALID}plan: "\\e]0;x\\u0007huge"\n`.replace("plan: standard\n", ""),
        );
        assert.equal(problems.length, 1, problems.join("\n"));
        // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
        assert.doesNotMatch(problems[0], /[\x00-\x1f\x7f]/);
    });
});

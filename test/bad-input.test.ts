/**
 * Generated bad input: many malformed tenant files and stack configs. For each, the program must
 * stop with a message naming the file (and the field, where there is one) and register nothing.
 * The generator is seeded, so a failure is reproducible.
 */
import { strict as assert } from "node:assert";
import * as yaml from "js-yaml";
import { ValidationError } from "../components/support/errors";
import { parseTenantFile } from "../components/tenant-files/registry";
import { readStackSettings } from "../components/stack/settings";
import { configSource } from "../components/stack/stack-file";
import { copyProject } from "./support/project";
import { spec, stackConfig, startMocks } from "./support/mocks";
import { loadProgram } from "../scripts/lib/program";

/** mulberry32: a small deterministic PRNG. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const FIELDS = [
    "name",
    "displayName",
    "environments",
    "plan",
    "status",
    "platform",
    "domain",
    "image",
    "aws",
];
const HOSTILE_NAMES = [
    "../x",
    "a--b",
    "a".repeat(64),
    "a".repeat(54),
    "sch\u043e\u043el1",
    "\uff53chool1",
    "School1",
    "school1 ",
    " school1",
    "-a",
    "a-",
    "1a",
    "a_b",
    "a.b",
    "",
    "x\u0000y",
    "\u202eschool1",
    "kube-x",
    "www",
    "api",
    "null",
    "~",
    "a/b",
];

function badValue(next: () => number): unknown {
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    return pick<unknown>([
        null,
        true,
        0,
        -1,
        1.5,
        1e9,
        "",
        " ",
        "huge",
        "x".repeat(300),
        [],
        [1, 2],
        ["dev", "dev"],
        ["staging"],
        {},
        { tag: 5 },
        { listenerPriority: -1 },
        { shard: "0" },
        { unknown: 1 },
        pick(HOSTILE_NAMES),
    ]);
}

const VALID_DOC = { name: "school1", displayName: "School One", plan: "standard" };

/** Bad documents, each with a reason; every one must be rejected. */
function generatedTenantFiles(count: number): Array<{ label: string; content: string }> {
    const next = random(20261123);
    const cases: Array<{ label: string; content: string }> = [];
    for (const name of HOSTILE_NAMES) {
        cases.push({
            label: `hostile name ${JSON.stringify(name)}`,
            content: yaml.dump({ ...VALID_DOC, name }),
        });
    }
    while (cases.length < count) {
        const doc: Record<string, unknown> = { ...VALID_DOC };
        const field = FIELDS[Math.floor(next() * FIELDS.length)];
        const value = badValue(next);
        const invalidForField = !(
            field === "displayName" &&
            typeof value === "string" &&
            value.trim() !== "" &&
            value.length <= 100
        );
        if (!invalidForField) continue;
        doc[field] = value;
        if (next() < 0.2) doc[`extra${Math.floor(next() * 10)}`] = 1;
        cases.push({
            label: `${field}: ${JSON.stringify(value)?.slice(0, 40)}`,
            content: yaml.dump(doc),
        });
    }
    const garbage = random(7);
    for (let i = 0; i < 20; i++) {
        const bytes = Array.from({ length: 1 + Math.floor(garbage() * 200) }, () =>
            String.fromCharCode(Math.floor(garbage() * 128)),
        );
        cases.push({ label: `random text #${i}`, content: `name: [${bytes.join("")}` });
    }
    cases.push({
        label: "a huge file",
        content: `${yaml.dump(VALID_DOC)}displayName2: ${"x".repeat(70_000)}\n`,
    });
    cases.push({ label: "only a list", content: "- name: school1\n" });
    cases.push({ label: "tabs and anchors", content: "name: &n school1\n\tdisplayName: *n\n" });
    return cases;
}

describe("bad input: generated tenant files", () => {
    const cases = generatedTenantFiles(150);

    it(`rejects every one of ${cases.length} malformed tenant files, naming the file and the field`, () => {
        const file = "tenants/school1.yaml";
        for (const { label, content } of cases) {
            const { tenant: parsed, problems } = parseTenantFile(file, content);
            assert.equal(parsed, undefined, `accepted: ${label}`);
            assert.ok(problems.length > 0, `no problem for: ${label}`);
            for (const problem of problems) {
                assert.ok(problem.startsWith(`${file}: `), `${label}: ${problem}`);
                const rest = problem.slice(file.length + 2);
                const namesField = /^[a-zA-Z0-9.[\]]+: /.test(rest);
                const fileLevel =
                    /^(not valid YAML|the file is|must be a mapping|the document has)/.test(rest);
                assert.ok(
                    namesField || fileLevel,
                    `${label}: neither a field nor a file-level message: ${problem}`,
                );
            }
        }
    });

    it("stops the program on a handful of them with no resource registered", async () => {
        for (const { label, content } of cases.filter((_, i) => i % 40 === 0)) {
            const project = copyProject({ "school1.yaml": content });
            try {
                const mocks = startMocks("dev");
                const program = loadProgram(project.dir);
                await assert.rejects(program(), ValidationError, label);
                await mocks.settled();
                assert.deepEqual(mocks.resources, [], label);
            } finally {
                project.remove();
            }
        }
    });

    it("makes `tenant validate` exit 1 and name every bad file", () => {
        const files = Object.fromEntries(
            cases.slice(0, 30).map(({ content }, i) => [`t${i}.yaml`, content]),
        );
        const project = copyProject(files);
        try {
            const result = project.run("tenant", "validate");
            assert.equal(result.status, 1);
            for (const file of Object.keys(files)) {
                assert.match(
                    result.stderr,
                    new RegExp(`^tenants/${file.replace(".", "\\.")}: `, "m"),
                    file,
                );
            }
        } finally {
            project.remove();
        }
    });
});

describe("bad input: generated stack configs", () => {
    const KEYS = [
        "aims:environment",
        "aims:platform",
        "aims:baseDomain",
        "aims:protectData",
        "aims:images",
        "aims:database",
        "aims:kubernetes",
        "aims:aws",
    ];
    const tenants = [spec({ name: "school1" }), spec({ name: "greenfield", platform: "aws" })];

    it("rejects each of 120 corrupted stack configs, naming the stack file and the key", () => {
        startMocks("dev");
        const next = random(42);
        let rejected = 0;
        for (let i = 0; i < 120; i++) {
            const key = KEYS[Math.floor(next() * KEYS.length)];
            const value = badValue(next);
            try {
                readStackSettings(
                    configSource(stackConfig("dev", { [key]: value === null ? undefined : value })),
                    "dev",
                    tenants,
                );
            } catch (err) {
                assert.ok(err instanceof ValidationError, String(err));
                for (const problem of err.problems) {
                    assert.match(
                        problem,
                        /^Pulumi\.dev\.yaml: aims:[a-zA-Z]+[a-zA-Z0-9.[\]]*: /,
                        problem,
                    );
                }
                rejected++;
                continue;
            }
            // Accepted only when the value is a legitimate spelling of a default or an allowed value.
            const defaulted =
                ["aims:environment", "aims:platform", "aims:protectData"].includes(key) &&
                value === null;
            assert.ok(defaulted, `accepted ${key} = ${JSON.stringify(value)}`);
        }
        assert.ok(rejected > 100, `only ${rejected} rejected`);
    });
});

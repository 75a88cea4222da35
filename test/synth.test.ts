import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { SECRET_PLACEHOLDER } from "../components/stack/stack-file";
import { copyProject, ProjectCopy } from "./support/project";

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((entry) => fs.statSync(path.join(dir, entry)).isFile());
}

describe("npm run synth", () => {
    let project: ProjectCopy;
    before(() => (project = copyProject()));
    after(() => project.remove());

    const enabled: Record<string, string[]> = {
        dev: ["greenfield", "school1"],
        sit: ["greenfield", "riverside-high", "school1"],
        prod: ["riverside-high", "school1"],
    };
    for (const [stack, tenants] of Object.entries(enabled)) {
        it(`writes one folder per tenant enabled in ${stack}, and prints the table`, () => {
            const result = project.run("synth", "--stack", stack);
            assert.equal(result.status, 0, result.stderr);
            const out = path.join(project.dir, "out", stack);
            const folders = fs
                .readdirSync(out)
                .filter((entry) => !entry.startsWith(".") && entry !== "_stack")
                .sort();
            assert.deepEqual(folders, tenants);
            for (const tenant of tenants) {
                assert.match(
                    result.stdout,
                    new RegExp(`^${tenant}\\s+${stack}\\s+(kubernetes|aws)\\s+active`, "m"),
                );
                const role = JSON.parse(
                    fs.readFileSync(
                        path.join(out, tenant, `postgresql-Role-${tenant}-db-role.json`),
                        "utf8",
                    ),
                );
                assert.deepEqual(Object.keys(role), ["type", "name", "inputs", "options"]);
                assert.equal(role.type, "postgresql:index/role:Role");
                assert.equal(role.inputs.name, `tenant_${tenant.replace(/-/g, "_")}`);
                assert.equal(role.inputs.password, "[secret]");
                assert.deepEqual(role.options, {
                    protect: stack === "prod",
                    retainOnDelete: stack === "prod",
                });
            }
            const outputs = JSON.parse(
                fs.readFileSync(path.join(out, "_stack", "outputs.json"), "utf8"),
            );
            assert.deepEqual(
                outputs.tenants.map((t: { name: string }) => t.name),
                tenants,
            );
        });
    }

    it("writes Kubernetes objects as manifests and everything else as JSON, with no secret value anywhere", () => {
        const out = path.join(project.dir, "out", "sit");
        const files = filesUnder(out);
        assert.ok(files.length > 10, files.join(", "));
        for (const file of files) {
            const text = fs.readFileSync(path.join(out, file), "utf8");
            assert.doesNotMatch(text, /mock-[0-9a-f]{8}/, `${file} holds a generated secret`);
            assert.ok(!text.includes(SECRET_PLACEHOLDER), `${file} holds the config secret`);
            if (file.endsWith(".json")) {
                const record = JSON.parse(text);
                if (!file.endsWith("outputs.json"))
                    assert.ok(record.type && record.name && record.inputs, file);
            } else if (file.endsWith(".yaml") && !file.startsWith(".")) {
                for (const doc of yaml.loadAll(text) as Array<Record<string, unknown> | null>) {
                    if (doc) assert.ok(doc.apiVersion && doc.kind && doc.metadata, file);
                }
            }
        }
    });

    it("fails with the validation messages, and writes nothing, when a tenant file is invalid", () => {
        const broken = copyProject({
            "school1.yaml": "name: school1\ndisplayName: S\nplan: huge\n",
        });
        try {
            const result = broken.run("synth", "--stack", "dev");
            assert.equal(result.status, 1);
            assert.match(
                result.stderr,
                /^tenants\/school1\.yaml: plan: must be one of small, standard, large \(got "huge"\)$/m,
            );
            assert.equal(fs.existsSync(path.join(broken.dir, "out")), false);
        } finally {
            broken.remove();
        }
    });

    it("refuses an unknown stack, a missing --stack, and a non-synth --out folder", () => {
        assert.match(
            project.run("synth", "--stack", "qa").stderr,
            /Pulumi\.qa\.yaml: no such stack file; stacks: dev, prod, sit/,
        );
        const missing = project.run("synth");
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /usage: npm run synth -- --stack STACK/);
        const result = project.run("synth", "--stack", "dev", "--out", "components");
        assert.equal(result.status, 1);
        assert.match(result.stderr, /is not empty and was not written by synth/);
    });
});

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ValidationError } from "../components/support/errors";
import { discoverStacks, stackGroups } from "../scripts/lib/stack-groups";
import { copyProject, ProjectCopy } from "./support/project";

/** A shard stack file: only what discovery reads. */
const shardFile = (environment: string, shard: number) =>
    `config:\n  aims:environment: ${environment}\n  aims:stackShard: ${shard}\n`;

describe("stack discovery (npm run stacks)", () => {
    let project: ProjectCopy;
    beforeEach(() => (project = copyProject({})));
    afterEach(() => project.remove());
    const write = (file: string, text: string) =>
        fs.writeFileSync(path.join(project.dir, file), text);
    const problemsOf = (): string[] => {
        try {
            discoverStacks(project.dir);
        } catch (err) {
            if (err instanceof ValidationError) return [...err.problems];
            throw err;
        }
        assert.fail("discoverStacks accepted the project");
    };

    it("finds the project's stacks, in the order dev, sit, prod", () => {
        assert.deepEqual(stackGroups(discoverStacks(project.dir)), {
            dev: ["dev"],
            sit: ["sit"],
            prod: ["prod"],
            all: ["dev", "sit", "prod"],
            environmentOf: { dev: "dev", sit: "sit", prod: "prod" },
        });
    });

    it("orders shard stacks by shard number, not by name, each in its environment", () => {
        write("Pulumi.prod-10.yaml", shardFile("prod", 10));
        write("Pulumi.prod-2.yaml", shardFile("prod", 2));
        write("Pulumi.dev-b.yaml", shardFile("dev", 2));
        const groups = stackGroups(discoverStacks(project.dir));
        assert.deepEqual(groups.dev, ["dev", "dev-b"]);
        assert.deepEqual(groups.prod, ["prod", "prod-2", "prod-10"]);
        assert.deepEqual(groups.all, ["dev", "dev-b", "sit", "prod", "prod-2", "prod-10"]);
        assert.equal(groups.environmentOf["prod-10"], "prod");
    });

    it("takes the stack name as the environment when aims:environment is not set", () => {
        const sit = fs.readFileSync(path.join(project.dir, "Pulumi.sit.yaml"), "utf8");
        write("Pulumi.sit.yaml", sit.replace(/^ {2}aims:environment: sit\n/m, ""));
        assert.deepEqual(stackGroups(discoverStacks(project.dir)).sit, ["sit"]);
    });

    it("an empty environment is an empty list, not an error", () => {
        fs.rmSync(path.join(project.dir, "Pulumi.sit.yaml"));
        const groups = stackGroups(discoverStacks(project.dir));
        assert.deepEqual(groups.sit, []);
        assert.deepEqual(groups.all, ["dev", "prod"]);
    });

    it("refuses a stack file whose environment is not dev, sit or prod, naming the file", () => {
        write("Pulumi.prod-2.yaml", shardFile("production", 2));
        write("Pulumi.qa.yaml", "config:\n  aims:platform: kubernetes\n");
        assert.deepEqual(problemsOf(), [
            'Pulumi.prod-2.yaml: aims:environment: must be one of dev, sit, prod (got "production")',
            'Pulumi.qa.yaml: aims:environment: not set, and the stack name "qa" is not an environment; set it to one of dev, sit, prod',
        ]);
    });

    it("refuses a stack file it cannot read instead of leaving the stack out", () => {
        write("Pulumi.prod-2.yaml", "config:\n  aims:environment: [prod\n");
        write("Pulumi.prod-3.yaml", "# nothing here yet\n");
        const problems = problemsOf();
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.match(problems[0], /^Pulumi\.prod-2\.yaml: is not valid YAML: /);
        assert.match(problems[1], /^Pulumi\.prod-3\.yaml: has no config: mapping/);
    });

    it("refuses a stack name the workflows could not use", () => {
        write("Pulumi.prod 2.yaml", shardFile("prod", 2));
        assert.deepEqual(problemsOf(), [
            'Pulumi.prod 2.yaml: the stack name "prod 2" may only hold letters, digits, "-", "_" and ".", starting with a letter or digit',
        ]);
    });

    describe("the command", () => {
        it("prints a table by default and one line of JSON with --json", () => {
            write("Pulumi.prod-2.yaml", shardFile("prod", 2));
            const table = project.run("stacks");
            assert.equal(table.status, 0, table.stderr);
            assert.deepEqual(table.stdout.trimEnd().split("\n"), [
                "ENVIRONMENT  SHARD  STACK   FILE",
                "dev          1      dev     Pulumi.dev.yaml",
                "sit          1      sit     Pulumi.sit.yaml",
                "prod         1      prod    Pulumi.prod.yaml",
                "prod         2      prod-2  Pulumi.prod-2.yaml",
            ]);
            const json = project.run("stacks", "--json");
            assert.equal(json.status, 0, json.stderr);
            assert.equal(json.stdout.split("\n").length, 2, "one line");
            assert.deepEqual(JSON.parse(json.stdout), {
                dev: ["dev"],
                sit: ["sit"],
                prod: ["prod", "prod-2"],
                all: ["dev", "sit", "prod", "prod-2"],
                environmentOf: { dev: "dev", sit: "sit", prod: "prod", "prod-2": "prod" },
            });
        });

        it("fails with the file and field of a bad stack file, printing no JSON", () => {
            write("Pulumi.prod-2.yaml", shardFile("qa", 2));
            const result = project.run("stacks", "--json");
            assert.equal(result.status, 1);
            assert.equal(result.stdout, "");
            assert.match(
                result.stderr,
                /^Pulumi\.prod-2\.yaml: aims:environment: must be one of dev, sit, prod \(got "qa"\)$/m,
            );
        });

        it("rejects arguments it does not know", () => {
            const result = project.run("stacks", "prod");
            assert.equal(result.status, 1);
            assert.match(result.stderr, /^unexpected arguments: prod$/m);
        });
    });
});

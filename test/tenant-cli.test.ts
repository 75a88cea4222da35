import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadTenants } from "../components/tenant-files/registry";
import { copyProject, ProjectCopy } from "./support/project";

describe("npm run tenant", () => {
    let project: ProjectCopy;
    beforeEach(() => (project = copyProject()));
    afterEach(() => project.remove());
    const tenantFile = (name: string) => path.join(project.dir, "tenants", `${name}.yaml`);

    it("validate: accepts the tenants and every stack, saying what each deploys", () => {
        const result = project.run("tenant", "validate");
        assert.equal(result.status, 0, result.stderr);
        assert.match(
            result.stdout,
            /3 tenant files are valid: greenfield, riverside-high, school1/,
        );
        assert.match(result.stdout, /Pulumi\.prod\.yaml: valid; deploys 2 tenants to prod/);
    });

    it("validate: fails with the file and field of every problem", () => {
        fs.writeFileSync(
            tenantFile("school1"),
            "name: school1\ndisplayName: S\nplan: huge\ncolour: red\n",
        );
        const result = project.run("tenant", "validate");
        assert.equal(result.status, 1);
        assert.match(
            result.stderr,
            /^tenants\/school1\.yaml: plan: must be one of small, standard, large \(got "huge"\)$/m,
        );
        assert.match(result.stderr, /^tenants\/school1\.yaml: colour: unknown field/m);
    });

    it("list: shows the tenants of one environment, and rejects an unknown one", () => {
        const result = project.run("tenant", "list", "--env", "prod");
        assert.equal(result.status, 0, result.stderr);
        const names = result.stdout
            .trim()
            .split("\n")
            .slice(1)
            .map((line) => line.split(/\s+/)[0]);
        assert.deepEqual(names, ["riverside-high", "school1"]);
        const bad = project.run("tenant", "list", "--env", "qa");
        assert.equal(bad.status, 1);
        assert.match(bad.stderr, /--env: must be one of dev, sit, prod \(got "qa"\)/);
    });

    it("add: writes a valid tenant file with the options given", () => {
        const result = project.run(
            "tenant",
            "add",
            "hillcrest",
            "--plan",
            "small",
            "--env",
            "dev,sit",
            "--display-name",
            "Hillcrest College",
            "--school-id",
            "2042",
        );
        assert.equal(result.status, 0, result.stderr);
        const added = loadTenants(path.join(project.dir, "tenants")).find(
            (t) => t.name === "hillcrest",
        );
        assert.deepEqual(added, {
            name: "hillcrest",
            displayName: "Hillcrest College",
            environments: ["dev", "sit"],
            plan: "small",
            status: "active",
            schoolId: "2042",
            file: "tenants/hillcrest.yaml",
        });
        assert.match(
            fs.readFileSync(tenantFile("hillcrest"), "utf8"),
            /^# yaml-language-server: \$schema=\.\.\/schema\/tenant\.schema\.json$/m,
        );
    });

    it("add: never overwrites an existing tenant", () => {
        const before = fs.readFileSync(tenantFile("school1"), "utf8");
        const result = project.run("tenant", "add", "school1", "--plan", "large");
        assert.equal(result.status, 1);
        assert.match(result.stderr, /tenants\/school1\.yaml: already exists/);
        assert.equal(fs.readFileSync(tenantFile("school1"), "utf8"), before);
    });

    it("add: refuses an invalid tenant and writes nothing", () => {
        for (const args of [
            ["admin"],
            ["hillcrest", "--plan", "huge"],
            ["hillcrest", "--env", "dev,qa"],
            ["../escape"],
        ]) {
            const result = project.run("tenant", "add", ...args);
            assert.equal(result.status, 1, args.join(" "));
            assert.match(result.stderr, /^tenants\/.*\.yaml: /m);
        }
        assert.deepEqual(fs.readdirSync(path.join(project.dir, "tenants")).sort(), [
            "greenfield.yaml",
            "riverside-high.yaml",
            "school1.yaml",
        ]);
    });

    it("remove: deletes the file and says what each stack will remove", () => {
        const result = project.run("tenant", "remove", "riverside-high");
        assert.equal(result.status, 0, result.stderr);
        assert.equal(fs.existsSync(tenantFile("riverside-high")), false);
        assert.match(result.stdout, /dev: nothing \(the tenant is not enabled there\)/);
        assert.match(
            result.stdout,
            /sit: riverside-high in sit \(aws\): deletes .*database tenant_riverside_high and its role are dropped/,
        );
        assert.match(
            result.stdout,
            /prod: riverside-high in prod \(aws\): deletes .*kept on the server \(retainOnDelete\).*protected/,
        );
        assert.match(
            result.stdout,
            /Note: riverside-high is active, so no offboarding backup of its database was taken: .*aims:forceTenantRemoval/,
        );
    });

    it("remove: refuses an unknown tenant and a path", () => {
        assert.match(
            project.run("tenant", "remove", "nope").stderr,
            /tenants\/nope\.yaml: no such tenant file/,
        );
        const escape = project.run("tenant", "remove", "../Pulumi.dev");
        assert.equal(escape.status, 1);
        assert.ok(fs.existsSync(path.join(project.dir, "Pulumi.dev.yaml")));
    });

    it("rejects an unknown command with the usage", () => {
        const result = project.run("tenant", "frobnicate");
        assert.equal(result.status, 1);
        assert.match(result.stderr, /unknown command "frobnicate"\nusage:/);
    });
});

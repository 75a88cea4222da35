import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
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

    describe("shard stacks", () => {
        const SHARD_LISTENER =
            "arn:aws:elasticloadbalancing:af-south-1:222222222222:listener/app/aims-prod-2/60dc6c495c0c9183/a2f7dc8efc522ab3";

        /** Pulumi.prod-<shard>.yaml: prod's config, as shard `shard`, on a load balancer of its own. */
        function addShardStack(shard: number, extra: Record<string, unknown> = {}): void {
            const prod = yaml.load(
                fs.readFileSync(path.join(project.dir, "Pulumi.prod.yaml"), "utf8"),
            ) as { config: Record<string, unknown> };
            const aws = prod.config["aims:aws"] as { listeners: { arn: string }[] };
            const config = {
                ...prod.config,
                "aims:stackShard": shard,
                "aims:aws": {
                    ...aws,
                    listeners: [{ arn: SHARD_LISTENER.replace("prod-2", `prod-${shard}`) }],
                },
                ...extra,
            };
            fs.writeFileSync(
                path.join(project.dir, `Pulumi.prod-${shard}.yaml`),
                yaml.dump({ config }),
            );
        }
        const stackShardOf = (name: string) =>
            loadTenants(path.join(project.dir, "tenants")).find((t) => t.name === name)?.stackShard;

        it("add: puts each new tenant on the least-loaded shard of each split environment, in its file", () => {
            addShardStack(2); // prod: riverside-high and school1 on shard 1, none on shard 2
            const added = ["hillcrest", "lakeside", "meadow"].map((name) => {
                const result = project.run("tenant", "add", name, "--school-id", "7");
                assert.equal(result.status, 0, result.stderr);
                return stackShardOf(name);
            });
            assert.deepEqual(added, [{ prod: 2 }, { prod: 2 }, { prod: 1 }]);
            assert.match(
                fs.readFileSync(tenantFile("hillcrest"), "utf8"),
                /^stackShard: \{prod: 2\}$/m,
            );
            const validate = project.run("tenant", "validate");
            assert.equal(validate.status, 0, validate.stderr);
            assert.match(
                validate.stdout,
                /Pulumi\.prod\.yaml: valid; deploys 3 tenants to prod, shard 1 \(limit 50\)/,
            );
            assert.match(
                validate.stdout,
                /Pulumi\.prod-2\.yaml: valid; deploys 2 tenants to prod, shard 2 \(limit 50\)/,
            );
        });

        it("add: names no shard where an environment has one stack", () => {
            const result = project.run("tenant", "add", "hillcrest", "--school-id", "7");
            assert.equal(result.status, 0, result.stderr);
            assert.equal(stackShardOf("hillcrest"), undefined);
        });

        it("add: refuses a tenant when every shard is full, and writes nothing", () => {
            addShardStack(2, { "aims:maxTenantsPerStack": 1 });
            assert.equal(project.run("tenant", "add", "hillcrest", "--school-id", "7").status, 0);
            const prod = path.join(project.dir, "Pulumi.prod.yaml");
            fs.writeFileSync(
                prod,
                `${fs.readFileSync(prod, "utf8")}  aims:maxTenantsPerStack: 2\n`,
            );
            const full = project.run("tenant", "add", "lakeside", "--school-id", "8");
            assert.equal(full.status, 1);
            assert.match(
                full.stderr,
                /^Pulumi\.prod-2\.yaml: aims:maxTenantsPerStack: the stack would deploy 2 tenants, more than its limit of 1\. Add a shard stack of prod/m,
            );
            assert.equal(fs.existsSync(tenantFile("lakeside")), false);
        });

        it("validate: refuses a shard without a stack, and two stacks of one shard", () => {
            fs.appendFileSync(tenantFile("school1"), "stackShard: {prod: 3}\n");
            addShardStack(2);
            fs.copyFileSync(
                path.join(project.dir, "Pulumi.prod-2.yaml"),
                path.join(project.dir, "Pulumi.prod-4.yaml"),
            );
            const result = project.run("tenant", "validate");
            assert.equal(result.status, 1);
            assert.match(
                result.stderr,
                /^tenants\/school1\.yaml: stackShard\.prod: no stack deploys shard 3 of prod; its shards are 1 \(Pulumi\.prod\.yaml\), 2 \(Pulumi\.prod-2\.yaml\)/m,
            );
            assert.match(
                result.stderr,
                /^Pulumi\.prod-4\.yaml: aims:stackShard: shard 2 of prod is also deployed by Pulumi\.prod-2\.yaml/m,
            );
            assert.match(
                result.stderr,
                /^Pulumi\.prod-4\.yaml: aims:aws\.listeners: \S+ is also a listener of Pulumi\.prod-2\.yaml/m,
            );
        });

        it("list: shows each tenant's stacks, and the tenants of one shard stack", () => {
            addShardStack(2);
            fs.appendFileSync(tenantFile("school1"), "stackShard: {prod: 2}\n");
            const all = project.run("tenant", "list");
            assert.equal(all.status, 0, all.stderr);
            assert.match(all.stdout, /^school1 .* dev,sit,prod-2$/m);
            assert.match(all.stdout, /^riverside-high .* sit,prod$/m);
            const shard = project.run("tenant", "list", "--stack", "prod-2");
            assert.equal(shard.status, 0, shard.stderr);
            assert.deepEqual(
                shard.stdout
                    .trim()
                    .split("\n")
                    .slice(1)
                    .map((line) => line.split(/\s+/)[0]),
                ["school1"],
            );
            assert.match(
                project.run("tenant", "list", "--stack", "prod-9").stderr,
                /--stack: no stack file Pulumi\.prod-9\.yaml; stacks: dev, sit, prod, prod-2/,
            );
            assert.match(
                project.run("tenant", "list", "--stack", "prod", "--env", "prod").stderr,
                /give one of them, not both/,
            );
        });
    });
});

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { readStackConfig } from "../components/stack/stack-file";
import { ValidationError } from "../components/support/errors";
import { TENANT_TYPE } from "../components/vocabulary/type-tokens";
import { copyProject, ProjectCopy } from "./support/project";
import { MockStack, startMocks, valueOf } from "./support/mocks";
import { loadProgram } from "../scripts/lib/program";

/** Runs the real index.ts of `project` under mocks configured like `stack`. */
async function runProgram(project: ProjectCopy, stack: string) {
    const mocks = startMocks(stack);
    const program = loadProgram(project.dir);
    const outputs = await program();
    await mocks.settled();
    return {
        mocks,
        tenants: (await valueOf(pulumi.output(outputs.tenants))) as Array<Record<string, unknown>>,
    };
}

describe("the program (index.ts)", () => {
    let project: ProjectCopy;
    afterEach(() => project?.remove());

    it("declares one Tenant per tenant enabled in the stack's environment", async () => {
        project = copyProject();
        const { mocks } = await runProgram(project, "dev");
        assert.deepEqual(
            mocks
                .ofType(TENANT_TYPE)
                .map((t) => t.name)
                .sort(),
            ["greenfield", "school1"],
        );
    });

    it("uses explicit providers built from the stack settings, never the default ones", async () => {
        project = copyProject();
        const { mocks } = await runProgram(project, "prod");
        const postgres = mocks.get("pulumi:providers:postgresql", "postgresql");
        assert.equal(postgres.inputs.host, "aims-prod.cluster-c1a2b3.af-south-1.rds.amazonaws.com");
        assert.equal(postgres.inputs.sslmode, "require");
        const role = mocks.get("postgresql:index/role:Role", "school1-db-role");
        assert.ok(role.provider?.startsWith(`${postgres.urn}::`), role.provider);
        assert.equal(mocks.get("pulumi:providers:aws", "aws").inputs.region, "af-south-1");
        const withoutExplicitProvider = mocks.resources
            // random and command (the one-shot AWS backup run) need no configuration: their default providers are fine.
            .filter(
                (r) =>
                    r.custom &&
                    !r.type.startsWith("pulumi:providers:") &&
                    !/^(random|command):/.test(r.type),
            )
            .filter((r) => !r.provider || r.provider.includes("::default"));
        assert.deepEqual(
            withoutExplicitProvider.map((r) => r.name),
            [],
        );
    });

    it("exports the deployed tenants with url and status and no secret", async () => {
        project = copyProject();
        const { tenants } = await runProgram(project, "prod");
        assert.deepEqual(
            tenants.map((t) => [t.name, t.url, t.status, t.platform]),
            [
                ["riverside-high", "https://portal.riverside-high.example.org", "active", "aws"],
                ["school1", "https://school1.aims.example.org", "active", "kubernetes"],
            ],
        );
        assert.deepEqual(
            tenants.map((t) => [t.namespace, t.serviceName]),
            [
                [undefined, "riverside-high"],
                ["school1", undefined],
            ],
        );
        assert.doesNotMatch(JSON.stringify(tenants), /mock-|offline-placeholder/);
    });

    const badTenantFiles: Record<string, [Record<string, string>, RegExp]> = {
        "an unknown plan": [
            { "school1.yaml": "name: school1\ndisplayName: S\nplan: huge\n" },
            /^tenants\/school1\.yaml: plan: must be one of/,
        ],
        "a name that is not a DNS label": [
            { "school_1.yaml": "name: school_1\ndisplayName: S\nplan: small\n" },
            /^tenants\/school_1\.yaml: name: must be a DNS label/,
        ],
        "malformed YAML": [
            { "school1.yaml": "name: [school1\n" },
            /^tenants\/school1\.yaml: not valid YAML/,
        ],
        "an empty file": [{ "school1.yaml": "" }, /^tenants\/school1\.yaml: the file is empty/],
        "an empty tenants folder": [{}, /^tenants\/: no tenant files/],
    };
    for (const [label, [files, message]] of Object.entries(badTenantFiles)) {
        it(`stops on ${label} before registering any resource`, async () => {
            const valid = { "greenfield.yaml": "name: greenfield\ndisplayName: G\nplan: small\n" };
            project = copyProject(Object.keys(files).length > 0 ? { ...valid, ...files } : {});
            const mocks = startMocks("dev");
            const program = loadProgram(project.dir);
            await assert.rejects(program(), (err: unknown) => {
                assert.ok(err instanceof ValidationError);
                assert.ok(
                    err.problems.some((p) => message.test(p)),
                    err.problems.join("\n"),
                );
                return true;
            });
            await mocks.settled();
            assert.deepEqual(mocks.resources, []);
        });
    }

    it("stops on invalid stack config before registering any resource", async () => {
        project = copyProject();
        const mocks = startMocks("dev", { "aims:baseDomain": undefined });
        const program = loadProgram(project.dir);
        await assert.rejects(program(), /Pulumi\.dev\.yaml: aims:baseDomain: is required/);
        await mocks.settled();
        assert.deepEqual(mocks.resources, []);
    });

    describe("shard stacks", () => {
        /** A copy of the project with Pulumi.prod-2.yaml (prod's config as shard 2, on a load balancer of its own) and `tenants` added. */
        function shardProject(
            tenants: Record<string, string>,
            extra: Record<string, unknown> = {},
        ): ProjectCopy {
            const copy = copyProject();
            for (const [file, content] of Object.entries(tenants))
                fs.writeFileSync(path.join(copy.dir, "tenants", file), content);
            const prod = yaml.load(
                fs.readFileSync(path.join(copy.dir, "Pulumi.prod.yaml"), "utf8"),
            ) as { config: Record<string, unknown> };
            const aws = prod.config["aims:aws"] as { listeners: { arn: string }[] };
            const listeners = [{ arn: aws.listeners[0].arn.replace("aims-prod/", "aims-prod-2/") }];
            const config = {
                ...prod.config,
                "aims:stackShard": 2,
                "aims:aws": { ...aws, listeners },
                ...extra,
            };
            fs.writeFileSync(path.join(copy.dir, "Pulumi.prod-2.yaml"), yaml.dump({ config }));
            return copy;
        }
        const startShardMocks = (copy: ProjectCopy) =>
            MockStack.start({ stack: "prod-2", ...readStackConfig(copy.dir, "prod-2") });
        const onShardTwo = (name: string, shard = 2) =>
            `name: ${name}\ndisplayName: ${name}\nschoolId: "9"\nplan: small\nstackShard: {prod: ${shard}}\n`;

        it("a shard stack declares only the tenants of its shard, on its own listener", async () => {
            project = shardProject({
                "hillcrest.yaml": onShardTwo("hillcrest"),
                "lakeside.yaml": `${onShardTwo("lakeside")}platform: aws\n`,
            });
            const mocks = startShardMocks(project);
            await loadProgram(project.dir)();
            await mocks.settled();
            assert.deepEqual(
                mocks
                    .ofType(TENANT_TYPE)
                    .map((t) => t.name)
                    .sort(),
                ["hillcrest", "lakeside"],
            );
            const rules = mocks.ofType("aws:lb/listenerRule:ListenerRule");
            assert.equal(rules.length, 2);
            for (const rule of rules)
                assert.match(String(rule.inputs.listenerArn), /aims-prod-2\//);
        });

        it("stops before any resource when the shard would pass its limit, or a tenant names a shard without a stack", async () => {
            for (const [tenants, extra, problem] of [
                [
                    {
                        "hillcrest.yaml": onShardTwo("hillcrest"),
                        "lakeside.yaml": onShardTwo("lakeside"),
                    },
                    { "aims:maxTenantsPerStack": 1 },
                    /^Pulumi\.prod-2\.yaml: aims:maxTenantsPerStack: the stack would deploy 2 tenants, more than its limit of 1/m,
                ],
                [
                    {
                        "hillcrest.yaml": onShardTwo("hillcrest"),
                        "lakeside.yaml": onShardTwo("lakeside", 3),
                    },
                    {},
                    /^tenants\/lakeside\.yaml: stackShard\.prod: no stack deploys shard 3 of prod/m,
                ],
            ] as const) {
                project?.remove();
                project = shardProject(tenants, extra);
                const mocks = startShardMocks(project);
                await assert.rejects(loadProgram(project.dir)(), (err: unknown) => {
                    assert.ok(err instanceof ValidationError, String(err));
                    assert.match(err.problems.join("\n"), problem);
                    return true;
                });
                await mocks.settled();
                assert.deepEqual(mocks.resources, []);
            }
        });
    });
});

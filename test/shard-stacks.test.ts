import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProjectStack, projectStacks } from "../components/stack/project-stacks";
import {
    deploys,
    leastLoadedShard,
    shardStackProblems,
    stackShardOf,
} from "../components/stack/shard-stacks";
import { spec } from "./support/mocks";

const LISTENER = "arn:aws:elasticloadbalancing:af-south-1:222222222222:listener/app/aims-prod/1/a";
const OTHER_LISTENER =
    "arn:aws:elasticloadbalancing:af-south-1:222222222222:listener/app/aims-prod-2/2/b";

const stack = (name: string, overrides: Partial<ProjectStack> = {}): ProjectStack => ({
    stack: name,
    file: `Pulumi.${name}.yaml`,
    environment: "prod",
    stackShard: 1,
    listenerArns: [],
    ...overrides,
});
const PROD = stack("prod", { listenerArns: [LISTENER] });
const PROD_2 = stack("prod-2", { stackShard: 2, listenerArns: [OTHER_LISTENER] });
const DEV = stack("dev", { environment: "dev" });

describe("shard stacks", () => {
    describe("which shard deploys a tenant", () => {
        it("is shard 1 of every environment the tenant names none for", () => {
            const tenant = spec({ name: "a", stackShard: { prod: 2 } });
            assert.equal(stackShardOf(tenant, "prod"), 2);
            assert.equal(stackShardOf(tenant, "dev"), 1);
            assert.equal(stackShardOf(spec({ name: "b" }), "prod"), 1);
        });

        it("is the stack of the tenant's environment and shard, and no other", () => {
            const onTwo = spec({
                name: "a",
                environments: ["dev", "prod"],
                stackShard: { prod: 2 },
            });
            assert.equal(deploys(PROD_2, onTwo), true);
            assert.equal(deploys(PROD, onTwo), false);
            assert.equal(deploys(DEV, onTwo), true);
            assert.equal(deploys(stack("sit", { environment: "sit" }), onTwo), false);
            assert.equal(deploys(stack("qa", { environment: undefined }), onTwo), false);
        });
    });

    describe("the layout across stack files", () => {
        it("accepts one stack per shard, listeners of their own, and tenants on existing shards", () => {
            const tenants = [spec({ name: "a" }), spec({ name: "b", stackShard: { prod: 2 } })];
            assert.deepEqual(shardStackProblems([DEV, PROD, PROD_2], tenants), []);
        });

        it("refuses two stacks of one environment deploying the same shard", () => {
            for (const [first, second] of [
                [PROD, stack("prod-2", { listenerArns: [OTHER_LISTENER] })], // shard 2 forgotten
                [stack("prod-2", { stackShard: 2 }), stack("prod-3", { stackShard: 2 })],
            ]) {
                assert.deepEqual(shardStackProblems([first, second], []), [
                    `${second.file}: aims:stackShard: shard ${second.stackShard} of prod is also deployed by ${first.file}; two stacks would create the same tenants: give this stack a shard number of its own`,
                ]);
            }
        });

        it("allows the same shard number in different environments", () => {
            assert.deepEqual(
                shardStackProblems([DEV, PROD, stack("sit", { environment: "sit" })], []),
                [],
            );
        });

        it("refuses two shard stacks of an environment sharing a listener", () => {
            const shared = stack("prod-2", {
                stackShard: 2,
                listenerArns: [OTHER_LISTENER, LISTENER],
            });
            const problems = shardStackProblems([PROD, shared], []);
            assert.equal(problems.length, 1);
            assert.match(
                problems[0],
                /^Pulumi\.prod-2\.yaml: aims:aws\.listeners: arn:\S+listener\/app\/aims-prod\/1\/a is also a listener of Pulumi\.prod\.yaml, another shard stack of prod; .*rule priorities/,
            );
            // Another environment may use it: its tenants' hosts differ, and so do its stacks' priorities.
            const devOnSame = stack("dev", { environment: "dev", listenerArns: [LISTENER] });
            assert.deepEqual(shardStackProblems([PROD, devOnSame], []), []);
        });

        it("refuses a tenant naming a shard no stack deploys, listing the shards there are", () => {
            for (const shard of [2, 3, 99]) {
                const tenant = spec({ name: "a", stackShard: { prod: shard } });
                const problems = shardStackProblems([PROD], [tenant]);
                assert.deepEqual(problems, [
                    `tenants/a.yaml: stackShard.prod: no stack deploys shard ${shard} of prod; its shards are 1 (Pulumi.prod.yaml). ` +
                        `Choose one of them, or add a stack file with aims:environment: prod and aims:stackShard: ${shard}`,
                ]);
            }
        });

        it("leaves out stack files without a valid environment: their own validation reports them", () => {
            const broken = stack("qa", { environment: undefined, listenerArns: [LISTENER] });
            assert.deepEqual(shardStackProblems([PROD, broken], []), []);
        });
    });

    describe("the least-loaded shard of a new tenant", () => {
        const withRoom = (limit: number) =>
            [PROD, PROD_2].map((stack) => ({ ...stack, maxTenantsPerStack: limit }));
        const onShard = (name: string, shard: number) =>
            spec({ name, environments: ["prod"], stackShard: { prod: shard } });

        it("is the shard with the fewest tenants of the environment", () => {
            const tenants = [onShard("a", 1), onShard("b", 1), onShard("c", 2)];
            assert.equal(leastLoadedShard(withRoom(50), tenants, "prod"), 2);
            const more = [...tenants, onShard("d", 2), onShard("e", 2)];
            assert.equal(leastLoadedShard(withRoom(50), more, "prod"), 1);
        });

        it("is the lowest shard among equals, and counts only the environment's tenants", () => {
            const devOnly = spec({ name: "d", environments: ["dev"] });
            assert.equal(leastLoadedShard(withRoom(50).reverse(), [devOnly, devOnly], "prod"), 1);
            assert.equal(
                leastLoadedShard(withRoom(50), [onShard("a", 1), onShard("b", 2)], "prod"),
                1,
            );
        });

        it("skips a full shard, and is the least loaded when every shard is full", () => {
            const tenants = [onShard("a", 1), onShard("b", 2), onShard("c", 2)];
            const [prod, prod2] = withRoom(50);
            const shards = [{ ...prod, maxTenantsPerStack: 1 }, prod2];
            assert.equal(leastLoadedShard(shards, tenants, "prod"), 2);
            assert.equal(leastLoadedShard(withRoom(1), tenants, "prod"), 1);
        });

        it("is none for an environment without a stack", () => {
            assert.equal(leastLoadedShard(withRoom(50), [], "sit"), undefined);
        });
    });

    describe("the stack files of a project", () => {
        let dir: string;
        beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-stacks-"))));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
        const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);

        it("reads environment, shard, base domain and listeners, with their defaults", () => {
            write("Pulumi.yaml", "name: aims\n");
            write("Pulumi.prod.yaml", "config:\n  aims:baseDomain: aims.example.org\n");
            write(
                "Pulumi.prod-2.yaml",
                `config:\n  aims:environment: prod\n  aims:stackShard: 2\n  aims:aws:\n    listeners:\n      - arn: ${LISTENER}\n`,
            );
            assert.deepEqual(projectStacks(dir), [
                {
                    stack: "prod",
                    file: "Pulumi.prod.yaml",
                    baseDomain: "aims.example.org",
                    environment: "prod",
                    stackShard: 1,
                    listenerArns: [],
                },
                {
                    stack: "prod-2",
                    file: "Pulumi.prod-2.yaml",
                    environment: "prod",
                    stackShard: 2,
                    listenerArns: [LISTENER],
                },
            ]);
        });

        it("gives no environment to a stack named otherwise, and skips a file that is not YAML", () => {
            write("Pulumi.qa.yaml", "config:\n  aims:stackShard: two\n");
            write("Pulumi.bad.yaml", "config: [unclosed\n");
            assert.deepEqual(projectStacks(dir), [
                { stack: "qa", file: "Pulumi.qa.yaml", stackShard: 1, listenerArns: [] },
            ]);
        });

        it("puts the running stack's settings in place of its file", () => {
            write("Pulumi.prod.yaml", "config:\n  aims:stackShard: 1\n");
            const running = stack("prod", { stackShard: 3 });
            assert.deepEqual(projectStacks(dir, running), [running]);
        });
    });
});

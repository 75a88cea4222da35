import { strict as assert } from "node:assert";
import { awsPlacementProblems, shardOf } from "../components/stack/aws-placement";
import { hashedListenerPriority, listenerPriority } from "../components/stack/aws-priority";
import { AwsSettings } from "../components/stack/aws";
import { ValidationError } from "../components/support/errors";
import type { TenantSpec } from "../components/tenant-files/registry";
import { AWS, awsSpec, deployAws } from "./support/aws";
import { settingsOf, startMocks } from "./support/mocks";
import { copyProject, ProjectCopy } from "./support/project";
import { loadProgram } from "../scripts/lib/program";

const listener = (loadBalancer: string, id: string) =>
    `arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/${loadBalancer}/${id}`;
const SHARD_0 = listener("aims-dev", "50dc6c495c0c9181/f2f7dc8efc522ab1");
const OTHER_LOAD_BALANCER = listener("aims-dev-2", "60dc6c495c0c9181/a2f7dc8efc522ab1");
const SAME_LOAD_BALANCER = listener("aims-dev", "50dc6c495c0c9181/b2f7dc8efc522ab1");

const tenant = (name: string, aws?: TenantSpec["aws"]): TenantSpec =>
    awsSpec({ name, ...(aws && { aws }) });
const many = (count: number, aws?: TenantSpec["aws"]) =>
    Array.from({ length: count }, (_, i) => tenant(`school${String(i).padStart(2, "0")}`, aws));

/** Two tenant names whose hashed priorities are equal (the first pair of school-<i>), in file order. */
function collidingNames(): [string, string] {
    const seen = new Map<number, string>();
    for (let i = 0; ; i++) {
        const name = `school-${i}`;
        const other = seen.get(hashedListenerPriority(name));
        if (other) return [other, name].sort() as [string, string];
        seen.set(hashedListenerPriority(name), name);
    }
}

describe("AWS placement: listener priorities, shards, load balancer capacity", () => {
    let aws: AwsSettings;
    const withListeners = (
        ...listeners: Array<Partial<AwsSettings["listeners"][number]> & { arn: string }>
    ): AwsSettings => ({
        ...aws,
        listeners: listeners.map((l) => ({
            reservedPriorities: [],
            reservedTargetGroups: 0,
            ...l,
        })),
    });
    const check = (tenants: TenantSpec[], settings = aws) =>
        awsPlacementProblems(tenants, settings, "Pulumi.dev.yaml");

    before(() => {
        startMocks("dev");
        aws = settingsOf("dev", []).aws!;
    });

    describe("priorities", () => {
        it("derives P from the tenant name alone: stable, even, from 100 to 49998", () => {
            const names = Array.from({ length: 500 }, (_, i) => `school-${i}`);
            for (const name of names) {
                const priority = hashedListenerPriority(name);
                assert.equal(priority, hashedListenerPriority(name));
                assert.ok(
                    priority >= 100 && priority <= 49998 && priority % 2 === 0,
                    `${name}: ${priority}`,
                );
            }
            assert.ok(
                new Set(names.map(hashedListenerPriority)).size > 490,
                "the hash spreads the names",
            );
        });

        it("lets an explicit aws.listenerPriority win over the hash", () => {
            assert.equal(listenerPriority(tenant("greenfield", { listenerPriority: 120 })), 120);
            assert.equal(
                listenerPriority(tenant("greenfield")),
                hashedListenerPriority("greenfield"),
            );
            assert.notEqual(hashedListenerPriority("greenfield"), 120);
        });

        it("keeps a tenant's rule priorities when other tenants are added or removed", async () => {
            const prioritiesOf = async (names: string[]) => {
                const { mocks } = await deployAws(
                    "dev",
                    names.map((name) => tenant(name)),
                );
                return Object.fromEntries(
                    mocks.ofType(AWS.listenerRule).map((rule) => [rule.name, rule.inputs.priority]),
                );
            };
            const alone = await prioritiesOf(["greenfield"]);
            const together = await prioritiesOf(["greenfield", "hillcrest", "oakwood"]);
            const without = await prioritiesOf(["hillcrest", "oakwood"]);
            const p = hashedListenerPriority("greenfield");
            assert.deepEqual(alone, { "greenfield-api-rule": p, "greenfield-web-rule": p + 1 });
            assert.equal(together["greenfield-api-rule"], p);
            assert.equal(together["greenfield-web-rule"], p + 1);
            assert.equal(without["hillcrest-api-rule"], together["hillcrest-api-rule"]);
            assert.equal(without["oakwood-web-rule"], together["oakwood-web-rule"]);
        });

        it("accepts tenants whose priorities do not meet, and the same priority on different shards", () => {
            assert.deepEqual(
                check([
                    tenant("a", { listenerPriority: 120 }),
                    tenant("b", { listenerPriority: 122 }),
                    tenant("c"),
                ]),
                [],
            );
            const twoShards = withListeners({ arn: SHARD_0 }, { arn: OTHER_LOAD_BALANCER });
            assert.deepEqual(
                check(
                    [
                        tenant("a", { listenerPriority: 120 }),
                        tenant("b", { listenerPriority: 120, shard: 1 }),
                    ],
                    twoShards,
                ),
                [],
            );
        });

        it("rejects two tenants with the same priority, naming both files and the next free number", () => {
            const problems = check([
                tenant("a", { listenerPriority: 120 }),
                tenant("b", { listenerPriority: 120 }),
            ]);
            assert.deepEqual(problems, [
                "tenants/b.yaml: aws.listenerPriority: tenant b needs listener rule priorities 120 and 121 (set in its file) on shard 0, " +
                    "but tenant a (tenants/a.yaml) already uses 120 and 121 there; " +
                    "set aws.listenerPriority: 122 in tenants/b.yaml (the next free number on shard 0), or change the priority in tenants/a.yaml",
            ]);
            assert.deepEqual(
                check([
                    tenant("a", { listenerPriority: 120 }),
                    tenant("b", { listenerPriority: 122 }),
                ]),
                [],
                "the suggested fix works",
            );
        });

        it("rejects priorities that overlap by one: each tenant takes P and P + 1", () => {
            const problems = check([
                tenant("a", { listenerPriority: 120 }),
                tenant("b", { listenerPriority: 121 }),
            ]);
            assert.equal(problems.length, 1);
            assert.match(
                problems[0],
                /^tenants\/b\.yaml: aws\.listenerPriority: tenant b needs listener rule priorities 121 and 122 .* tenant a \(tenants\/a\.yaml\) already uses 120 and 121 .* set aws\.listenerPriority: 122 in tenants\/b\.yaml/,
            );
        });

        it("rejects two names that hash to the same priority, and the suggested number resolves it", () => {
            const [first, second] = collidingNames();
            const p = hashedListenerPriority(first);
            const problems = check([tenant(first), tenant(second)]);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.ok(
                problems[0].startsWith(
                    `tenants/${second}.yaml: aws.listenerPriority: tenant ${second} needs listener rule priorities ${p} and ${p + 1} (derived from its name) on shard 0, but tenant ${first} (tenants/${first}.yaml)`,
                ),
                problems[0],
            );
            const suggested = Number(/set aws\.listenerPriority: (\d+)/.exec(problems[0])![1]);
            assert.deepEqual(
                check([tenant(first), tenant(second, { listenerPriority: suggested })]),
                [],
            );
        });

        it("lets an explicit priority keep its number against a hashed one, whatever the file order", () => {
            const p = hashedListenerPriority("alpha");
            const problems = check([tenant("alpha"), tenant("zeta", { listenerPriority: p })]);
            assert.equal(problems.length, 1);
            assert.match(
                problems[0],
                /^tenants\/alpha\.yaml: .*\(derived from its name\).* tenant zeta \(tenants\/zeta\.yaml\) already uses/,
            );
        });

        it("suggests a different free number to each of several colliding tenants", () => {
            const problems = check([
                tenant("a", { listenerPriority: 120 }),
                tenant("b", { listenerPriority: 120 }),
                tenant("c", { listenerPriority: 120 }),
            ]);
            assert.deepEqual(
                problems.map((p) => /set aws\.listenerPriority: (\d+) in (\S+)/.exec(p)!.slice(1)),
                [
                    ["122", "tenants/b.yaml"],
                    ["124", "tenants/c.yaml"],
                ],
            );
            assert.deepEqual(
                check([
                    tenant("a", { listenerPriority: 120 }),
                    tenant("b", { listenerPriority: 122 }),
                    tenant("c", { listenerPriority: 124 }),
                ]),
                [],
            );
        });

        it("rejects a priority the shard reserves, explicit or hashed", () => {
            const reserved = withListeners({
                arn: SHARD_0,
                reservedPriorities: [1, 2, 101, 102, hashedListenerPriority("greenfield") + 1],
            });
            assert.deepEqual(check([tenant("a", { listenerPriority: 102 })], reserved), [
                "tenants/a.yaml: aws.listenerPriority: tenant a needs listener rule priorities 102 and 103 (set in its file) on shard 0, " +
                    "but 102 is reserved on that listener (aims:aws.listeners[0].reservedPriorities); set aws.listenerPriority: 103 in tenants/a.yaml (the next free number on shard 0)",
            ]);
            assert.match(
                check([tenant("greenfield")], reserved)[0],
                /^tenants\/greenfield\.yaml: .*\(derived from its name\).* is reserved on that listener/,
            );
            assert.deepEqual(
                check(
                    [
                        tenant("a", { listenerPriority: 103 }),
                        tenant("greenfield", { listenerPriority: 120 }),
                    ],
                    reserved,
                ),
                [],
            );
        });

        it("rejects an explicit priority whose second rule would pass 50000", () => {
            assert.deepEqual(check([tenant("a", { listenerPriority: 50000 })]), [
                "tenants/a.yaml: aws.listenerPriority: must be at most 49999: the tenant's second rule takes the next number, and 50000 is the highest priority (got 50000)",
            ]);
            assert.deepEqual(check([tenant("a", { listenerPriority: 49999 })]), []);
        });
    });

    describe("shards", () => {
        it("puts a tenant on shard 0 unless its file says otherwise", () => {
            assert.equal(shardOf(tenant("a")), 0);
            assert.equal(shardOf(tenant("a", { shard: 2 })), 2);
        });

        it("rejects a shard beyond aims:aws.listeners, naming the file", () => {
            assert.deepEqual(check([tenant("a", { shard: 1 })]), [
                "tenants/a.yaml: aws.shard: there is no shard 1: aims:aws.listeners of Pulumi.dev.yaml has 1 listener (shard 0); choose one of them, or add a listener for shard 1 to aims:aws.listeners",
            ]);
            assert.deepEqual(
                check(
                    [tenant("a", { shard: 1 })],
                    withListeners({ arn: SHARD_0 }, { arn: OTHER_LOAD_BALANCER }),
                ),
                [],
            );
        });
    });

    describe("load balancer capacity", () => {
        it("fits 49 tenants with 2 reserved rules on one load balancer: 100 rules, 98 target groups", () => {
            assert.deepEqual(check(many(49)), []);
        });

        it("rejects the 50th, naming the load balancer, its shard and tenants, and the fix", () => {
            const tenants = many(50);
            const problems = check(tenants).filter((p) => !p.includes("aws.listenerPriority"));
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.ok(
                problems[0].startsWith(
                    "Pulumi.dev.yaml: aims:aws.listeners[0]: load balancer app/aims-dev/50dc6c495c0c9181 would hold 102 listener rules (50 tenants × 2 + 2 reserved) and 100 target groups (50 × 2 + 0 reserved), over its limit of 100 rules and 100 target groups; it holds at most 49 tenants.",
                ),
                problems[0],
            );
            for (const t of tenants)
                assert.ok(problems[0].includes(`${t.name} (${t.file})`), t.name);
            assert.match(
                problems[0],
                /Add a listener of another load balancer to aims:aws\.listeners and move tenants there with aws\.shard: <its index> in their files$/,
            );
        });

        it("is fixed by moving tenants to a shard on another load balancer, not on the same one", () => {
            const tenants = [...many(49), tenant("moved", { shard: 1 })];
            assert.deepEqual(
                check(
                    tenants,
                    withListeners(
                        { arn: SHARD_0, reservedPriorities: [1, 2] },
                        { arn: OTHER_LOAD_BALANCER },
                    ),
                ),
                [],
            );
            const shared = check(
                tenants,
                withListeners(
                    { arn: SHARD_0, reservedPriorities: [1, 2] },
                    { arn: SAME_LOAD_BALANCER },
                ),
            );
            assert.equal(shared.length, 1);
            assert.match(
                shared[0],
                /aims:aws\.listeners\[0, 1\]: load balancer app\/aims-dev\/50dc6c495c0c9181 would hold 102 listener rules.*shard 1: moved \(tenants\/moved\.yaml\)/,
            );
        });

        it("counts the target groups other rules of the load balancer use", () => {
            assert.deepEqual(
                check(many(48), withListeners({ arn: SHARD_0, reservedTargetGroups: 4 })),
                [],
            );
            const problems = check(
                many(48),
                withListeners({ arn: SHARD_0, reservedTargetGroups: 5 }),
            );
            assert.equal(problems.length, 1);
            assert.match(
                problems[0],
                /would hold 96 listener rules .* and 101 target groups \(48 × 2 \+ 5 reserved\).*at most 47 tenants/,
            );
        });
    });

    describe("in the stack settings", () => {
        it("reports placement problems with every other config problem, in one error", () => {
            const tenants = [
                tenant("a", { listenerPriority: 120 }),
                tenant("b", { listenerPriority: 120 }),
                tenant("c", { shard: 3 }),
            ];
            assert.throws(
                () => settingsOf("dev", tenants, { "aims:baseDomain": undefined }),
                (err: unknown) => {
                    assert.ok(err instanceof ValidationError);
                    assert.deepEqual(
                        err.problems.map((p) => p.split(": ").slice(0, 2).join(": ")),
                        [
                            "Pulumi.dev.yaml: aims:baseDomain",
                            "tenants/c.yaml: aws.shard",
                            "tenants/b.yaml: aws.listenerPriority",
                        ],
                    );
                    return true;
                },
            );
        });

        it("checks only the AWS tenants of the stack's environment", () => {
            const kubernetes = awsSpec({
                name: "k",
                platform: "kubernetes",
                aws: { listenerPriority: 120 },
            });
            const prodOnly = awsSpec({
                name: "p",
                environments: ["prod"],
                aws: { listenerPriority: 120 },
            });
            assert.doesNotThrow(() =>
                settingsOf("dev", [tenant("a", { listenerPriority: 120 }), kubernetes, prodOnly]),
            );
        });
    });

    describe("in the program", () => {
        let project: ProjectCopy | undefined;
        afterEach(() => project?.remove());

        it("stops on colliding priorities before registering any resource", async () => {
            const file = (name: string) =>
                `name: ${name}\ndisplayName: ${name}\nplan: small\nplatform: aws\nenvironments: [dev]\naws: { listenerPriority: 500 }\n`;
            project = copyProject({ "alpha.yaml": file("alpha"), "beta.yaml": file("beta") });
            const mocks = startMocks("dev");
            const program = loadProgram(project.dir);
            await assert.rejects(
                program(),
                /tenants\/beta\.yaml: aws\.listenerPriority: tenant beta needs listener rule priorities 500 and 501 .*tenant alpha \(tenants\/alpha\.yaml\)/,
            );
            await mocks.settled();
            assert.deepEqual(mocks.resources, []);
        });
    });
});

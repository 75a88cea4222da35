import { strict as assert } from "node:assert";
import { fileSystemArn, loadBalancerOfListener, partitionOf } from "../components/stack/aws-arn";
import { AwsSettings, CLOUDWATCH_RETENTION_DAYS } from "../components/stack/aws";
import { ValidationError } from "../components/support/errors";
import { readStackSettings } from "../components/stack/settings";
import { configSource } from "../components/stack/stack-file";
import { spec, stackConfig, startMocks } from "./support/mocks";

const awsTenant = spec({ name: "greenfield", platform: "aws" });
const dev = JSON.parse(stackConfig("dev").config["aims:aws"]);
const LISTENER = dev.listeners[0].arn as string;

function read(stack: string, aws?: Record<string, unknown>): AwsSettings {
    const overrides = aws ? { "aims:aws": aws } : {};
    return readStackSettings(configSource(stackConfig(stack, overrides)), stack, [awsTenant]).aws!;
}

/** The problems of the dev stack with `aims:aws` replaced by `aws`. */
function problems(aws: Record<string, unknown>): string[] {
    try {
        read("dev", aws);
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return [...err.problems];
    }
    assert.fail("expected the aws block to be rejected");
}

/** The one problem of `field` when `aims:aws.<field>` is `value`, the rest of dev's block unchanged. */
function problemOf(field: string, value: unknown): string {
    const found = problems({ ...dev, [field]: value });
    assert.equal(found.length, 1, found.join("\n"));
    assert.ok(found[0].startsWith(`Pulumi.dev.yaml: aims:aws.${field}: `), found[0]);
    return found[0].slice(`Pulumi.dev.yaml: aims:aws.${field}: `.length);
}

describe("aims:aws settings", () => {
    beforeEach(() => startMocks("dev"));

    it("reads the example stacks: dev and sit in eu-west-1, prod in af-south-1, with the defaults", () => {
        for (const [stack, region, account] of [
            ["dev", "eu-west-1", "111111111111"],
            ["sit", "eu-west-1", "111111111111"],
            ["prod", "af-south-1", "222222222222"],
        ]) {
            const aws = read(stack);
            assert.equal(aws.region, region);
            assert.equal(aws.accountId, account);
            assert.equal(aws.listeners.length, 1);
            assert.deepEqual(aws.listeners[0].reservedPriorities, [1, 2]);
            assert.equal(aws.listeners[0].reservedTargetGroups, 0);
            assert.equal(aws.frontendHealthCheckPath, "/");
            assert.equal(aws.backendHealthCheckPath, "/api/health/");
            assert.equal(aws.databasePort, undefined);
        }
    });

    it("rejects unknown keys and reports missing ones", () => {
        assert.match(
            problemOf("colour", "blue"),
            /^unknown key; allowed: region, accountId, clusterArn/,
        );
        const { clusterArn: _cluster, listeners: _listeners, ...missing } = dev;
        assert.deepEqual(problems(missing), [
            "Pulumi.dev.yaml: aims:aws.clusterArn: is required",
            "Pulumi.dev.yaml: aims:aws.listeners: is required",
        ]);
    });

    it("requires a known AWS region", () => {
        assert.equal(
            problemOf("region", "eu-west-9"),
            'must be an AWS region such as eu-west-1 or af-south-1 (got "eu-west-9")',
        );
        assert.equal(read("dev", { ...dev }).region, "eu-west-1");
    });

    it("requires a 12-digit account ID", () => {
        assert.equal(
            problemOf("accountId", "11111111111"),
            'must be a 12-digit AWS account ID, quoted in YAML: "111111111111" (got "11111111111")',
        );
    });

    it("does not cascade: with an invalid region or account, the ARNs are checked for format only", () => {
        assert.equal(problems({ ...dev, region: "mars-1" }).length, 1);
        assert.equal(problems({ ...dev, accountId: "x" }).length, 1);
    });

    describe("ARNs", () => {
        it("requires the cluster as an ECS cluster ARN in the stack's region and account", () => {
            assert.equal(
                problemOf("clusterArn", "arn:aws:eks:eu-west-1:111111111111:cluster/aims-dev"),
                'must be an ECS cluster ARN such as arn:aws:ecs:eu-west-1:111111111111:cluster/aims-dev (got "arn:aws:eks:eu-west-1:111111111111:cluster/aims-dev")',
            );
            assert.equal(
                problemOf("clusterArn", "aims-dev"),
                'must be an ECS cluster ARN such as arn:aws:ecs:eu-west-1:111111111111:cluster/aims-dev (got "aims-dev")',
            );
            assert.equal(
                problemOf("clusterArn", "arn:aws:ecs:us-east-1:111111111111:cluster/aims-dev"),
                'must be in the stack\'s region eu-west-1 (aims:aws.region), not "us-east-1"',
            );
            assert.equal(
                problemOf("clusterArn", "arn:aws:ecs:eu-west-1:222222222222:cluster/aims-dev"),
                "must be in the stack's account 111111111111 (aims:aws.accountId), not 222222222222",
            );
        });

        it("requires the execution role as an IAM role ARN of the account, without a region", () => {
            assert.match(
                problemOf("executionRoleArn", "arn:aws:iam::111111111111:user/deploy"),
                /^must be an IAM role ARN such as arn:aws:iam::111111111111:role\/aims-dev-ecs-execution/,
            );
            assert.equal(
                problemOf("executionRoleArn", "arn:aws:iam:eu-west-1:111111111111:role/x"),
                'must not name a region: IAM is global (got "eu-west-1")',
            );
            assert.equal(
                problemOf("executionRoleArn", "arn:aws:iam::222222222222:role/x"),
                "must be in the stack's account 111111111111 (aims:aws.accountId), not 222222222222",
            );
            assert.equal(
                read("dev", {
                    ...dev,
                    executionRoleArn:
                        "arn:aws:iam::111111111111:role/service-role/aims-dev-ecs-execution",
                }).executionRoleArn,
                "arn:aws:iam::111111111111:role/service-role/aims-dev-ecs-execution",
            );
        });

        it("requires each listener as an ALB listener ARN of the region and account, each once", () => {
            const listenerProblems = (...arns: string[]) =>
                problems({ ...dev, listeners: arns.map((arn) => ({ arn })) });
            assert.match(
                listenerProblems(LISTENER.replace("listener/app/", "listener/net/"))[0],
                /^Pulumi\.dev\.yaml: aims:aws\.listeners\[0\]\.arn: must be an Application Load Balancer listener ARN such as /,
            );
            assert.match(
                listenerProblems(LISTENER.replace(/eu-west-1/, "af-south-1"))[0],
                /aims:aws\.listeners\[0\]\.arn: must be in the stack's region eu-west-1/,
            );
            assert.match(
                listenerProblems(LISTENER.replace(/111111111111/, "222222222222"))[0],
                /aims:aws\.listeners\[0\]\.arn: must be in the stack's account 111111111111/,
            );
            assert.deepEqual(listenerProblems(LISTENER, LISTENER), [
                "Pulumi.dev.yaml: aims:aws.listeners[1].arn: is the listener of shard 0 already; each shard is a different listener",
            ]);
            assert.deepEqual(problems({ ...dev, listeners: [] }), [
                "Pulumi.dev.yaml: aims:aws.listeners: must be a non-empty list (got [])",
            ]);
        });

        it("checks the reserved priorities and target groups of a listener", () => {
            assert.deepEqual(
                problems({
                    ...dev,
                    listeners: [
                        {
                            arn: LISTENER,
                            reservedPriorities: [0],
                            reservedTargetGroups: -1,
                            port: 443,
                        },
                    ],
                }),
                [
                    "Pulumi.dev.yaml: aims:aws.listeners[0].port: unknown key; allowed: arn, reservedPriorities, reservedTargetGroups",
                    "Pulumi.dev.yaml: aims:aws.listeners[0].reservedPriorities: must be a list of whole numbers from 1 to 50000 (got [0])",
                    "Pulumi.dev.yaml: aims:aws.listeners[0].reservedTargetGroups: must be a whole number from 0 to 100 (got -1)",
                ],
            );
            assert.equal(
                read("dev", { ...dev, listeners: [{ arn: LISTENER, reservedTargetGroups: 3 }] })
                    .listeners[0].reservedTargetGroups,
                3,
            );
        });

        it("checks the partition of the region", () => {
            assert.equal(partitionOf("cn-north-1"), "aws-cn");
            assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
            assert.equal(partitionOf("af-south-1"), "aws");
            const china = { region: "cn-north-1", accountId: "111111111111" };
            const found = problems({
                ...dev,
                ...china,
                clusterArn: "arn:aws:ecs:cn-north-1:111111111111:cluster/aims-dev",
            });
            assert.ok(
                found.some(
                    (p) =>
                        p ===
                        'Pulumi.dev.yaml: aims:aws.clusterArn: must be in the partition of region cn-north-1, "aws-cn" (got "aws")',
                ),
                found.join("\n"),
            );
            assert.ok(
                !problems({
                    ...dev,
                    ...china,
                    clusterArn: "arn:aws-cn:ecs:cn-north-1:111111111111:cluster/aims-dev",
                }).some((p) => p.includes("clusterArn")),
            );
        });
    });

    describe("resource IDs", () => {
        it("requires vpc-, subnet-, sg- and fs- IDs of 8 or 17 hex digits", () => {
            assert.equal(
                problemOf("vpcId", "vpc-xyz"),
                'must be an ID such as vpc-0123456789abcdef0 (got "vpc-xyz")',
            );
            assert.equal(
                problemOf("subnetIds", ["subnet-0d1e5a7b3c9fa1a1b", "sub-0d1e5a7b3c9fa1a1b"]),
                'must be IDs such as subnet-0123456789abcdef0 (got "sub-0d1e5a7b3c9fa1a1b")',
            );
            assert.equal(
                problemOf("securityGroupIds", ["sg-0d1e5a7b3c9fe1d4"]),
                'must be IDs such as sg-0123456789abcdef0 (got "sg-0d1e5a7b3c9fe1d4")',
            );
            assert.equal(
                problemOf("efsFileSystemId", "efs-12345678"),
                'must be an ID such as fs-0123456789abcdef0 (got "efs-12345678")',
            );
            assert.equal(
                problemOf("subnetIds", ["subnet-12345678", "subnet-12345678"]),
                'lists "subnet-12345678" more than once',
            );
            assert.equal(
                problemOf("subnetIds", []),
                "must be a non-empty list of strings (got [])",
            );
            const aws = read("dev", {
                ...dev,
                vpcId: "vpc-12345678",
                efsFileSystemId: "fs-12345678",
            });
            assert.deepEqual([aws.vpcId, aws.efsFileSystemId], ["vpc-12345678", "fs-12345678"]);
        });
    });

    it("accepts only CloudWatch's retention periods", () => {
        assert.equal(
            problemOf("logRetentionDays", 15),
            `must be one of CloudWatch's retention periods: ${CLOUDWATCH_RETENTION_DAYS.join(", ")} (got 15)`,
        );
        assert.equal(read("dev", { ...dev, logRetentionDays: 1096 }).logRetentionDays, 1096);
        const { logRetentionDays: _days, ...defaulted } = dev;
        assert.equal(read("dev", defaulted).logRetentionDays, 30);
    });

    it("checks the database host and port the tasks use", () => {
        assert.match(problemOf("databaseHost", "DB.Example"), /^must be a lowercase hostname/);
        assert.equal(
            problemOf("databasePort", 0),
            "must be a whole number from 1 to 65535 (got 0)",
        );
        assert.equal(read("dev", { ...dev, databasePort: 6432 }).databasePort, 6432);
    });

    it("checks the health check paths", () => {
        assert.match(
            problemOf("frontendHealthCheckPath", "healthz"),
            /^must be an HTTP path starting with "\/"/,
        );
        assert.match(
            problemOf("backendHealthCheckPath", "/api/health check"),
            /^must be an HTTP path/,
        );
        assert.equal(
            read("dev", { ...dev, backendHealthCheckPath: "/healthz" }).backendHealthCheckPath,
            "/healthz",
        );
    });

    it("reports every problem of the block at once", () => {
        const found = problems({
            ...dev,
            accountId: "1",
            vpcId: "vpc-1",
            subnetIds: ["subnet-1"],
            securityGroupIds: ["sg-1"],
            efsFileSystemId: "fs-1",
            logRetentionDays: 2,
            listeners: [{ arn: "listener" }],
            executionRoleArn: "role",
            clusterArn: "cluster",
        });
        assert.deepEqual(found.map((p) => p.split(": ")[1]).sort(), [
            "aims:aws.accountId",
            "aims:aws.clusterArn",
            "aims:aws.efsFileSystemId",
            "aims:aws.executionRoleArn",
            "aims:aws.listeners[0].arn",
            "aims:aws.logRetentionDays",
            "aims:aws.securityGroupIds",
            "aims:aws.subnetIds",
            "aims:aws.vpcId",
        ]);
    });

    it("derives the file system ARN and the load balancer of a listener", () => {
        assert.equal(
            fileSystemArn({ region: "af-south-1", accountId: "222222222222" }, "fs-12345678"),
            "arn:aws:elasticfilesystem:af-south-1:222222222222:file-system/fs-12345678",
        );
        assert.equal(loadBalancerOfListener(LISTENER), "app/aims-dev/50dc6c495c0c9181");
    });
});

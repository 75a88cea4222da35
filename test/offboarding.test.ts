import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as batchV1 from "kubernetes-models/batch/v1";
import { backupRolePolicy } from "../components/aws/backup";
import { runTaskOnceScript, RunTaskOnceInputs } from "../components/aws/run-task-once";
import { ValidationError } from "../components/support/errors";
import { backupJobAnnotations } from "../components/kubernetes/backup";
import { containerResources } from "../components/kubernetes/sizing";
import {
    backupJobName,
    backupObjectKey,
    backupRoleName,
    fitName,
    IAM_ROLE_NAME_LIMIT,
    JOB_NAME_LIMIT,
    MAX_TENANT_NAME_LENGTH,
} from "../components/vocabulary/naming";
import { BACKUP_COMMAND, BACKUP_SCRIPT } from "../components/offboarding-backup";
import { PLANS } from "../components/vocabulary/plans";
import type { TenantSpec } from "../components/tenant-files/registry";
import { PROJECT_ROOT } from "../components/support/project-root";
import { readStackSettings, StackSettings } from "../components/stack/settings";
import { Tenant } from "../components/tenant";
import { shellQuote } from "../components/support/shell";
import { ENVIRONMENTS, Platform } from "../components/vocabulary/words";
import { configSource, readStackConfig, SECRET_PLACEHOLDER } from "../components/stack/stack-file";
import { AWS } from "./support/aws";
import { LOCKED_DOWN_CONTAINER, TYPES } from "./support/kubernetes";
import {
    isSecret,
    MockStack,
    deployStack,
    RecordedResource,
    reveal,
    Secret,
    settingsOf,
    spec,
    stackConfig,
    startMocks,
    valueOf,
} from "./support/mocks";
import { policyViolations } from "./support/policy";

const JOB = "kubernetes:batch/v1:Job";
const COMMAND = "command:local:Command";

const DEV_BACKUP = JSON.parse(stackConfig("dev").config["aims:backup"]);
const { secretAccessKey: _secret, ...DEV_BACKUP_WITHOUT_SECRET } = DEV_BACKUP;

/** The dev `aims:backup` block with some keys changed (`undefined` removes a key). */
function backupBlock(changes: Record<string, unknown>): Record<string, unknown> {
    const block: Record<string, unknown> = { ...DEV_BACKUP, ...changes };
    for (const [key, value] of Object.entries(block)) if (value === undefined) delete block[key];
    return block;
}

const k8sOffboarding = spec({ name: "school1", status: "offboarding" });
const awsOffboarding = spec({ name: "greenfield", platform: "aws", status: "offboarding" });

function readSettings(
    stack: string,
    overrides: Record<string, unknown>,
    tenants: readonly TenantSpec[],
): StackSettings {
    return readStackSettings(configSource(stackConfig(stack, overrides)), stack, tenants);
}

function problems(
    overrides: Record<string, unknown>,
    tenants: readonly TenantSpec[] = [k8sOffboarding],
): string[] {
    try {
        readSettings("dev", overrides, tenants);
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return [...err.problems];
    }
    assert.fail("expected the settings to be rejected");
}

const deploy = deployStack;

const childNames = (mocks: MockStack, parent: RecordedResource) =>
    mocks.resources
        .filter((r) => r.parent === parent.urn)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
const backupResources = (mocks: MockStack) =>
    mocks.resources.filter(
        (r) =>
            r.type === JOB ||
            (r.type === COMMAND && !/-(core-cleanup|rollout)$/.test(r.name)) ||
            /-(backup|offboarding-backup|backup-credentials|backup-role|backup-policy|backup-task)$/.test(
                r.name,
            ),
    );

describe("offboarding", () => {
    describe("aims:backup settings", () => {
        beforeEach(() => startMocks("dev"));

        it("reads the stack's block: bucket, prefix, region, image and the access key pair, the secret key secret", async () => {
            const settings = readSettings("dev", {}, [k8sOffboarding]);
            assert.ok(settings.backup);
            const { credentials, ...rest } = settings.backup;
            assert.deepEqual(rest, {
                bucket: "aims-dev-tenant-backups",
                prefix: "offboarding",
                region: "eu-west-1",
                image: "registry.example.org/aims/pg-backup:16",
            });
            assert.equal(credentials?.accessKeyId, "aims-dev-backup-writer");
            assert.equal(await isSecret(credentials!.secretAccessKey), true);
            assert.equal(await valueOf(credentials!.secretAccessKey), SECRET_PLACEHOLDER);
            assert.equal(readSettings("prod", {}, []).backup?.region, "af-south-1");
        });

        it("stands in a placeholder for the secret key offline, and marks the block secret", () => {
            const { config, secretKeys } = readStackConfig(PROJECT_ROOT, "sit");
            assert.equal(JSON.parse(config["aims:backup"]).secretAccessKey, SECRET_PLACEHOLDER);
            assert.ok(secretKeys.includes("aims:backup"));
            assert.doesNotMatch(
                fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.sit.yaml"), "utf8"),
                /^\s+secretAccessKey:/m,
                "no secret key is written in a stack file",
            );
        });

        it("is required only when a tenant of the stack is offboarding, with every other problem", () => {
            const active = spec({ name: "school1" });
            assert.equal(
                readSettings("dev", { "aims:backup": undefined }, [
                    active,
                    spec({ name: "hillcrest", status: "suspended" }),
                ]).backup,
                undefined,
            );
            // Offboarding elsewhere: prod does not deploy a dev-only tenant.
            assert.equal(
                readSettings("prod", { "aims:backup": undefined }, [
                    spec({ name: "hillcrest", environments: ["dev"], status: "offboarding" }),
                ]).backup,
                undefined,
            );
            assert.deepEqual(
                problems({ "aims:backup": undefined, "aims:baseDomain": "Not A Domain" }, [
                    active,
                    k8sOffboarding,
                    awsOffboarding,
                ]),
                [
                    'Pulumi.dev.yaml: aims:baseDomain: must be a lowercase domain such as dev.aims.example.org (got "Not A Domain")',
                    "Pulumi.dev.yaml: aims:backup: is required: tenants of this stack are offboarding (school1, greenfield) and their database is dumped to its bucket first",
                ],
            );
        });

        it("requires the access key pair only when an offboarding tenant runs on Kubernetes", () => {
            const withoutKeys = {
                "aims:backup": backupBlock({ accessKeyId: undefined, secretAccessKey: undefined }),
            };
            const awsOnly = readSettings("dev", withoutKeys, [
                awsOffboarding,
                spec({ name: "school1" }),
            ]);
            assert.equal(awsOnly.backup?.credentials, undefined);
            assert.deepEqual(problems(withoutKeys, [k8sOffboarding, awsOffboarding]), [
                "Pulumi.dev.yaml: aims:backup.accessKeyId: is required: offboarding tenants on Kubernetes (school1) upload with it",
                "Pulumi.dev.yaml: aims:backup.secretAccessKey: is required: offboarding tenants on Kubernetes (school1) upload with it; set it once with: pulumi config set --secret --path aims:backup.secretAccessKey --stack dev",
            ]);
            assert.deepEqual(problems({ "aims:backup": DEV_BACKUP_WITHOUT_SECRET }), [
                "Pulumi.dev.yaml: aims:backup.secretAccessKey: is required: offboarding tenants on Kubernetes (school1) upload with it; set it once with: pulumi config set --secret --path aims:backup.secretAccessKey --stack dev",
            ]);
        });

        it("defaults the prefix to offboarding", () => {
            assert.equal(
                readSettings("dev", { "aims:backup": backupBlock({ prefix: undefined }) }, [
                    k8sOffboarding,
                ]).backup?.prefix,
                "offboarding",
            );
        });

        const cases: ReadonlyArray<{
            key: string;
            good: readonly unknown[];
            bad: readonly unknown[];
            message: RegExp;
            extra?: Record<string, unknown>;
        }> = [
            {
                key: "bucket",
                good: ["aims-dev-tenant-backups", "abc", "backups.example.org", "a".repeat(63)],
                bad: [
                    "ab",
                    "a".repeat(64),
                    "Aims-Backups",
                    "aims_backups",
                    "-aims",
                    "aims-",
                    "192.168.1.10",
                    "aims..backups",
                    "xn--aims",
                    "sthree-aims",
                    "aims-s3alias",
                    "aims--ol-s3",
                    "aims.mrap",
                    42,
                ],
                message:
                    /^Pulumi\.dev\.yaml: aims:backup\.bucket: must be (an S3 bucket name such as aims-dev-tenant-backups|a non-empty string)/,
            },
            {
                key: "prefix",
                good: ["offboarding", "backups/offboarding", "Tenants_2024.v1"],
                bad: [
                    "/offboarding",
                    "offboarding/",
                    "a//b",
                    "a/*",
                    "a?",
                    "${aws:username}",
                    "../up",
                    "with space",
                    "x".repeat(513),
                    "",
                ],
                message:
                    /^Pulumi\.dev\.yaml: aims:backup\.prefix: must be (an object key prefix|a non-empty string)/,
            },
            {
                key: "region",
                good: ["eu-west-1", "af-south-1", "us-gov-west-1"],
                bad: ["eu-west-9", "mars", "", ["eu-west-1"]],
                message:
                    /^Pulumi\.dev\.yaml: aims:backup\.region: must be (the AWS region of the bucket|a non-empty string)/,
            },
            {
                key: "region",
                extra: { endpoint: "https://objects.example.org" },
                good: ["us-east-1", "garage", "eu-west-9"],
                bad: ["Eu-West-1", "eu west", "-east"],
                message:
                    /^Pulumi\.dev\.yaml: aims:backup\.region: must be the storage's region name/,
            },
            {
                key: "endpoint",
                good: [
                    "https://objects.example.org",
                    "https://minio.example.org:9000",
                    "https://s3.eu-west-1.amazonaws.com/",
                ],
                bad: [
                    "http://objects.example.org",
                    "https://user:pass@objects.example.org",
                    "https://objects.example.org/bucket",
                    "https://objects.example.org?x=1",
                    "objects.example.org",
                    "",
                ],
                message:
                    /^Pulumi\.dev\.yaml: aims:backup\.endpoint: must be (an https URL without credentials, path or query|a non-empty string)/,
            },
            {
                key: "image",
                good: [
                    "registry.example.org/aims/pg-backup:16",
                    "registry.example.org:5000/aims/pg-backup:16.4-1",
                    `registry.example.org/pg-backup@sha256:${"a".repeat(64)}`,
                    "postgres:16",
                ],
                bad: [
                    "registry.example.org/aims/pg-backup",
                    "registry.example.org/aims/pg-backup:latest",
                    "Registry.example.org/PG:16",
                    "pg-backup:",
                    `pg-backup@sha256:${"a".repeat(10)}`,
                    "pg backup:16",
                ],
                message:
                    /^Pulumi\.dev\.yaml: aims:backup\.image: must be an image with pg_dump and the aws CLI, pinned by a tag other than latest or by digest/,
            },
            {
                key: "accessKeyId",
                good: [`AKIA${"Q".repeat(16)}`, "aims-dev-backup"],
                bad: ["ab", "has space", "x".repeat(129), "key:id"],
                message: /^Pulumi\.dev\.yaml: aims:backup\.accessKeyId: must be an access key ID/,
            },
            {
                key: "secretAccessKey",
                good: ["a-generated-secret-of-forty-characters00"],
                bad: ["", ["not-a-string"]],
                message:
                    /^Pulumi\.dev\.yaml: aims:backup\.secretAccessKey: must be a non-empty string \(the value is a secret and is not shown\)$/,
            },
        ];
        for (const { key, good, bad, message, extra } of cases) {
            it(`checks ${key}${extra ? ` with ${Object.keys(extra).join(", ")}` : ""}: accepts ${good.length} good values, rejects ${bad.length} bad ones`, () => {
                for (const value of good) {
                    const settings = readSettings(
                        "dev",
                        { "aims:backup": backupBlock({ ...extra, [key]: value }) },
                        [k8sOffboarding],
                    );
                    assert.ok(settings.backup, JSON.stringify(value));
                }
                for (const value of bad) {
                    const found = problems({
                        "aims:backup": backupBlock({ ...extra, [key]: value }),
                    });
                    assert.equal(found.length, 1, `${JSON.stringify(value)}: ${found.join("\n")}`);
                    assert.match(found[0], message, JSON.stringify(value));
                }
            });
        }

        it("rejects an unknown key and a block that is not a mapping", () => {
            assert.deepEqual(problems({ "aims:backup": backupBlock({ retentionDays: 30 }) }), [
                "Pulumi.dev.yaml: aims:backup.retentionDays: unknown key; allowed: bucket, prefix, region, endpoint, image, accessKeyId, secretAccessKey",
            ]);
            assert.deepEqual(problems({ "aims:backup": "aims-dev-tenant-backups" }), [
                "Pulumi.dev.yaml: aims:backup: must be a mapping of keys",
            ]);
        });

        it("reports every missing key of an empty block at once", () => {
            assert.deepEqual(problems({ "aims:backup": {} }), [
                "Pulumi.dev.yaml: aims:backup.bucket: is required",
                "Pulumi.dev.yaml: aims:backup.region: is required",
                "Pulumi.dev.yaml: aims:backup.image: is required",
                "Pulumi.dev.yaml: aims:backup.accessKeyId: is required: offboarding tenants on Kubernetes (school1) upload with it",
                "Pulumi.dev.yaml: aims:backup.secretAccessKey: is required: offboarding tenants on Kubernetes (school1) upload with it; set it once with: pulumi config set --secret --path aims:backup.secretAccessKey --stack dev",
            ]);
        });
    });

    describe("object key and names", () => {
        it("keys a dump by prefix, environment and tenant, without a timestamp", () => {
            assert.equal(
                backupObjectKey({ prefix: "offboarding" }, "prod", "riverside-high"),
                "offboarding/prod/riverside-high/tenant_riverside_high.dump",
            );
            assert.equal(
                backupObjectKey({ prefix: "backups/aims" }, "dev", "school1"),
                "backups/aims/dev/school1/tenant_school1.dump",
            );
        });

        it("keeps the Job and IAM role names within their limits for every valid tenant name, unchanged when they fit", () => {
            assert.equal(backupJobName("school1"), "school1-offboarding-backup");
            assert.equal(backupRoleName("prod", "school1"), "prod-school1-backup");
            for (let length = 1; length <= MAX_TENANT_NAME_LENGTH; length++) {
                const tenant = "s".repeat(length);
                assert.ok(
                    backupJobName(tenant).length <= JOB_NAME_LIMIT &&
                        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(backupJobName(tenant)),
                    backupJobName(tenant),
                );
                for (const env of ENVIRONMENTS)
                    assert.ok(
                        backupRoleName(env, tenant).length <= IAM_ROLE_NAME_LIMIT,
                        backupRoleName(env, tenant),
                    );
            }
        });

        it("shortens a long name with a hash: deterministic, and distinct for names sharing a prefix", () => {
            const north = backupJobName("the-international-school-of-cape-town-north-campus");
            const south = backupJobName("the-international-school-of-cape-town-south-campus");
            assert.equal(
                north,
                backupJobName("the-international-school-of-cape-town-north-campus"),
            );
            assert.notEqual(north, south);
            assert.match(
                north,
                /^the-international-school-of-cape-town-north-campus-offbo-[0-9a-f]{6}$/,
            );
            assert.equal(north.length, JOB_NAME_LIMIT);
            assert.equal(fitName("prod-x-backup", IAM_ROLE_NAME_LIMIT), "prod-x-backup");
        });
    });

    describe("the backup container's script", () => {
        /** Runs BACKUP_SCRIPT with a fake pg_dump and aws; returns what each was called with. */
        function runBackupScript(env: Record<string, string>) {
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "aims-backup-"));
            try {
                const log = path.join(bin, "calls.log");
                fs.writeFileSync(
                    path.join(bin, "pg_dump"),
                    `#!/bin/sh\necho "pg_dump $*" >> "${log}"\nexit "\${FAKE_PG_DUMP_EXIT:-0}"\n`,
                    { mode: 0o755 },
                );
                fs.writeFileSync(path.join(bin, "aws"), `#!/bin/sh\necho "aws $*" >> "${log}"\n`, {
                    mode: 0o755,
                });
                const result = spawnSync("/bin/sh", ["-ec", BACKUP_SCRIPT], {
                    encoding: "utf8",
                    env: {
                        PATH: `${bin}:/usr/bin:/bin`,
                        BACKUP_BUCKET: "aims-dev-tenant-backups",
                        BACKUP_KEY: "offboarding/dev/school1/tenant_school1.dump",
                        ...env,
                    },
                });
                return {
                    status: result.status,
                    calls: fs.existsSync(log)
                        ? fs.readFileSync(log, "utf8").trim().split("\n")
                        : [],
                };
            } finally {
                fs.rmSync(bin, { recursive: true, force: true });
            }
        }

        it("is `sh -ec`: a custom-format pg_dump to /tmp, then one upload to the tenant's key", () => {
            assert.deepEqual(BACKUP_COMMAND, ["sh", "-ec", BACKUP_SCRIPT]);
            assert.deepEqual(runBackupScript({}), {
                status: 0,
                calls: [
                    "pg_dump --format=custom --no-owner --no-password --file=/tmp/backup.dump",
                    "aws s3 cp --only-show-errors /tmp/backup.dump s3://aims-dev-tenant-backups/offboarding/dev/school1/tenant_school1.dump",
                ],
            });
        });

        it("passes the endpoint to the upload only when one is set", () => {
            const { calls } = runBackupScript({ AWS_ENDPOINT_URL: "https://objects.example.org" });
            assert.equal(
                calls[1],
                "aws s3 cp --only-show-errors /tmp/backup.dump s3://aims-dev-tenant-backups/offboarding/dev/school1/tenant_school1.dump --endpoint-url https://objects.example.org",
            );
        });

        it("uploads nothing and fails when pg_dump fails, so a broken dump never becomes the newest object", () => {
            const { status, calls } = runBackupScript({ FAKE_PG_DUMP_EXIT: "1" });
            assert.notEqual(status, 0);
            assert.deepEqual(calls, [
                "pg_dump --format=custom --no-owner --no-password --file=/tmp/backup.dump",
            ]);
        });
    });

    describe("Kubernetes tenant", () => {
        it("gets exactly a credentials Secret and a Job, children of its TenantWorkload, when offboarding", async () => {
            const { mocks } = await deploy("dev", [k8sOffboarding]);
            const workload = mocks.get(TYPES.workload, "school1");
            const children = childNames(mocks, workload);
            assert.ok(children.includes(`${TYPES.secret} school1-backup-credentials`));
            assert.ok(children.includes(`${JOB} school1-offboarding-backup`));
            assert.deepEqual(
                backupResources(mocks)
                    .map((r) => `${r.type} ${r.name}`)
                    .sort(),
                [`${JOB} school1-offboarding-backup`, `${TYPES.secret} school1-backup-credentials`],
            );
        });

        for (const status of ["active", "suspended"] as const) {
            it(`gets no backup while ${status}`, async () => {
                const { mocks } = await deploy("dev", [spec({ name: "school1", status })]);
                assert.ok(mocks.ofType(TYPES.release).length === 1, "the tenant was declared");
                assert.deepEqual(backupResources(mocks), []);
            });
        }

        it("keeps the access key pair in a secret Secret in the tenant's namespace", async () => {
            const { mocks } = await deploy("dev", [k8sOffboarding]);
            const secret = mocks.get(TYPES.secret, "school1-backup-credentials");
            assert.ok(
                secret.inputs.stringData instanceof Secret,
                "stringData is recorded as a secret",
            );
            assert.deepEqual(reveal(secret.inputs), {
                apiVersion: "v1",
                kind: "Secret",
                metadata: {
                    name: "school1-backup-credentials",
                    namespace: "school1",
                    labels: {
                        "aims.example.org/tenant": "school1",
                        "aims.example.org/environment": "dev",
                        "aims.example.org/plan": "standard",
                        "app.kubernetes.io/managed-by": "pulumi",
                    },
                },
                type: "Opaque",
                stringData: {
                    "access-key-id": "aims-dev-backup-writer",
                    "secret-access-key": SECRET_PLACEHOLDER,
                },
            });
        });

        it("pulls the backup image as the stack's imagePullPolicy says", async () => {
            for (const policy of ["IfNotPresent", "Never"]) {
                const kubernetes = JSON.parse(stackConfig("dev").config["aims:kubernetes"]);
                const { mocks } = await deploy("dev", [k8sOffboarding], {
                    "aims:kubernetes": { ...kubernetes, imagePullPolicy: policy },
                });
                const job = reveal(mocks.get(JOB, "school1-offboarding-backup").inputs);
                assert.equal(job.spec.template.spec.containers[0].imagePullPolicy, policy);
            }
        });

        it("runs one locked-down pod that dumps with the tenant's own role and uploads with the access key pair", async () => {
            const { mocks } = await deploy("dev", [k8sOffboarding]);
            const job = reveal(mocks.get(JOB, "school1-offboarding-backup").inputs);
            const labels = {
                "aims.example.org/tenant": "school1",
                "aims.example.org/environment": "dev",
                "aims.example.org/plan": "standard",
                "app.kubernetes.io/managed-by": "pulumi",
                "app.kubernetes.io/component": "offboarding-backup",
            };
            assert.deepEqual(job.metadata, {
                name: "school1-offboarding-backup",
                namespace: "school1",
                labels,
                annotations: { "pulumi.com/replaceUnready": "true" },
            });
            assert.equal(job.spec.backoffLimit, 2);
            assert.equal(job.spec.activeDeadlineSeconds, 3600);
            assert.equal(
                job.spec.ttlSecondsAfterFinished,
                undefined,
                "Pulumi would recreate a Job the cluster deleted",
            );
            const pod = job.spec.template.spec;
            assert.deepEqual(job.spec.template.metadata, { labels });
            assert.equal(pod.restartPolicy, "Never");
            assert.equal(pod.automountServiceAccountToken, false);
            assert.equal(pod.enableServiceLinks, false);
            assert.equal(
                pod.imagePullSecrets,
                undefined,
                "no registry credentials in the dev stack",
            );
            assert.deepEqual(pod.securityContext, {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.deepEqual(pod.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "20Gi" } }]);
            assert.equal(pod.containers.length, 1);
            const [container] = pod.containers;
            assert.equal(container.name, "backup");
            assert.equal(container.image, "registry.example.org/aims/pg-backup:16");
            assert.equal(container.imagePullPolicy, "Always");
            assert.equal(
                container.terminationMessagePolicy,
                "FallbackToLogsOnError",
                "a failure's log lines reach Pulumi's message",
            );
            assert.deepEqual(container.command, ["sh", "-ec", BACKUP_SCRIPT]);
            assert.deepEqual(container.securityContext, LOCKED_DOWN_CONTAINER);
            assert.deepEqual(container.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
            const ref = (name: string, secret: string, key: string) => ({
                name,
                valueFrom: { secretKeyRef: { name: secret, key } },
            });
            assert.deepEqual(container.env, [
                { name: "PGHOST", value: "pgbouncer.database.svc.cluster.local" },
                { name: "PGPORT", value: "6432" },
                { name: "PGDATABASE", value: "tenant_school1" },
                { name: "BACKUP_BUCKET", value: "aims-dev-tenant-backups" },
                { name: "BACKUP_KEY", value: "offboarding/dev/school1/tenant_school1.dump" },
                { name: "AWS_DEFAULT_REGION", value: "eu-west-1" },
                { name: "HOME", value: "/tmp" },
                ref("PGUSER", "school1-database", "username"),
                ref("PGPASSWORD", "school1-database", "password"),
                ref("AWS_ACCESS_KEY_ID", "school1-backup-credentials", "access-key-id"),
                ref("AWS_SECRET_ACCESS_KEY", "school1-backup-credentials", "secret-access-key"),
            ]);
            assert.doesNotMatch(
                JSON.stringify(job),
                new RegExp(`${SECRET_PLACEHOLDER}|mock-`),
                "no secret value in the Job",
            );
        });

        it("fits one container in the namespace's LimitRange, for every plan", async () => {
            for (const plan of ["small", "standard", "large"] as const) {
                const { mocks } = await deploy("dev", [
                    spec({ name: "school1", status: "offboarding", plan }),
                ]);
                const [container] = reveal(mocks.get(JOB, "school1-offboarding-backup").inputs).spec
                    .template.spec.containers;
                const max = reveal(mocks.get(TYPES.limitRange, "school1-limits").inputs).spec
                    .limits[0].max;
                const { requests, limits } = containerResources(PLANS[plan].kubernetes);
                assert.deepEqual(max, limits, plan);
                assert.deepEqual(
                    container.resources,
                    {
                        requests: { ...requests, "ephemeral-storage": "1Gi" },
                        limits: { ...limits, "ephemeral-storage": "21Gi" },
                    },
                    plan,
                );
            }
        });

        it("passes the endpoint and the registry pull secret when the stack has them", async () => {
            const registry = {
                ...JSON.parse(stackConfig("dev").config["aims:kubernetes"]),
                registry: {
                    server: "registry.example.org",
                    username: "aims-pull",
                    password: "registry-pass-0000",
                },
            };
            const { mocks } = await deploy("dev", [k8sOffboarding], {
                "aims:backup": backupBlock({ endpoint: "https://objects.example.org" }),
                "aims:kubernetes": registry,
            });
            const pod = reveal(mocks.get(JOB, "school1-offboarding-backup").inputs).spec.template
                .spec;
            assert.deepEqual(pod.imagePullSecrets, [{ name: "school1-registry" }]);
            const env = Object.fromEntries(
                pod.containers[0].env
                    .filter((e: { value?: string }) => e.value !== undefined)
                    .map((e: { name: string; value: string }) => [e.name, e.value]),
            );
            assert.equal(env.AWS_ENDPOINT_URL, "https://objects.example.org");
            assert.equal(env.AWS_REQUEST_CHECKSUM_CALCULATION, "when_required");
            assert.equal(env.AWS_RESPONSE_CHECKSUM_VALIDATION, "when_required");
        });

        it("starts after the database Secret, its own credentials, the isolation and the scaled-down release's rollout", async () => {
            const { mocks } = await deploy("dev", [k8sOffboarding]);
            const { dependencies } = mocks.get(JOB, "school1-offboarding-backup");
            for (const [type, name] of [
                [TYPES.secret, "school1-database-secret"],
                [TYPES.secret, "school1-backup-credentials"],
                [TYPES.networkPolicy, "school1-network-policy"],
                [TYPES.resourceQuota, "school1-quota"],
                [TYPES.rolloutCheck, "school1-rollout"],
            ]) {
                assert.ok(dependencies.includes(mocks.get(type, name).urn), name);
            }
        });

        it("is waited for, and replaced when it failed, unless the stack turns the wait off", async () => {
            assert.deepEqual(backupJobAnnotations({ waitForReady: true }), {
                "pulumi.com/replaceUnready": "true",
            });
            assert.deepEqual(backupJobAnnotations({ waitForReady: false }), {
                "pulumi.com/replaceUnready": "true",
                "pulumi.com/skipAwait": "true",
            });
            const { mocks } = await deploy("dev", [k8sOffboarding]);
            assert.deepEqual(
                mocks.get(JOB, "school1-offboarding-backup").inputs.metadata.annotations,
                { "pulumi.com/replaceUnready": "true" },
            );
        });

        it("is a Job the Kubernetes API accepts", async () => {
            const { mocks } = await deploy("dev", [k8sOffboarding]);
            const job = reveal(mocks.get(JOB, "school1-offboarding-backup").inputs);
            new batchV1.Job(job).validate();
            assert.throws(() =>
                new batchV1.Job({ ...job, spec: { ...job.spec, backoffLimit: "two" } }).validate(),
            );
        });
    });

    describe("AWS tenant", () => {
        it("gets exactly a role, its policy, a task definition and a one-shot run, children of its TenantService, when offboarding", async () => {
            const { mocks } = await deploy("dev", [awsOffboarding]);
            const service = mocks.get(AWS.service, "greenfield");
            const backup = [
                `${AWS.role} greenfield-backup-role`,
                `${AWS.rolePolicy} greenfield-backup-policy`,
                `${AWS.taskDefinition} greenfield-backup-task`,
                `${COMMAND} greenfield-offboarding-backup`,
            ];
            for (const child of backup)
                assert.ok(childNames(mocks, service).includes(child), child);
            assert.deepEqual(
                backupResources(mocks)
                    .map((r) => `${r.type} ${r.name}`)
                    .sort(),
                [...backup].sort(),
            );
        });

        it("gets no backup while active", async () => {
            const { mocks } = await deploy("dev", [spec({ name: "greenfield", platform: "aws" })]);
            assert.equal(mocks.ofType(AWS.ecsService).length, 1, "the tenant was declared");
            assert.deepEqual(backupResources(mocks), []);
        });

        it("lets the backup role write its one object and read its database credentials, nothing else", async () => {
            const { mocks } = await deploy("dev", [awsOffboarding]);
            const role = mocks.get(AWS.role, "greenfield-backup-role");
            assert.equal(role.inputs.name, "dev-greenfield-backup");
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, {
                Service: "ecs-tasks.amazonaws.com",
            });
            assert.deepEqual(
                JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals,
                { "aws:SourceAccount": "111111111111" },
            );
            const policy = mocks.get(AWS.rolePolicy, "greenfield-backup-policy");
            const secretArn = mocks.get(AWS.secretVersion, "greenfield-db-credentials-value").inputs
                .secretId;
            assert.match(
                secretArn,
                /^arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev-greenfield-db-credentials-/,
            );
            assert.deepEqual(JSON.parse(policy.inputs.policy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "WriteOwnBackup",
                        Effect: "Allow",
                        Action: ["s3:PutObject"],
                        Resource:
                            "arn:aws:s3:::aims-dev-tenant-backups/offboarding/dev/greenfield/tenant_greenfield.dump",
                    },
                    {
                        Sid: "ReadOwnDatabaseCredentials",
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue"],
                        Resource: secretArn,
                    },
                ],
            });
            assert.doesNotMatch(policy.inputs.policy, /\*/);
            assert.ok(policy.dependencies.includes(role.urn));
        });

        it("defines a non-root Fargate task whose database credentials are Secrets Manager references", async () => {
            const { mocks } = await deploy("prod", [awsOffboarding]);
            const definition = mocks.get(AWS.taskDefinition, "greenfield-backup-task");
            const { containerDefinitions, ...inputs } = definition.inputs;
            const roleArn = "arn:aws:iam::222222222222:role/prod-greenfield-backup";
            assert.deepEqual(inputs, {
                family: "prod-greenfield-backup",
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: "512",
                memory: "1024",
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                executionRoleArn: "arn:aws:iam::222222222222:role/aims-prod-ecs-execution",
                taskRoleArn: roleArn,
                volumes: [{ name: "tmp" }],
                tags: {
                    "aims:tenant": "greenfield",
                    "aims:status": "offboarding",
                    "aims:data-retained": "true",
                },
            });
            assert.equal(typeof containerDefinitions, "string");
            const secretArn = mocks.get(AWS.secretVersion, "greenfield-db-credentials-value").inputs
                .secretId;
            assert.deepEqual(JSON.parse(containerDefinitions), [
                {
                    name: "backup",
                    image: "registry.example.org/aims/pg-backup:16",
                    essential: true,
                    command: ["sh", "-ec", BACKUP_SCRIPT],
                    user: "10001:10001",
                    readonlyRootFilesystem: true,
                    privileged: false,
                    linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
                    portMappings: [],
                    environment: [
                        {
                            name: "PGHOST",
                            value: "aims-prod.cluster-c1a2b3.af-south-1.rds.amazonaws.com",
                        },
                        { name: "PGPORT", value: "5432" },
                        { name: "PGDATABASE", value: "tenant_greenfield" },
                        { name: "BACKUP_BUCKET", value: "aims-prod-tenant-backups" },
                        {
                            name: "BACKUP_KEY",
                            value: "offboarding/prod/greenfield/tenant_greenfield.dump",
                        },
                        { name: "AWS_DEFAULT_REGION", value: "af-south-1" },
                        { name: "HOME", value: "/tmp" },
                    ],
                    secrets: [
                        { name: "PGUSER", valueFrom: `${secretArn}:username::` },
                        { name: "PGPASSWORD", valueFrom: `${secretArn}:password::` },
                    ],
                    mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
                    logConfiguration: {
                        logDriver: "awslogs",
                        options: {
                            "awslogs-group": "/ecs/prod-greenfield",
                            "awslogs-region": "af-south-1",
                            "awslogs-stream-prefix": "backup",
                        },
                    },
                },
            ]);
        });

        it("runs the task once per task definition, in the stack's cluster and private subnets, and waits for it", async () => {
            const { mocks } = await deploy("dev", [awsOffboarding]);
            const run = mocks.get(COMMAND, "greenfield-offboarding-backup");
            const definitionArn =
                "arn:aws:ecs:eu-west-1:111111111111:task-definition/dev-greenfield-backup:1";
            assert.deepEqual(run.inputs.triggers, [definitionArn]);
            const script: string = run.inputs.create;
            assert.equal(typeof script, "string");
            const devAws = JSON.parse(stackConfig("dev").config["aims:aws"]);
            for (const expected of [
                devAws.clusterArn,
                definitionArn,
                ...devAws.subnetIds,
                ...devAws.securityGroupIds,
                '"assignPublicIp":"DISABLED"',
                "aws ecs --region 'eu-west-1' run-task",
                "wait tasks-stopped",
                "'111111111111'",
            ]) {
                assert.ok(script.includes(expected), expected);
            }
            assert.doesNotMatch(
                script,
                new RegExp(`${SECRET_PLACEHOLDER}|mock-`),
                "no secret value in the command",
            );
            for (const [type, name] of [
                [AWS.rolePolicy, "greenfield-backup-policy"],
                [AWS.ecsService, "greenfield-service"],
                [AWS.secretVersion, "greenfield-db-credentials-value"],
                [AWS.taskDefinition, "greenfield-backup-task"],
            ]) {
                assert.ok(run.dependencies.includes(mocks.get(type, name).urn), name);
            }
        });
    });

    describe("the one-shot run's script", () => {
        const inputs: RunTaskOnceInputs = {
            region: "eu-west-1",
            accountId: "111111111111",
            clusterArn: "arn:aws:ecs:eu-west-1:111111111111:cluster/aims-dev",
            taskDefinitionArn:
                "arn:aws:ecs:eu-west-1:111111111111:task-definition/dev-greenfield-backup:3",
            subnetIds: ["subnet-0d1e5a7b3c9fa1a1b", "subnet-0d1e5a7b3c9fb1a1b"],
            securityGroupIds: ["sg-0d1e5a7b3c9fe1d4c"],
            container: "backup",
            startedBy: "aims-offboarding-backup",
            what: "offboarding backup of tenant greenfield",
            deadlineSeconds: 3600,
            logGroup: "/ecs/dev-greenfield",
            logStreamPrefix: "backup",
        };
        const TASK =
            "arn:aws:ecs:eu-west-1:111111111111:task/aims-dev/0123456789abcdef0123456789abcdef";

        /** Runs the script with a fake aws CLI whose answers come from FAKE_* variables. */
        function runScript(fake: Record<string, string>) {
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "aims-run-task-"));
            try {
                const log = path.join(bin, "calls.log");
                fs.writeFileSync(
                    path.join(bin, "aws"),
                    [
                        "#!/bin/sh",
                        `echo "$*" >> "${log}"`,
                        'case "$*" in',
                        '  "sts get-caller-identity"*) echo "$FAKE_ACCOUNT" ;;',
                        '  *" run-task "*) echo "$FAKE_RUN_TASK" ;;',
                        '  *" wait tasks-stopped "*) [ -z "${FAKE_WAIT_FAILS:-}" ] || exit 255 ;;',
                        '  *" stop-task "*) echo "{}" ;;',
                        '  *" describe-tasks "*exitCode*) echo "$FAKE_EXIT_CODE" ;;',
                        '  *" describe-tasks "*stoppedReason*) echo "Essential container in task exited" ;;',
                        '  *) echo "unexpected aws call: $*" >&2; exit 2 ;;',
                        "esac",
                    ].join("\n"),
                    { mode: 0o755 },
                );
                const result = spawnSync("/bin/sh", ["-c", runTaskOnceScript(inputs)], {
                    encoding: "utf8",
                    env: {
                        PATH: `${bin}:/usr/bin:/bin`,
                        FAKE_ACCOUNT: "111111111111",
                        FAKE_RUN_TASK: TASK,
                        FAKE_EXIT_CODE: "0",
                        ...fake,
                    },
                });
                const calls = fs.existsSync(log)
                    ? fs.readFileSync(log, "utf8").trim().split("\n")
                    : [];
                return {
                    status: result.status,
                    stdout: result.stdout.trim(),
                    stderr: result.stderr.trim(),
                    calls,
                };
            } finally {
                fs.rmSync(bin, { recursive: true, force: true });
            }
        }

        it("starts one task with the run-task document, waits for it to stop, and prints its ARN when it exits 0", () => {
            const { status, stdout, calls } = runScript({});
            assert.equal(status, 0);
            assert.equal(stdout, TASK);
            assert.equal(calls.length, 4);
            assert.match(calls[0], /^sts get-caller-identity /);
            const runTask =
                /^ecs --region eu-west-1 run-task --cli-input-json (\{.*\}) --query /.exec(
                    calls[1],
                );
            assert.ok(runTask, calls[1]);
            assert.deepEqual(JSON.parse(runTask[1]), {
                cluster: inputs.clusterArn,
                taskDefinition: inputs.taskDefinitionArn,
                count: 1,
                launchType: "FARGATE",
                platformVersion: "LATEST",
                networkConfiguration: {
                    awsvpcConfiguration: {
                        subnets: inputs.subnetIds,
                        securityGroups: inputs.securityGroupIds,
                        assignPublicIp: "DISABLED",
                    },
                },
                startedBy: "aims-offboarding-backup",
                propagateTags: "TASK_DEFINITION",
                enableECSManagedTags: true,
            });
            assert.equal(
                calls[2],
                `ecs --region eu-west-1 wait tasks-stopped --cluster ${inputs.clusterArn} --tasks ${TASK}`,
            );
            assert.match(calls[3], /describe-tasks .*containers\[\?name=='backup'\]\.exitCode/);
        });

        it("fails, naming the exit code, the reason and the log stream, when the container exits non-zero", () => {
            const { status, stderr } = runScript({ FAKE_EXIT_CODE: "1" });
            assert.equal(status, 1);
            assert.match(
                stderr,
                /offboarding backup of tenant greenfield: failed \(exit code 1: Essential container in task exited\); logs: log group \/ecs\/dev-greenfield, stream backup\/backup\/0123456789abcdef0123456789abcdef$/,
            );
            assert.equal(
                runScript({ FAKE_EXIT_CODE: "None" }).status,
                1,
                "a container that never ran fails too",
            );
        });

        it("fails when ECS does not start the task", () => {
            const { status, stderr, calls } = runScript({ FAKE_RUN_TASK: "RESOURCE:ENI" });
            assert.equal(status, 1);
            assert.match(stderr, /ECS did not start the task: RESOURCE:ENI$/);
            assert.equal(calls.length, 2);
        });

        it("refuses AWS credentials of another account before starting anything", () => {
            const { status, stderr, calls } = runScript({ FAKE_ACCOUNT: "999999999999" });
            assert.equal(status, 1);
            assert.match(
                stderr,
                /credentials are for account 999999999999, not the stack's account 111111111111/,
            );
            assert.equal(calls.length, 1);
        });

        it("stops the task and fails when it is still running after the deadline", () => {
            const { status, stderr, calls } = runScript({ FAKE_WAIT_FAILS: "1" });
            assert.equal(status, 1);
            assert.match(stderr, /still running after 60 minutes; stopped arn:aws:ecs:/);
            assert.equal(calls.filter((call) => call.includes(" wait tasks-stopped ")).length, 6);
            assert.ok(calls.some((call) => call.includes(" stop-task ")));
        });

        it("waits as long as the deadline it is given, in ten-minute waits", () => {
            const script = runTaskOnceScript({ ...inputs, deadlineSeconds: 1200 });
            assert.match(script, /if \[ "\$waits" -ge 2 \]; then/);
            assert.match(script, /still running after 20 minutes/);
        });

        it("quotes every value for sh", () => {
            assert.equal(shellQuote("it's"), `'it'\\''s'`);
            const { stdout } = spawnSync(
                "/bin/sh",
                ["-c", `printf %s ${shellQuote('a\'b "$HOME" `x`')}`],
                { encoding: "utf8" },
            );
            assert.equal(stdout, 'a\'b "$HOME" `x`');
        });
    });

    describe("one backup container on both platforms", () => {
        it("runs the same image, command, user, scratch folder, environment and credential variables as a Job and as an ECS task", async () => {
            const school1 = (platform: Platform) =>
                spec({ name: "school1", platform, status: "offboarding" });
            const onKubernetes = await deploy("dev", [school1("kubernetes")]);
            const job = onKubernetes.mocks.get(JOB, "school1-offboarding-backup");
            const [pod] = reveal(job.inputs.spec).template.spec.containers;
            const onAws = await deploy("dev", [school1("aws")]);
            const [task] = JSON.parse(
                onAws.mocks.get(AWS.taskDefinition, "school1-backup-task").inputs
                    .containerDefinitions,
            );
            // Each platform reaches PostgreSQL its own way: PgBouncer in the cluster, aims:aws.databaseHost.
            const sameOnBoth = (variable: { name: string }) =>
                !["PGHOST", "PGPORT"].includes(variable.name);
            type Variable = { name: string; value?: string };
            assert.deepEqual(
                {
                    name: pod.name,
                    image: pod.image,
                    command: pod.command,
                    user: `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`,
                    scratch: pod.volumeMounts.map(
                        (mount: { mountPath: string }) => mount.mountPath,
                    ),
                    environment: pod.env.filter(
                        (v: Variable) => v.value !== undefined && sameOnBoth(v),
                    ),
                    credentials: pod.env
                        .filter((v: Variable) => v.value === undefined && v.name.startsWith("PG"))
                        .map((v: Variable) => v.name),
                },
                {
                    name: task.name,
                    image: task.image,
                    command: task.command,
                    user: task.user,
                    scratch: task.mountPoints.map(
                        (mount: { containerPath: string }) => mount.containerPath,
                    ),
                    environment: task.environment.filter(sameOnBoth),
                    credentials: task.secrets.map((v: Variable) => v.name),
                },
            );
            assert.deepEqual(task.environment.map((v: Variable) => v.name).sort(), [
                "AWS_DEFAULT_REGION",
                "BACKUP_BUCKET",
                "BACKUP_KEY",
                "HOME",
                "PGDATABASE",
                "PGHOST",
                "PGPORT",
            ]);
        });

        it("is refused by the Tenant without the aims:backup its platform needs, which the settings refuse first", () => {
            startMocks("dev");
            const settings = settingsOf("dev", [k8sOffboarding, awsOffboarding]);
            assert.ok(settings.backup?.credentials);
            const withoutKeys = {
                ...settings,
                backup: { ...settings.backup, credentials: undefined },
            };
            assert.throws(
                () => new Tenant("school1", { tenant: k8sOffboarding, settings: withoutKeys }),
                /^Error: tenants\/school1\.yaml: is offboarding on kubernetes but Pulumi\.dev\.yaml has no aims:backup block with accessKeyId and secretAccessKey$/,
            );
            assert.throws(
                () =>
                    new Tenant("greenfield", {
                        tenant: awsOffboarding,
                        settings: { ...settings, backup: undefined },
                    }),
                /^Error: tenants\/greenfield\.yaml: is offboarding but Pulumi\.dev\.yaml has no aims:backup block$/,
            );
        });
    });

    describe("prod", () => {
        it("still retains the offboarding tenants' data, and protects none of it, on both platforms", async () => {
            const { mocks } = await deploy("prod", [k8sOffboarding, awsOffboarding]);
            const data = [
                mocks.get(TYPES.database, "school1-db"),
                mocks.get(TYPES.role, "school1-db-role"),
                mocks.get(TYPES.namespace, "school1-namespace"),
                mocks.get(TYPES.secret, "school1-database-secret"),
                mocks.get(TYPES.secret, "school1-backup-credentials"),
                mocks.get(TYPES.database, "greenfield-db"),
                mocks.get(AWS.secret, "greenfield-db-credentials"),
                mocks.get(AWS.accessPoint, "greenfield-media"),
            ];
            for (const resource of data)
                assert.deepEqual(
                    [resource.protect, resource.retainOnDelete],
                    [false, true],
                    resource.name,
                );
            for (const resource of backupResources(mocks).filter(
                (r) => r.name !== "school1-backup-credentials",
            )) {
                assert.deepEqual(
                    [resource.protect, resource.retainOnDelete],
                    [false, false],
                    resource.name,
                );
            }
        });
    });

    describe("policy pack", () => {
        it("finds no violation in a prod stack with offboarding tenants on both platforms", async () => {
            const { mocks } = await deploy("prod", [
                k8sOffboarding,
                awsOffboarding,
                spec({ name: "riverside-high", platform: "aws" }),
            ]);
            assert.equal(backupResources(mocks).length, 6);
            assert.deepEqual(policyViolations(mocks.resources), []);
        });

        it("would catch a backup role with a wildcard object, a root backup container, or a literal password in the Job", async () => {
            const { mocks } = await deploy("prod", [k8sOffboarding, awsOffboarding]);
            const change = (
                name: string,
                edit: (inputs: Record<string, any>) => void,
            ): RecordedResource[] =>
                mocks.resources.map((r) => {
                    if (r.name !== name) return r;
                    const inputs = reveal(r.inputs);
                    edit(inputs);
                    return { ...r, inputs };
                });
            const wildcard = change("greenfield-backup-policy", (inputs) => {
                inputs.policy = JSON.stringify(
                    backupRolePolicy({
                        objectArn: "arn:aws:s3:::aims-prod-tenant-backups/*",
                        databaseCredentialsArn:
                            "arn:aws:secretsmanager:af-south-1:222222222222:secret:x",
                    }),
                );
            });
            assert.match(
                policyViolations(wildcard).join("\n"),
                /iam-no-wildcard: .* greenfield-backup-policy: statement 0 allows Resource "arn:aws:s3:::aims-prod-tenant-backups\/\*"/,
            );
            const root = change("greenfield-backup-task", (inputs) => {
                inputs.containerDefinitions = JSON.stringify(
                    JSON.parse(inputs.containerDefinitions).map((c: object) => ({
                        ...c,
                        user: "0",
                    })),
                );
            });
            assert.match(
                policyViolations(root).join("\n"),
                /containers-not-root: .* greenfield-backup-task: container "backup" runs as root/,
            );
            const literal = change("school1-offboarding-backup", (inputs) => {
                inputs.spec.template.spec.containers[0].env.push({
                    name: "PGPASSWORD",
                    value: "hunter2",
                });
            });
            assert.match(
                policyViolations(literal).join("\n"),
                /no-literal-secrets: .* school1-offboarding-backup: container "backup" sets PGPASSWORD as a literal value/,
            );
        });
    });
});

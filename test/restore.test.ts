import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as batchV1 from "kubernetes-models/batch/v1";
import { RESTORE_COMMAND, RESTORE_SCRIPT } from "../components/restore";
import { SECRET_PLACEHOLDER } from "../components/stack/stack-file";
import { ValidationError } from "../components/support/errors";
import { Tenant } from "../components/tenant";
import { parseTenantFile, TenantSpec } from "../components/tenant-files/registry";
import {
    JOB_NAME_LIMIT,
    MAX_TENANT_NAME_LENGTH,
    restoreJobName,
} from "../components/vocabulary/naming";
import { LOCKED_DOWN_CONTAINER, TYPES } from "./support/kubernetes";
import {
    deployStack,
    reveal,
    Secret,
    settingsOf,
    spec,
    stackConfig,
    startMocks,
} from "./support/mocks";
import { policyViolations } from "./support/policy";

const JOB = "kubernetes:batch/v1:Job";
const FILE = "tenants/school1.yaml";
const DEV_DUMP = "offboarding/dev/school1/tenant_school1.dump";
const VERSION = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY";
const DEV_BACKUP = JSON.parse(stackConfig("dev").config["aims:backup"]);

/** A tenant file of school1 with `fields` added (`undefined` removes one), parsed as the registry does. */
function parse(fields: Record<string, unknown>) {
    const document: Record<string, unknown> = {
        name: "school1",
        displayName: "School One",
        plan: "standard",
        ...fields,
    };
    for (const [key, value] of Object.entries(document))
        if (value === undefined) delete document[key];
    return parseTenantFile(FILE, yaml.dump(document));
}

const restoring = (env: "dev" | "sit" | "prod", dump: string, versionId?: string) => ({
    restore: { [env]: { dump, ...(versionId !== undefined && { versionId }) } },
});

function settingsProblems(overrides: Record<string, unknown>, tenants: readonly TenantSpec[]) {
    startMocks("dev");
    try {
        settingsOf("dev", tenants, overrides);
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return [...err.problems];
    }
    assert.fail("expected the settings to be rejected");
}

const deploy = (
    stack: string,
    tenants: readonly TenantSpec[],
    overrides: Record<string, unknown> = {},
) => deployStack(stack, tenants, overrides).then((deployed) => deployed.mocks);

/** school1 restoring in dev, from DEV_DUMP at VERSION (`null`: the newest version). */
const devRestore = (overrides: Partial<TenantSpec> = {}, versionId: string | null = VERSION) =>
    spec({
        name: "school1",
        restore: { dev: { dump: DEV_DUMP, ...(versionId !== null && { versionId }) } },
        ...overrides,
    });

describe("restore", () => {
    describe("the tenant file's field", () => {
        it("is read per environment, with its version when given", () => {
            const { tenant, problems } = parse({
                restore: {
                    prod: {
                        dump: "offboarding/prod/school1/tenant_school1.dump",
                        versionId: VERSION,
                    },
                    dev: { dump: "backups/aims/dev/school1/2024-05-01.dump" },
                },
            });
            assert.deepEqual(problems, []);
            assert.deepEqual(tenant?.restore, {
                dev: { dump: "backups/aims/dev/school1/2024-05-01.dump" },
                prod: { dump: "offboarding/prod/school1/tenant_school1.dump", versionId: VERSION },
            });
            assert.equal(parse({}).tenant?.restore, undefined);
        });

        it("refuses hostile or malformed dump keys, one message each naming the file and field", () => {
            const bad: unknown[] = [
                "/offboarding/dev/school1/tenant_school1.dump",
                "s3://aims-dev-tenant-backups/offboarding/dev/school1/tenant_school1.dump",
                "offboarding/dev/school1/../school2/tenant_school2.dump",
                "offboarding/dev/../dev/school1/tenant_school1.dump",
                "offboarding/dev/school1/./tenant_school1.dump",
                "offboarding//dev/school1/tenant_school1.dump",
                "offboarding/dev/school1/tenant_school1.dump\nrm -rf /",
                "offboarding/dev/school1/tenant_school1.dump\u0000",
                "offboarding/dev/school1/\u0007tenant.dump",
                "offboarding/dev/school1/$(touch pwned).dump",
                "offboarding/dev/school1/`id`.dump",
                "offboarding/dev/school1/a;reboot.dump",
                "offboarding/dev/school1/a b.dump",
                'offboarding/dev/school1/"quoted".dump',
                "offboarding/dev/school1/tenant_school1.sql",
                "offboarding/dev/school1/tenant_school1.dump/",
                "offboarding/dev/school1/.dump",
                `offboarding/dev/school1/${"a".repeat(1020)}.dump`,
                "",
                42,
                ["offboarding/dev/school1/tenant_school1.dump"],
            ];
            for (const dump of bad) {
                const { tenant, problems } = parse({ restore: { dev: { dump } } });
                assert.equal(tenant, undefined, JSON.stringify(dump));
                assert.equal(problems.length, 1, `${JSON.stringify(dump)}: ${problems.join("\n")}`);
                assert.match(
                    problems[0],
                    /^tenants\/school1\.yaml: restore\.dev\.dump: (must be an object key of the backup bucket|must be a string|.*character)/,
                    JSON.stringify(dump),
                );
            }
        });

        it("accepts version ids of S3 and S3-compatible stores, refuses others", () => {
            for (const versionId of [
                VERSION,
                "null",
                "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
                "a/b=c+d.e_f",
            ]) {
                assert.deepEqual(
                    parse(restoring("dev", DEV_DUMP, versionId)).problems,
                    [],
                    versionId,
                );
            }
            for (const versionId of ["", "a b", "v1;reboot", "$(id)", "v\n1", "x".repeat(1025)]) {
                const { problems } = parse(restoring("dev", DEV_DUMP, versionId));
                assert.equal(
                    problems.length,
                    1,
                    `${JSON.stringify(versionId)}: ${problems.join("\n")}`,
                );
                assert.match(problems[0], /^tenants\/school1\.yaml: restore\.dev\.versionId: /);
            }
        });

        it("reads only a dump of this tenant in the same environment", () => {
            const good = [
                "offboarding/dev/school1/tenant_school1.dump",
                "backups/aims/dev/school1/manual-2024.dump",
            ];
            for (const dump of good)
                assert.deepEqual(parse(restoring("dev", dump)).problems, [], dump);
            for (const dump of [
                "offboarding/dev/school2/tenant_school2.dump",
                "offboarding/prod/school1/tenant_school1.dump",
                "dev/school1/tenant_school1.dump",
                "tenant_school1.dump",
                "offboarding/dev/school1/nested/tenant_school1.dump",
            ]) {
                assert.deepEqual(
                    parse(restoring("dev", dump)).problems,
                    [
                        `tenants/school1.yaml: restore.dev.dump: must be a dump of this tenant in dev, in the folder <aims:backup.prefix>/dev/school1/ of the bucket, such as offboarding/dev/school1/tenant_<name>.dump (got ${JSON.stringify(dump)}); a dump of another school or environment is restored by hand (docs/offboarding.md)`,
                    ],
                    dump,
                );
            }
        });

        it("names only environments of the tenant, and knows no other field", () => {
            assert.deepEqual(
                parse({
                    environments: ["dev"],
                    ...restoring("prod", "offboarding/prod/school1/a.dump"),
                }).problems,
                [
                    "tenants/school1.yaml: restore.prod: names prod, which is not one of the tenant's environments (dev); remove it",
                ],
            );
            assert.deepEqual(parse({ restore: { qa: { dump: DEV_DUMP } } }).problems, [
                "tenants/school1.yaml: restore.qa: unknown field; allowed: dev, sit, prod",
            ]);
            assert.deepEqual(
                parse({ restore: { dev: { dump: DEV_DUMP, force: true } } }).problems,
                [
                    "tenants/school1.yaml: restore.dev.force: unknown field; allowed: dump, versionId",
                ],
            );
            assert.deepEqual(parse({ restore: { dev: {} } }).problems, [
                "tenants/school1.yaml: restore.dev.dump: is required",
            ]);
            assert.equal(parse({ restore: {} }).problems.length, 1);
            assert.equal(parse({ restore: DEV_DUMP }).problems.length, 1);
        });

        it("is refused on an offboarding tenant, and on a tenant whose file says platform: aws", () => {
            assert.deepEqual(
                parse({ status: "offboarding", ...restoring("dev", DEV_DUMP) }).problems,
                [
                    "tenants/school1.yaml: restore: a tenant that is offboarding is being dumped and closed, not restored; remove restore, or set status: active (or suspended) to bring the school back",
                ],
            );
            assert.deepEqual(parse({ platform: "aws", ...restoring("dev", DEV_DUMP) }).problems, [
                "tenants/school1.yaml: restore: is not supported yet for a tenant on aws (platform: aws); restore its database by hand (docs/offboarding.md)",
            ]);
            for (const status of ["active", "suspended"])
                assert.deepEqual(
                    parse({ status, ...restoring("dev", DEV_DUMP) }).problems,
                    [],
                    status,
                );
        });
    });

    describe("the stack's rules", () => {
        it("requires aims:backup in a stack whose environment the tenant restores in, and only there", () => {
            assert.deepEqual(settingsProblems({ "aims:backup": undefined }, [devRestore()]), [
                "Pulumi.dev.yaml: aims:backup: is required: tenants of this stack restore their database from a dump in its bucket (school1: restore in their tenant files)",
            ]);
            startMocks("prod");
            const prodOnly = spec({
                name: "school1",
                restore: { prod: { dump: "offboarding/prod/school1/tenant_school1.dump" } },
            });
            assert.equal(
                settingsOf("dev", [prodOnly], { "aims:backup": undefined }).backup,
                undefined,
            );
            assert.ok(settingsOf("prod", [prodOnly]).backup);
        });

        it("requires the key pair the Job downloads with", () => {
            const { secretAccessKey: _secret, accessKeyId: _id, ...withoutKeys } = DEV_BACKUP;
            assert.deepEqual(settingsProblems({ "aims:backup": withoutKeys }, [devRestore()]), [
                "Pulumi.dev.yaml: aims:backup.accessKeyId: is required: restoring tenants on Kubernetes (school1) download with it",
                "Pulumi.dev.yaml: aims:backup.secretAccessKey: is required: restoring tenants on Kubernetes (school1) download with it; set it once with: pulumi config set --secret --path aims:backup.secretAccessKey --stack dev",
            ]);
        });

        it("requires the dump under the stack's prefix", () => {
            assert.deepEqual(
                settingsProblems({ "aims:backup": { ...DEV_BACKUP, prefix: "backups/aims" } }, [
                    devRestore(),
                ]),
                [
                    'tenants/school1.yaml: restore.dev.dump: must lie in the tenant\'s folder backups/aims/dev/school1/ of Pulumi.dev.yaml\'s backup bucket (aims:backup.prefix is "backups/aims"), got "offboarding/dev/school1/tenant_school1.dump"',
                ],
            );
        });

        it("refuses a restore on a tenant the stack runs on aws", () => {
            const problems = settingsProblems(
                {
                    "aims:platform": "aws",
                    "aims:aws": JSON.parse(stackConfig("sit").config["aims:aws"] ?? "null"),
                },
                [devRestore()],
            );
            assert.ok(
                problems.includes(
                    "tenants/school1.yaml: restore.dev: is not supported yet for a tenant on aws, and Pulumi.dev.yaml runs this tenant on aws (aims:platform); restore its database by hand (docs/offboarding.md), or set platform: kubernetes",
                ),
                problems.join("\n"),
            );
        });
    });

    describe("the Job's name", () => {
        it("carries a hash of the dump and its version: a new one runs a new Job, the same one none", () => {
            const name = restoreJobName("school1", { dump: DEV_DUMP, versionId: VERSION });
            assert.match(name, /^school1-restore-[0-9a-f]{8}$/);
            assert.equal(name, restoreJobName("school1", { dump: DEV_DUMP, versionId: VERSION }));
            const others = [
                restoreJobName("school1", { dump: DEV_DUMP }),
                restoreJobName("school1", { dump: DEV_DUMP, versionId: "null" }),
                restoreJobName("school1", { dump: DEV_DUMP, versionId: "other" }),
                restoreJobName("school1", {
                    dump: "offboarding/dev/school1/other.dump",
                    versionId: VERSION,
                }),
            ];
            assert.equal(new Set([name, ...others]).size, 5);
        });

        it("stays a DNS label of at most 63 characters for every tenant name, and distinct per dump", () => {
            for (let length = 1; length <= MAX_TENANT_NAME_LENGTH; length++) {
                const tenant = "s".repeat(length);
                const a = restoreJobName(tenant, { dump: "a.dump" });
                const b = restoreJobName(tenant, { dump: "b.dump" });
                for (const name of [a, b]) {
                    assert.ok(name.length <= JOB_NAME_LIMIT, name);
                    assert.match(name, /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
                }
                assert.notEqual(a, b, tenant);
            }
        });
    });

    describe("the container's script", () => {
        const ENV = {
            TENANT: "school1",
            PGDATABASE: "tenant_school1",
            RESTORE_BUCKET: "aims-dev-tenant-backups",
            RESTORE_KEY: DEV_DUMP,
        };

        /** Runs RESTORE_SCRIPT with a fake aws and pg_restore; returns its status, stderr and their calls, one argument a line. */
        function run(
            env: Record<string, string>,
            fake: { aws?: number; list?: number; restore?: number } = {},
        ) {
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "aims-restore-"));
            try {
                const log = path.join(bin, "calls.log");
                const tool = (name: string, exit: string) =>
                    fs.writeFileSync(
                        path.join(bin, name),
                        `#!/bin/sh\n{ printf '%s' "${name}"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> "${log}"\necho "${name} says no" >&2\n${exit}\n`,
                        { mode: 0o755 },
                    );
                tool("aws", `exit ${fake.aws ?? 0}`);
                tool(
                    "pg_restore",
                    `case "$1" in --list) exit ${fake.list ?? 0};; *) exit ${fake.restore ?? 0};; esac`,
                );
                const result = spawnSync("/bin/sh", ["-ec", RESTORE_SCRIPT], {
                    encoding: "utf8",
                    cwd: bin,
                    env: { PATH: `${bin}:/usr/bin:/bin`, ...ENV, ...env },
                });
                return {
                    status: result.status,
                    stdout: result.stdout,
                    stderr: result.stderr,
                    calls: fs.existsSync(log)
                        ? fs.readFileSync(log, "utf8").trim().split("\n")
                        : [],
                    files: fs.readdirSync(bin).sort(),
                };
            } finally {
                fs.rmSync(bin, { recursive: true, force: true });
            }
        }

        const RESTORE_CALL =
            "pg_restore [--single-transaction] [--exit-on-error] [--no-owner] [--no-privileges] [--clean] [--if-exists] [--no-password] [--dbname=tenant_school1] [/tmp/restore.dump]";

        it("is `sh -ec`: downloads the version, checks the archive, restores it in one transaction", () => {
            assert.deepEqual(RESTORE_COMMAND, ["sh", "-ec", RESTORE_SCRIPT]);
            const { status, calls, stdout } = run({
                RESTORE_VERSION_ID: VERSION,
                AWS_ENDPOINT_URL: "https://objects.example.org",
            });
            assert.equal(status, 0);
            assert.deepEqual(calls, [
                `aws [s3api] [get-object] [--bucket] [aims-dev-tenant-backups] [--key] [${DEV_DUMP}] [--version-id] [${VERSION}] [--endpoint-url] [https://objects.example.org] [/tmp/restore.dump]`,
                "pg_restore [--list] [/tmp/restore.dump]",
                RESTORE_CALL,
            ]);
            assert.equal(
                stdout,
                `restore of tenant school1: restored s3://aims-dev-tenant-backups/${DEV_DUMP} (version ${VERSION}) into database tenant_school1\n`,
            );
        });

        it("reads the newest version and AWS S3 when neither is set", () => {
            const { calls } = run({});
            assert.equal(
                calls[0],
                `aws [s3api] [get-object] [--bucket] [aims-dev-tenant-backups] [--key] [${DEV_DUMP}] [/tmp/restore.dump]`,
            );
        });

        it("fails with a clear message and restores nothing when the dump is missing or unreadable", () => {
            const { status, calls, stderr } = run({}, { aws: 254 });
            assert.notEqual(status, 0);
            assert.equal(calls.length, 1);
            assert.equal(
                stderr,
                `restore of tenant school1: the dump s3://aims-dev-tenant-backups/${DEV_DUMP} does not exist (or is not readable with the backup key): aws says no\n`,
            );
        });

        it("fails with a clear message and restores nothing when the object is not a pg_dump archive", () => {
            const { status, calls, stderr } = run({}, { list: 1 });
            assert.notEqual(status, 0);
            assert.deepEqual(calls.slice(1), ["pg_restore [--list] [/tmp/restore.dump]"]);
            assert.equal(
                stderr,
                `restore of tenant school1: the dump s3://aims-dev-tenant-backups/${DEV_DUMP} is not a valid pg_dump archive: pg_restore says no\n`,
            );
        });

        it("fails, saying the transaction was rolled back, when pg_restore fails", () => {
            const { status, calls, stderr } = run({}, { restore: 1 });
            assert.notEqual(status, 0);
            assert.equal(calls[2], RESTORE_CALL);
            assert.match(
                stderr,
                /restore of tenant school1: pg_restore of s3:\/\/aims-dev-tenant-backups\/offboarding\/dev\/school1\/tenant_school1\.dump failed \(above\); its transaction was rolled back and database tenant_school1 is as it was\n$/,
            );
        });

        it("passes hostile keys and versions to the aws CLI as one argument each, running nothing of them", () => {
            for (const hostile of [
                "$(touch pwned)",
                "`touch pwned`",
                "a; touch pwned",
                "a && touch pwned #",
                "a\ntouch pwned",
                "' \" ; touch pwned",
                "--endpoint-url https://evil.example.org",
                "*",
            ]) {
                const { status, calls, files } = run({
                    RESTORE_KEY: hostile,
                    RESTORE_VERSION_ID: hostile,
                });
                assert.equal(status, 0, hostile);
                assert.ok(!files.includes("pwned"), hostile);
                assert.equal(
                    calls[0].split("\n")[0],
                    `aws [s3api] [get-object] [--bucket] [aims-dev-tenant-backups] [--key] [${hostile}] [--version-id] [${hostile}] [/tmp/restore.dump]`.split(
                        "\n",
                    )[0],
                    hostile,
                );
            }
        });
    });

    describe("Kubernetes tenant", () => {
        it("runs one locked-down Job with the backup image, the tenant's own role and the key pair, all by reference", async () => {
            const mocks = await deploy("dev", [devRestore()]);
            const recorded = mocks.get(JOB, "school1-restore");
            const job = reveal(recorded.inputs);
            const labels = {
                "aims.example.org/tenant": "school1",
                "aims.example.org/environment": "dev",
                "aims.example.org/plan": "standard",
                "app.kubernetes.io/managed-by": "pulumi",
                "app.kubernetes.io/component": "restore",
            };
            assert.deepEqual(job.metadata, {
                name: restoreJobName("school1", { dump: DEV_DUMP, versionId: VERSION }),
                namespace: "school1",
                labels,
                annotations: { "pulumi.com/replaceUnready": "true" },
            });
            assert.deepEqual(recorded.ignoreChanges, ["spec"]);
            assert.equal(job.spec.backoffLimit, 1);
            assert.equal(job.spec.activeDeadlineSeconds, 3600);
            const pod = job.spec.template.spec;
            assert.deepEqual(job.spec.template.metadata, { labels });
            assert.equal(pod.restartPolicy, "Never");
            assert.equal(pod.automountServiceAccountToken, false);
            assert.deepEqual(pod.securityContext, {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.deepEqual(pod.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "20Gi" } }]);
            const [container] = pod.containers;
            assert.equal(pod.containers.length, 1);
            assert.equal(container.name, "restore");
            assert.equal(container.terminationMessagePolicy, "FallbackToLogsOnError");
            assert.equal(container.image, "registry.example.org/aims/pg-backup:16");
            assert.deepEqual(container.command, ["sh", "-ec", RESTORE_SCRIPT]);
            assert.deepEqual(container.securityContext, LOCKED_DOWN_CONTAINER);
            assert.deepEqual(container.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
            const ref = (name: string, secret: string, key: string) => ({
                name,
                valueFrom: { secretKeyRef: { name: secret, key } },
            });
            assert.deepEqual(container.env, [
                { name: "TENANT", value: "school1" },
                { name: "PGHOST", value: "pgbouncer.database.svc.cluster.local" },
                { name: "PGPORT", value: "6432" },
                { name: "PGDATABASE", value: "tenant_school1" },
                { name: "RESTORE_BUCKET", value: "aims-dev-tenant-backups" },
                { name: "RESTORE_KEY", value: DEV_DUMP },
                { name: "RESTORE_VERSION_ID", value: VERSION },
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
            new batchV1.Job(job).validate();
        });

        it("keeps the key pair in a secret Secret, and passes the endpoint and no version when unset", async () => {
            const mocks = await deploy("dev", [devRestore({}, null)], {
                "aims:backup": { ...DEV_BACKUP, endpoint: "https://objects.example.org" },
            });
            const secret = mocks.get(TYPES.secret, "school1-backup-credentials");
            assert.ok(secret.inputs.stringData instanceof Secret);
            const env = reveal(mocks.get(JOB, "school1-restore").inputs).spec.template.spec
                .containers[0].env as { name: string; value?: string }[];
            const names = env.map((e) => e.name);
            assert.ok(!names.includes("RESTORE_VERSION_ID"), names.join(" "));
            assert.deepEqual(
                env.filter((e) => e.name.startsWith("AWS_") && e.value !== undefined),
                [
                    { name: "AWS_DEFAULT_REGION", value: "eu-west-1" },
                    { name: "AWS_ENDPOINT_URL", value: "https://objects.example.org" },
                    { name: "AWS_REQUEST_CHECKSUM_CALCULATION", value: "when_required" },
                    { name: "AWS_RESPONSE_CHECKSUM_VALIDATION", value: "when_required" },
                ],
            );
        });

        it("runs before the release of an active tenant: the release depends on the Job, which waits for the secrets and isolation", async () => {
            const mocks = await deploy("dev", [devRestore()]);
            const job = mocks.get(JOB, "school1-restore");
            const release = mocks.get(TYPES.release, "school1-release");
            assert.ok(release.dependencies.includes(job.urn), "the release waits for the restore");
            assert.ok(!job.dependencies.includes(release.urn));
            for (const [type, name] of [
                [TYPES.secret, "school1-database-secret"],
                [TYPES.secret, "school1-backup-credentials"],
                [TYPES.networkPolicy, "school1-network-policy"],
                [TYPES.resourceQuota, "school1-quota"],
            ]) {
                assert.ok(job.dependencies.includes(mocks.get(type, name).urn), name);
            }
        });

        it("runs after the scale-down of a suspended tenant: the Job waits for the release's rollout check", async () => {
            const mocks = await deploy("dev", [devRestore({ status: "suspended" })]);
            const job = mocks.get(JOB, "school1-restore");
            const release = mocks.get(TYPES.release, "school1-release");
            const rollout = mocks.get(TYPES.rolloutCheck, "school1-rollout");
            assert.ok(job.dependencies.includes(rollout.urn), "after the last pod is gone");
            assert.ok(!release.dependencies.includes(job.urn));
        });

        it("registers nothing of a restore in a stack of another environment, or without the field", async () => {
            const prodOnly = spec({
                name: "school1",
                restore: { prod: { dump: "offboarding/prod/school1/tenant_school1.dump" } },
            });
            for (const tenant of [prodOnly, spec({ name: "school1" })]) {
                const mocks = await deploy("dev", [tenant]);
                assert.equal(mocks.ofType(TYPES.release).length, 1);
                assert.deepEqual(
                    mocks.resources
                        .filter((r) => r.type === JOB || r.name.endsWith("backup-credentials"))
                        .map((r) => r.name),
                    [],
                );
            }
        });

        it("is refused by the Tenant without aims:backup, which the settings refuse first", () => {
            const settings = settingsOf("dev", [spec({ name: "other" })], {
                "aims:backup": undefined,
            });
            assert.throws(
                () => new Tenant("school1", { tenant: devRestore(), settings }),
                /^Error: tenants\/school1\.yaml: restores its database on kubernetes but Pulumi\.dev\.yaml has no aims:backup block/,
            );
        });

        it("finds no policy violation in prod, and no secret value in any resource's inputs", async () => {
            const tenant = spec({
                name: "school1",
                restore: {
                    prod: {
                        dump: "offboarding/prod/school1/tenant_school1.dump",
                        versionId: VERSION,
                    },
                },
            });
            const mocks = await deploy("prod", [tenant]);
            assert.equal(mocks.ofType(JOB).length, 1);
            assert.deepEqual(policyViolations(mocks.resources), []);
            const job = JSON.stringify(reveal(mocks.get(JOB, "school1-restore").inputs));
            assert.doesNotMatch(job, new RegExp(SECRET_PLACEHOLDER));
        });
    });
});

/**
 * The life of tenants under the real Pulumi engine, against a real Kubernetes API server and a
 * real PostgreSQL: create, isolation, no drift, growth, a plan change, suspension, the deletion
 * guard, offboarding and removal, protection, and destroy. Each scenario looks at the result
 * from outside the program: through the Kubernetes API, and through PostgreSQL as the admin and
 * as each tenant's own role, with the credentials from the tenant's Kubernetes Secret. The
 * scenarios run in order on one stack; the first failure stops the rest (mocha's bail).
 */
import { strict as assert } from "node:assert";
import { TENANT_TYPE } from "../../components/vocabulary/type-tokens";
import { KubeClient, KubeObject } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { dumpAsSql, startBackupStorage, useBackupStorage } from "./support/backup-storage";
import { adminQuery, Login, refusal, withSession } from "./support/postgres";
import type { S3Standin } from "./support/s3-standin";
import { deploymentsReady, podsOf, SeededSchool, seededSchool } from "./support/tenant-app";
import {
    BASE_DOMAIN,
    OperationRecord,
    POLICY_PACK,
    RealStack,
    TenantFile,
    tenantOfUrn,
} from "./support/project";

const ALPHA: TenantFile = { name: "alpha", plan: "small" };
// Small, but for charlie's plan change: the plans' CPU requests must fit a two-core node.
const BRAVO: TenantFile = { name: "bravo", plan: "small" };
const CHARLIE: TenantFile = { name: "charlie", plan: "small" };
/** Replicas of the chart's Deployments per plan while active (README, plans table). */
const REPLICAS = { small: 1, standard: 2, large: 3 } as const;
const BACKEND_REPLICAS = { small: 1, standard: 2, large: 4 } as const;
const CONNECTION_LIMITS = { small: 20, standard: 40, large: 80 } as const;
/** PostgreSQL's SQLSTATEs: permission denied, wrong password, a query across databases. */
const DENIED = "42501";
const BAD_PASSWORD = "28P01";
const CROSS_DATABASE = "0A000";

describe("the program under the real engine", function () {
    this.timeout(20 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let stack: RealStack | undefined;
    let s3: S3Standin | undefined;
    let bravoSeeded: SeededSchool | undefined;
    const timings: Array<[string, number]> = [];
    const timed = async (what: string, operation: Promise<OperationRecord>) => {
        const record = await operation;
        timings.push([what, record.seconds]);
        return record;
    };

    const namespace = (name: string) => kube.get(`/api/v1/namespaces/${name}`);
    const deployments = (name: string) => kube.list(`/apis/apps/v1/namespaces/${name}/deployments`);
    /** What a pod of the tenant gets: its database Secret, decoded. */
    const databaseSecret = async (tenant: string) => {
        const secret = await kube.get(`/api/v1/namespaces/${tenant}/secrets/${tenant}-database`);
        assert.ok(secret?.data, `Secret ${tenant}/${tenant}-database exists`);
        return Object.fromEntries(
            Object.entries(secret.data).map(([key, value]) => [
                key,
                Buffer.from(value, "base64").toString("utf8"),
            ]),
        );
    };
    const loginOf = async (tenant: string): Promise<Login & { database: string }> => {
        const secret = await databaseSecret(tenant);
        return { user: secret.username, password: secret.password, database: secret.database };
    };
    const databasesLike = async (pattern: string) =>
        (
            await adminQuery<{ datname: string }>(
                platform,
                "SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1",
                [pattern],
            )
        ).map((r) => r.datname);
    const rolesLike = async (pattern: string) =>
        (
            await adminQuery<{ rolname: string }>(
                platform,
                "SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1",
                [pattern],
            )
        ).map((r) => r.rolname);

    before(async function () {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        for (const tenant of [ALPHA, BRAVO, CHARLIE]) {
            assert.equal(
                await namespace(tenant.name),
                undefined,
                `namespace ${tenant.name} is left over from an earlier run; delete it first`,
            );
        }
        assert.deepEqual(
            await databasesLike("tenant_%"),
            [],
            "tenant databases are left over from an earlier run; drop them first",
        );
        stack = await RealStack.create(platform);
        s3 = await startBackupStorage(platform);
        useBackupStorage(stack, s3);
    });

    after(async function () {
        await s3?.stop();
        await stack?.tearDown(() =>
            stack!.editConfig((config) => ({ ...config, "aims:protectData": false })),
        );
        if (timings.length > 0) {
            console.log("\n    operation                                      seconds");
            for (const [what, seconds] of timings)
                console.log(`    ${what.padEnd(46)} ${seconds.toFixed(1)}`);
        }
    });

    it("create: a preview of two tenants creates everything and touches nothing", async () => {
        stack!.writeTenants([ALPHA, BRAVO]);
        const preview = await timed("preview, 2 new tenants", stack!.preview());
        const ops = new Set(preview.changed.map((c) => c.op));
        assert.deepEqual([...ops], ["create"]);
        for (const tenant of [ALPHA, BRAVO]) {
            assert.ok(
                preview.changed.some((c) => c.urn.endsWith(`${TENANT_TYPE}::${tenant.name}`)),
                `${tenant.name} is created`,
            );
            assert.equal(await namespace(tenant.name), undefined, "a preview creates nothing");
        }
        assert.deepEqual(await databasesLike("tenant_%"), []);
    });

    it("create: up makes each tenant's namespace, isolation, secrets, release, ingress, database and role", async () => {
        await timed("up, 2 new tenants", stack!.up());
        for (const tenant of [ALPHA, BRAVO]) {
            const name = tenant.name;
            const labels = (await namespace(name))?.metadata.labels ?? {};
            assert.equal(
                labels["pod-security.kubernetes.io/enforce"],
                "restricted",
                `${name}: Pod Security restricted`,
            );
            assert.equal(labels["aims.example.org/tenant"], name);

            const policy = await kube.get(
                `/apis/networking.k8s.io/v1/namespaces/${name}/networkpolicies/tenant-isolation`,
            );
            assert.deepEqual(
                policy?.spec.podSelector,
                {},
                `${name}: the NetworkPolicy selects every pod`,
            );
            assert.deepEqual(policy?.spec.policyTypes, ["Ingress"]);
            const quota = await kube.get(`/api/v1/namespaces/${name}/resourcequotas/tenant-quota`);
            assert.equal(quota?.spec.hard.persistentvolumeclaims, "0");
            assert.equal(quota?.spec.hard["services.loadbalancers"], "0");
            assert.ok(
                await kube.get(`/api/v1/namespaces/${name}/limitranges/tenant-limits`),
                `${name}: LimitRange`,
            );

            const database = await databaseSecret(name);
            assert.deepEqual(Object.keys(database).sort(), [
                "database",
                "host",
                "password",
                "port",
                "secret-key",
                "username",
            ]);
            assert.equal(database["secret-key"].length, 64, "SECRET_KEY is in the same Secret");
            assert.equal(
                await kube.get(`/api/v1/namespaces/${name}/secrets/${name}-django-secret`),
                undefined,
                "no Secret of its own for SECRET_KEY",
            );
            assert.equal(database.database, `tenant_${name}`);
            assert.equal(database.username, `tenant_${name}`);
            assert.notEqual(
                database.username,
                platform.admin.user,
                "pods never get the admin login",
            );

            const ingress = await kube.get(
                `/apis/networking.k8s.io/v1/namespaces/${name}/ingresses/${name}`,
            );
            const host = `${name}.${BASE_DOMAIN}`;
            assert.deepEqual(ingress?.spec.tls, [{ hosts: [host], secretName: `${name}-tls` }]);
            assert.equal(ingress?.spec.rules[0].host, host);
            assert.deepEqual(
                ingress?.spec.rules[0].http.paths.map(
                    (p: any) =>
                        `${p.path}->${p.backend.service.name}:${p.backend.service.port.number}`,
                ),
                [
                    `/api->${name}-backend:8000`,
                    `/admin->${name}-backend:8000`,
                    `/static->${name}-backend:8000`,
                    `/media->${name}-backend:8000`,
                    `/->${name}-frontend:3000`,
                ],
            );

            const releases = await kube.list(
                `/api/v1/namespaces/${name}/secrets`,
                `owner=helm,name=${name}`,
            );
            assert.deepEqual(
                releases.map((r) => r.metadata.labels?.status),
                ["deployed"],
                `${name}: the Helm release is deployed`,
            );
            assert.deepEqual(replicasOf(await deployments(name)), {
                [`${name}-backend`]: BACKEND_REPLICAS[tenant.plan],
                [`${name}-frontend`]: REPLICAS[tenant.plan],
            });
            assert.deepEqual(
                await deploymentsReady(kube, name),
                [`${name}-backend: 1/1 @ 1.0.0`, `${name}-frontend: 1/1 @ 1.0.0`],
                `${name}: up returned once the pods were ready`,
            );
            assert.equal(
                (await seededSchool(platform, kube, name))?.subdomain,
                name,
                `${name}: the pods migrated and bootstrapped its database with its own role`,
            );
        }
        assert.deepEqual(await databasesLike("tenant_%"), ["tenant_alpha", "tenant_bravo"]);
        const roles = await adminQuery<{
            rolname: string;
            rolconnlimit: number;
            rolsuper: boolean;
            rolcreatedb: boolean;
            rolcreaterole: boolean;
        }>(
            platform,
            "SELECT rolname, rolconnlimit, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname LIKE 'tenant_%' ORDER BY 1",
        );
        assert.deepEqual(roles, [
            {
                rolname: "tenant_alpha",
                rolconnlimit: CONNECTION_LIMITS.small,
                rolsuper: false,
                rolcreatedb: false,
                rolcreaterole: false,
            },
            {
                rolname: "tenant_bravo",
                rolconnlimit: CONNECTION_LIMITS.small,
                rolsuper: false,
                rolcreatedb: false,
                rolcreaterole: false,
            },
        ]);
        const outputs = await stack!.outputs();
        assert.deepEqual(
            (outputs.tenants as Array<{ name: string }>).map((t) => t.name),
            ["alpha", "bravo"],
        );
        assert.doesNotMatch(
            JSON.stringify(outputs),
            new RegExp((await databaseSecret("alpha")).password),
            "no password in the outputs",
        );
    });

    it("isolation: each tenant's role works in its own database and is refused everywhere else", async () => {
        const alpha = await loginOf("alpha");
        const bravo = await loginOf("bravo");
        for (const [own, other] of [
            [alpha, bravo],
            [bravo, alpha],
        ]) {
            await withSession(platform, own, own.database, async (client) => {
                await client.query("CREATE TABLE pupils (name text)");
                await client.query("INSERT INTO pupils VALUES ($1)", [`pupil of ${own.user}`]);
                await client.query("CREATE TEMP TABLE scratch (x int)");
            });
            const attempts: Array<
                [string, string, Promise<{ code?: string; message: string } | undefined>]
            > = [
                [
                    "connect to the other tenant's database",
                    DENIED,
                    refusal(platform, own, other.database),
                ],
                [
                    "log in as the other tenant with its own password",
                    BAD_PASSWORD,
                    refusal(platform, { user: other.user, password: own.password }, other.database),
                ],
                [
                    "take on the other tenant's role",
                    DENIED,
                    refusal(platform, own, own.database, (c) => c.query(`SET ROLE ${other.user}`)),
                ],
                [
                    "read the other tenant's table by its full name",
                    CROSS_DATABASE,
                    refusal(platform, own, own.database, (c) =>
                        c.query(`SELECT * FROM ${other.database}.public.pupils`),
                    ),
                ],
                [
                    "create a database",
                    DENIED,
                    refusal(platform, own, own.database, (c) =>
                        c.query("CREATE DATABASE intruder"),
                    ),
                ],
                [
                    "create a role",
                    DENIED,
                    refusal(platform, own, own.database, (c) => c.query("CREATE ROLE intruder")),
                ],
                [
                    "create a table in postgres",
                    DENIED,
                    refusal(platform, own, "postgres", (c) =>
                        c.query("CREATE TABLE intruder (x int)"),
                    ),
                ],
                [
                    "create a table in template1",
                    DENIED,
                    refusal(platform, own, "template1", (c) =>
                        c.query("CREATE TABLE intruder (x int)"),
                    ),
                ],
            ];
            for (const [attempt, expected, result] of attempts) {
                const error = await result;
                assert.ok(error, `${own.user}: ${attempt} must be refused`);
                assert.equal(error.code, expected, `${own.user}: ${attempt}: ${error.message}`);
            }
        }
        // What the catalogue says, for every privilege PUBLIC could hold on a tenant database.
        const acl = await adminQuery<{ datname: string; privilege: string; role: string }>(
            platform,
            `
            SELECT d.datname, p.privilege, r.rolname AS role
              FROM pg_database d, unnest(ARRAY['CONNECT', 'TEMPORARY', 'CREATE']) AS p(privilege), pg_roles r
             WHERE d.datname LIKE 'tenant_%' AND r.rolname LIKE 'tenant_%' AND r.rolname <> d.datname
               AND has_database_privilege(r.oid, d.oid, p.privilege)`,
        );
        assert.deepEqual(
            acl,
            [],
            "no tenant role holds CONNECT, TEMPORARY or CREATE on another tenant's database",
        );
        for (const own of [alpha, bravo]) {
            const publicSchema = await withSession(
                platform,
                own,
                own.database,
                async (client) =>
                    (
                        await client.query(
                            "SELECT array_agg(a.privilege_type::text ORDER BY 1) AS privileges FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee = 0",
                        )
                    ).rows[0],
            );
            assert.deepEqual(
                publicSchema.privileges,
                ["USAGE"],
                `${own.database}: PUBLIC may only use schema public`,
            );
        }
    });

    it("no drift: a preview right after up changes nothing, with and without refresh", async () => {
        const plain = await timed("preview, no change (2 tenants)", stack!.preview());
        assert.deepEqual(plain.changed, []);
        const refreshed = await timed(
            "preview --refresh, no change",
            stack!.preview({ refresh: true }),
        );
        assert.deepEqual(
            refreshed.changed.filter((c) => c.op !== "refresh"),
            [],
        );
    });

    it("policy pack: a preview that adds a tenant runs every mandatory rule, none of them skipped", async () => {
        stack!.writeTenants([ALPHA, BRAVO, CHARLIE]);
        const preview = await timed(
            "preview --policy-pack, 1 new tenant",
            stack!.preview({ policyPacks: [POLICY_PACK] }),
        );
        const skipped = preview.diagnostics.filter((d) =>
            /can't run policy|can't be known during preview/i.test(d.message),
        );
        assert.deepEqual(
            skipped,
            [],
            "no rule is reduced to an advisory message by unknown values",
        );
        assert.deepEqual(
            preview.diagnostics.filter((d) => d.severity.startsWith("policy:")),
            [],
        );
    });

    it("growth: adding a third tenant creates only its resources", async () => {
        const up = await timed("up, add 1 tenant to 2", stack!.up());
        assert.ok(up.changed.length > 10);
        assert.deepEqual(new Set(up.changed.map((c) => tenantOfUrn(c.urn))), new Set(["charlie"]));
        assert.deepEqual(new Set(up.changed.map((c) => c.op)), new Set(["create"]));
    });

    it("suspend: both Deployments go to zero and the data stays", async () => {
        stack!.writeTenants([ALPHA, { ...BRAVO, status: "suspended" }, CHARLIE]);
        const up = await timed("up, suspend 1 tenant", stack!.up());
        assert.deepEqual(new Set(up.changed.map((c) => tenantOfUrn(c.urn))), new Set(["bravo"]));
        assert.deepEqual(replicasOf(await deployments("bravo")), {
            "bravo-backend": 0,
            "bravo-frontend": 0,
        });
        const bravo = await loginOf("bravo");
        const rows = await withSession(
            platform,
            bravo,
            bravo.database,
            async (client) => (await client.query("SELECT name FROM pupils")).rows,
        );
        assert.deepEqual(rows, [{ name: "pupil of tenant_bravo" }]);
        assert.deepEqual(await podsOf(kube, "bravo"), [], "up waited until no pod could write");
        bravoSeeded = await seededSchool(platform, kube, "bravo");
        assert.equal(bravoSeeded?.subdomain, "bravo");
    });

    // While bravo is suspended: a rolling update keeps the old pods until the new ones are ready,
    // and the node has two cores.
    it("plan change: only that tenant's resources change, and up waits for its rollout", async () => {
        const upgraded = { ...CHARLIE, plan: "standard" as const };
        stack!.writeTenants([ALPHA, { ...BRAVO, status: "suspended" }, upgraded]);
        const up = await timed("up, change 1 tenant's plan", stack!.up());
        assert.deepEqual(new Set(up.changed.map((c) => tenantOfUrn(c.urn))), new Set(["charlie"]));
        assert.deepEqual(
            new Set(up.changed.map((c) => c.op)),
            new Set(["update"]),
            "updated in place, never replaced",
        );
        assert.deepEqual(replicasOf(await deployments("charlie")), {
            "charlie-backend": 2,
            "charlie-frontend": 2,
        });
        assert.deepEqual(
            await deploymentsReady(kube, "charlie"),
            ["charlie-backend: 2/2 @ 1.0.0", "charlie-frontend: 2/2 @ 1.0.0"],
            "up waited for the rollout",
        );
        const [role] = await adminQuery<{ rolconnlimit: number }>(
            platform,
            "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'tenant_charlie'",
        );
        assert.equal(role.rolconnlimit, CONNECTION_LIMITS.standard);
    });

    it("resume: the pods come back on the data they left", async () => {
        stack!.writeTenants([ALPHA, BRAVO, { ...CHARLIE, plan: "standard" }]);
        const up = await timed("up, resume 1 tenant", stack!.up());
        assert.deepEqual(new Set(up.changed.map((c) => tenantOfUrn(c.urn))), new Set(["bravo"]));
        assert.deepEqual(await deploymentsReady(kube, "bravo"), [
            "bravo-backend: 1/1 @ 1.0.0",
            "bravo-frontend: 1/1 @ 1.0.0",
        ]);
        assert.deepEqual(await seededSchool(platform, kube, "bravo"), bravoSeeded);
    });

    it("remove without confirmation, or without a backup: the guard refuses through the real StackReference, and nothing changes", async () => {
        const before = (await stack!.resourceUrns()).sort();
        stack!.writeTenants([BRAVO, { ...CHARLIE, plan: "standard" }]);
        await assert.rejects(stack!.up(), (err: Error) => {
            assert.match(err.message, /aims:allowTenantRemoval: removing .*alpha/);
            return true;
        });
        stack!.editConfig((config) => ({ ...config, "aims:allowTenantRemoval": ["alpha"] }));
        await assert.rejects(
            stack!.up(),
            (err: Error) => {
                assert.match(
                    err.message,
                    /aims:forceTenantRemoval: alpha was active when the stack last deployed it, so no offboarding backup/,
                );
                return true;
            },
            "confirmed, but never offboarded: no backup was taken",
        );
        stack!.editConfig(({ "aims:allowTenantRemoval": _confirmed, ...config }) => config);
        assert.deepEqual((await stack!.resourceUrns()).sort(), before);
        assert.ok(await namespace("alpha"));
        assert.deepEqual(await databasesLike("tenant_alpha"), ["tenant_alpha"]);
    });

    it("offboard: the workload stops, and the backup Job dumps the database to the bucket", async () => {
        stack!.writeTenants([
            { ...ALPHA, status: "offboarding" },
            BRAVO,
            { ...CHARLIE, plan: "standard" },
        ]);
        await timed("up, offboard 1 tenant", stack!.up());
        assert.deepEqual(replicasOf(await deployments("alpha")), {
            "alpha-backend": 0,
            "alpha-frontend": 0,
        });
        const jobs = await kube.list("/apis/batch/v1/namespaces/alpha/jobs");
        assert.equal(jobs.length, 1);
        assert.equal(
            jobs[0].spec.template.spec.containers[0].env.find((e: any) => e.name === "PGDATABASE")
                ?.value,
            "tenant_alpha",
        );
        assert.equal(jobs[0].status.succeeded, 1, "up waited for the backup");
        const dump = await s3!.getObject("offboarding/dev/alpha/tenant_alpha.dump");
        const { seededAt } = (await seededSchool(platform, kube, "alpha"))!;
        assert.match(
            dumpAsSql(dump),
            new RegExp(
                `COPY public\\.standin_school [^\\n]*\\n\\d+\\talpha\\t${seededAt.replace(/[+.]/g, "\\$&")}\\n`,
            ),
            "the dump holds the row the app seeded",
        );
    });

    it("remove with confirmation: the namespace, database and role are gone", async () => {
        stack!.writeTenants([BRAVO, { ...CHARLIE, plan: "standard" }]);
        stack!.editConfig((config) => ({ ...config, "aims:allowTenantRemoval": ["alpha"] }));
        const up = await timed("up, remove 1 offboarded tenant", stack!.up());
        assert.deepEqual(new Set(up.changed.map((c) => c.op)), new Set(["delete"]));
        assert.deepEqual(new Set(up.changed.map((c) => tenantOfUrn(c.urn))), new Set(["alpha"]));
        assert.equal(await namespace("alpha"), undefined);
        assert.deepEqual(await databasesLike("tenant_alpha"), []);
        assert.deepEqual(await rolesLike("tenant_alpha"), []);
        stack!.editConfig(({ "aims:allowTenantRemoval": _confirmed, ...config }) => config);
    });

    it("prod-like protection: with protectData on, destroy refuses to delete the data", async () => {
        stack!.editConfig((config) => ({ ...config, "aims:protectData": true }));
        await timed("up, protect data", stack!.up());
        await assert.rejects(stack!.destroy(), /protected/);
        assert.ok(await namespace("bravo"));
        assert.deepEqual(await databasesLike("tenant_%"), ["tenant_bravo", "tenant_charlie"]);
        stack!.editConfig((config) => ({ ...config, "aims:protectData": false }));
        await stack!.up();
    });

    it("destroy: nothing of any tenant remains in the API server or in PostgreSQL", async () => {
        await timed("destroy, 2 tenants", stack!.destroy());
        for (const tenant of [ALPHA, BRAVO, CHARLIE])
            assert.equal(await namespace(tenant.name), undefined, tenant.name);
        assert.deepEqual(
            await kube.list("/api/v1/namespaces", "app.kubernetes.io/managed-by=pulumi"),
            [],
        );
        assert.deepEqual(await databasesLike("tenant_%"), []);
        assert.deepEqual(await rolesLike("tenant_%"), []);
        stack!.remove();
        stack = undefined;
    });
});

function replicasOf(objects: readonly KubeObject[]): Record<string, number> {
    return Object.fromEntries(objects.map((o) => [o.metadata.name, o.spec.replicas]).sort());
}

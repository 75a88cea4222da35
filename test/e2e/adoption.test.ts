/**
 * Adopting a school the Argo CD setup runs, under the real engine: its namespace, secrets,
 * database and role exist before the program knows it (the suite makes them as that setup did,
 * with a hyphen in the database name), and the first `up` of a tenant file with `adopt: true`
 * imports them instead of creating them, keeping its data and credentials as they are.
 */
import { strict as assert } from "node:assert";
import { argoCdSchool, startArgoCdSchool } from "./support/argo-cd-school";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { adminQuery, withSession } from "./support/postgres";
import { RealStack } from "./support/project";

const SCHOOL = "echo-high";
const DATABASE = `tenant_${SCHOOL}`;

describe("adopting a running school under the real engine", function () {
    this.timeout(15 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let stack: RealStack | undefined;
    const running = argoCdSchool(SCHOOL);

    before(async () => {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        assert.equal(
            await kube.get(`/api/v1/namespaces/${SCHOOL}`),
            undefined,
            `namespace ${SCHOOL} is left over from an earlier run; delete it first`,
        );
        await startSchoolAsArgoCdDid();
        stack = await RealStack.create(platform);
    });

    after(async () => {
        await stack?.tearDown();
        // What the stack did not take over, when a step failed before it did.
        await kube.delete(`/api/v1/namespaces/${SCHOOL}`);
        await adminQuery(platform, `DROP DATABASE IF EXISTS "${DATABASE}"`);
        await adminQuery(platform, `DROP ROLE IF EXISTS "${DATABASE}"`);
    });

    /** What the Argo CD setup leaves, and data in the school's database. */
    async function startSchoolAsArgoCdDid(): Promise<void> {
        await startArgoCdSchool(platform, kube, running);
        await withSession(
            platform,
            { user: DATABASE, password: running.password },
            DATABASE,
            async (client) => {
                await client.query("CREATE TABLE pupils (name text)");
                await client.query("INSERT INTO pupils VALUES ('enrolled before adoption')");
            },
        );
    }

    it("previews imports, not creates, of the namespace, secrets, database and role", async () => {
        stack!.writeTenants([{ name: SCHOOL, plan: "small", adopt: true }]);
        const preview = await stack!.preview();
        const stepsOf = (suffix: string) =>
            [...preview.ops].find(([urn]) => urn.endsWith(`::${SCHOOL}-${suffix}`))?.[1] ?? [];
        for (const suffix of ["namespace", "django-secret", "database-secret", "db", "db-role"]) {
            const steps = stepsOf(suffix);
            assert.equal(
                steps[0],
                "import",
                `${SCHOOL}-${suffix} is imported (${steps.join(", ")})`,
            );
            assert.ok(
                !steps.some((op) => ["create", "replace", "delete"].includes(op)),
                `${SCHOOL}-${suffix}: ${steps.join(", ")}`,
            );
        }
    });

    it("up takes the school over and keeps its data, its SECRET_KEY and its role's password", async () => {
        await stack!.up();
        const rows = await withSession(
            platform,
            { user: DATABASE, password: running.password },
            DATABASE,
            async (client) => (await client.query("SELECT name FROM pupils")).rows,
        );
        assert.deepEqual(
            rows,
            [{ name: "enrolled before adoption" }],
            "the running password still logs in, and the data is there",
        );
        const django = await kube.get(
            `/api/v1/namespaces/${SCHOOL}/secrets/${SCHOOL}-django-secret`,
        );
        assert.equal(
            Buffer.from(django!.data!["secret-key"], "base64").toString("utf8"),
            running.secretKey,
        );
        const database = await kube.get(`/api/v1/namespaces/${SCHOOL}/secrets/${SCHOOL}-database`);
        assert.deepEqual(
            Object.keys(database?.data ?? {}).sort(),
            ["database", "host", "password", "port", "username"],
            "the school's database secret is kept as it was, without SECRET_KEY",
        );
        const backend = await kube.get(
            `/apis/apps/v1/namespaces/${SCHOOL}/deployments/${SCHOOL}-backend`,
        );
        const env = backend!.spec.template.spec.containers[0].env as Array<{
            name: string;
            valueFrom?: { secretKeyRef?: { name: string; key: string } };
        }>;
        assert.deepEqual(
            ["SECRET_KEY", "DB_PASSWORD"].map(
                (variable) => env.find((e) => e.name === variable)?.valueFrom?.secretKeyRef,
            ),
            [
                { name: `${SCHOOL}-django-secret`, key: "secret-key" },
                { name: `${SCHOOL}-database`, key: "password" },
            ],
            "the pods read the school's two secrets",
        );
        const labels = (await kube.get(`/api/v1/namespaces/${SCHOOL}`))?.metadata.labels ?? {};
        assert.equal(
            labels["pod-security.kubernetes.io/enforce"],
            "restricted",
            "the namespace is now the program's",
        );
        const [role] = await adminQuery<{ rolconnlimit: number }>(
            platform,
            "SELECT rolconnlimit FROM pg_roles WHERE rolname = $1",
            [DATABASE],
        );
        assert.equal(
            role.rolconnlimit,
            20,
            "the plan's connection limit is applied to the imported role",
        );
    });

    it("closes the adopted database to other roles, and then shows no drift", async () => {
        const acl = await adminQuery<{ privileges: string[] | null }>(
            platform,
            "SELECT array_agg(a.privilege_type::text) AS privileges FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1 AND a.grantee = 0",
            [DATABASE],
        );
        assert.deepEqual(
            acl,
            [{ privileges: null }],
            "PUBLIC holds nothing on the adopted database",
        );
        const again = await stack!.preview();
        assert.deepEqual(again.changed, []);
    });
});

/**
 * Both directions of a tenant's data, for real: the offboarding backup Job dumps the database to
 * the bucket (the suite's S3 stand-in), the school is removed, and then added again from its
 * dump with the tenant file's `restore`, its app starting only once the restore is done. A
 * corrupt dump and a missing key fail `up` with a clear message and leave no partial database.
 */
import { strict as assert } from "node:assert";
import { dumpAsSql, startBackupStorage, useBackupStorage } from "./support/backup-storage";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { adminQuery, withSession } from "./support/postgres";
import { RealStack, TenantFile } from "./support/project";
import type { S3Standin } from "./support/s3-standin";
import { deploymentsReady, SeededSchool, seededSchool, tenantLogin } from "./support/tenant-app";

const MIKE: TenantFile = { name: "mike", plan: "small" };
/** A stack never deploys zero tenants: papa stays while mike leaves. */
const PAPA: TenantFile = { name: "papa", plan: "small" };
const MIKE_DUMP = "offboarding/dev/mike/tenant_mike.dump";

describe("backup and restore of a school's data", function () {
    this.timeout(20 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let stack: RealStack | undefined;
    let s3: S3Standin | undefined;
    let seeded: SeededSchool | undefined;

    /** The tables of the tenant's database, as its own role sees them. */
    const tablesOf = async (tenant: string) => {
        const login = await tenantLogin(kube, tenant);
        return withSession(platform, login, login.database, async (client) =>
            (
                await client.query(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
                )
            ).rows.map((r) => r.tablename),
        );
    };

    before(async function () {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        s3 = await startBackupStorage(platform);
        stack = await RealStack.create(platform);
        useBackupStorage(stack, s3);
        stack.writeTenants([MIKE, PAPA]);
        await stack.up();
        seeded = await seededSchool(platform, kube, "mike");
        assert.equal(seeded?.subdomain, "mike");
    });

    after(async function () {
        await stack?.tearDown();
        await s3?.stop();
    });

    it("offboard: the backup Job dumps the school's data to the bucket", async () => {
        stack!.writeTenants([{ ...MIKE, status: "offboarding" }, PAPA]);
        await stack!.up();
        const versions = await s3!.listVersions("offboarding/dev/mike/");
        assert.deepEqual(
            versions.map((v) => v.key),
            [MIKE_DUMP],
        );
        assert.match(
            dumpAsSql(await s3!.getObject(MIKE_DUMP)),
            /COPY public\.standin_school .*\n\d+\tmike\t/,
        );
    });

    it("remove: the school's database is gone", async () => {
        stack!.writeTenants([PAPA]);
        stack!.editConfig((config) => ({ ...config, "aims:allowTenantRemoval": ["mike"] }));
        await stack!.up();
        stack!.editConfig(({ "aims:allowTenantRemoval": _done, ...config }) => config);
        const databases = await adminQuery<{ datname: string }>(
            platform,
            "SELECT datname FROM pg_database WHERE datname = 'tenant_mike'",
        );
        assert.deepEqual(databases, []);
    });

    it("add it again from its dump: the restore runs before the app, which starts on the restored data", async () => {
        stack!.writeTenants([{ ...MIKE, restore: { dump: MIKE_DUMP } }, PAPA]);
        const up = await stack!.up();
        const started = (suffix: string) =>
            up.events.findIndex((e) => e.phase === "started" && e.urn.endsWith(suffix));
        const restoreDone = up.events.findIndex(
            (e) => e.phase === "done" && /::mike-restore$/.test(e.urn),
        );
        assert.ok(restoreDone >= 0, "a restore Job ran");
        assert.ok(restoreDone < started("::mike-release"), "the release waited for the restore");
        assert.deepEqual(
            await seededSchool(platform, kube, "mike"),
            seeded,
            "the seeded row is the one dumped, not a new bootstrap",
        );
        assert.deepEqual(await deploymentsReady(kube, "mike"), [
            "mike-backend: 1/1 @ 1.0.0",
            "mike-frontend: 1/1 @ 1.0.0",
        ]);
    });

    for (const [what, tenant, dump, reason] of [
        [
            "a corrupt dump",
            "november",
            "offboarding/dev/november/tenant_november.dump",
            /restore of tenant november: the dump s3:\/\/\S+ is not a valid pg_dump archive/,
        ],
        [
            "a missing key",
            "oscar",
            "offboarding/dev/oscar/tenant_oscar.dump",
            /restore of tenant oscar: the dump s3:\/\/\S+ does not exist \(or is not readable with the backup key\)/,
        ],
    ] as const) {
        it(`${what}: up fails saying so, the app never starts, and the database holds nothing`, async () => {
            if (tenant === "november") await s3!.putObject(dump, "not a dump at all\n");
            stack!.writeTenants([
                { ...MIKE, restore: { dump: MIKE_DUMP } },
                PAPA,
                { name: tenant, plan: "small", restore: { dump } },
            ]);
            const failure = await stack!.up().then(
                () => assert.fail("up succeeded"),
                (err: Error) => err.message,
            );
            assert.match(failure, new RegExp(`${tenant}-restore-`));
            assert.match(failure, reason);
            assert.deepEqual(await deploymentsReady(kube, tenant), [], "no release, no pod");
            assert.deepEqual(await tablesOf(tenant), [], "no partial database");
            // A tenant whose first deploy failed is deployed all the same: its removal is confirmed.
            stack!.writeTenants([{ ...MIKE, restore: { dump: MIKE_DUMP } }, PAPA]);
            stack!.editConfig((config) => ({
                ...config,
                "aims:allowTenantRemoval": [tenant],
                "aims:forceTenantRemoval": [tenant],
            }));
            await stack!.up();
            stack!.editConfig(
                ({
                    "aims:allowTenantRemoval": _allowed,
                    "aims:forceTenantRemoval": _forced,
                    ...config
                }) => config,
            );
        });
    }
});

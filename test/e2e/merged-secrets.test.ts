/**
 * Moving deployed tenants to one Secret, under the real engine: each stack is deployed with the
 * program as it was before SECRET_KEY joined the database secret, then moved to the current
 * program the way docs/kubernetes.md ("Moving to one Secret") says. Without protected data
 * that is one `pulumi up`; with protected data (prod) `npm run retired-secrets -- --unprotect`
 * comes first, and the old Secret, retained on delete, is removed by hand afterwards. Secret
 * values are only ever compared, by digest, never printed.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";
import { argoCdSchool, startArgoCdSchool } from "./support/argo-cd-school";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { adminQuery, withSession } from "./support/postgres";
import { previousProgram } from "./support/previous-program";
import { OperationRecord, RealStack, STACK, TenantFile } from "./support/project";

/** The last commit whose program keeps SECRET_KEY in a Secret of its own, `<name>-django-secret`. */
const BEFORE_MERGED_SECRETS = "f91c815c2167d3b44eaaa74d3616cb7d0ffdfa04";
const DATABASE_KEYS = ["database", "host", "password", "port", "username"];

const FOXTROT: TenantFile = { name: "foxtrot", plan: "small" };
const GOLF: TenantFile = { name: "golf", plan: "small" };
/** Adopted: it keeps the two Secrets the Argo CD setup gave it. */
const HOTEL: TenantFile = { name: "hotel-high", plan: "small", adopt: true };
const HOTEL_DATABASE = `tenant_${HOTEL.name}`;

const digest = (value: string) => crypto.createHash("sha256").update(value).digest("hex");
const resourceName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

describe("moving deployed tenants to one Secret, under the real engine", function () {
    this.timeout(30 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let previous: string;
    const timings: Array<[string, number]> = [];
    const timed = async (what: string, operation: Promise<OperationRecord>) => {
        const record = await operation;
        timings.push([what, record.seconds]);
        return record;
    };

    /** A Secret's data, decoded; undefined when the Secret does not exist. */
    const secretData = async (namespace: string, name: string) => {
        const secret = await kube.get(`/api/v1/namespaces/${namespace}/secrets/${name}`);
        if (!secret) return undefined;
        return Object.fromEntries(
            Object.entries(secret.data ?? {}).map(([key, value]) => [
                key,
                Buffer.from(value, "base64").toString("utf8"),
            ]),
        );
    };
    /** What the tenant's backend pods get SECRET_KEY and DB_PASSWORD from, in every container. */
    const secretReferences = async (tenant: string) => {
        const backend = await kube.get(
            `/apis/apps/v1/namespaces/${tenant}/deployments/${tenant}-backend`,
        );
        assert.ok(backend, `Deployment ${tenant}-backend exists`);
        const pod = backend.spec.template.spec;
        return [...pod.initContainers, ...pod.containers].map((container: any) => {
            const from = (variable: string) =>
                container.env.find((e: any) => e.name === variable)?.valueFrom?.secretKeyRef;
            return { SECRET_KEY: from("SECRET_KEY"), DB_PASSWORD: from("DB_PASSWORD") };
        });
    };
    /** The secret names in the Helm release's values, as the stack's state holds them. */
    const releaseValues = async (stack: RealStack, tenant: string) => {
        const release = (await stack.stateResources()).find(
            (r) =>
                r.type === "kubernetes:helm.sh/v3:Release" &&
                resourceName(r.urn) === `${tenant}-release`,
        );
        const values = release?.outputs?.values;
        return {
            djangoSecret: values?.djangoSecret,
            credentialsSecret: values?.database?.credentialsSecret,
        };
    };
    const inState = async (stack: RealStack, name: string) =>
        (await stack.stateResources()).find((r) => resourceName(r.urn) === name);
    /** `npm run retired-secrets` on the stack, as an operator runs it in the project folder. */
    const retiredSecrets = (stack: RealStack, ...args: string[]) => {
        const run = spawnSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                path.join(PROJECT_ROOT, "scripts", "retired-secrets.ts"),
                "--stack",
                STACK,
                ...args,
            ],
            {
                cwd: stack.dir,
                env: { ...process.env, ...stack.pulumiEnvironment() },
                encoding: "utf8",
            },
        );
        assert.equal(run.status, 0, run.stderr);
        return run.stdout;
    };
    /** The step that ends first and the one that starts later, by their places in the engine's events. */
    const finishesBefore = (
        record: OperationRecord,
        first: { name: string; op: string },
        then: { name: string; op: string },
    ) => {
        const at = (name: string, op: string, phase: string) =>
            record.events.findIndex(
                (e) => resourceName(e.urn) === name && e.op === op && e.phase === phase,
            );
        const done = at(first.name, first.op, "done");
        const started = at(then.name, then.op, "started");
        assert.ok(done >= 0, `${first.name} ${first.op} finished`);
        assert.ok(started >= 0, `${then.name} ${then.op} started`);
        return done < started;
    };

    before(async () => {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        for (const tenant of [FOXTROT, GOLF, HOTEL])
            assert.equal(
                await kube.get(`/api/v1/namespaces/${tenant.name}`),
                undefined,
                `namespace ${tenant.name} is left over from an earlier run; delete it first`,
            );
        previous = previousProgram(BEFORE_MERGED_SECRETS);
    });

    after(() => {
        if (timings.length === 0) return;
        console.log("\n    operation                                      seconds");
        for (const [what, seconds] of timings)
            console.log(`    ${what.padEnd(46)} ${seconds.toFixed(1)}`);
    });

    describe("where data is not protected (dev, sit): one pulumi up", () => {
        let stack: RealStack | undefined;
        let secretKeyBefore: string;

        before(async () => {
            stack = await RealStack.create(platform, { source: previous });
            stack.writeTenants([FOXTROT]);
            await timed("up, previous program, 1 tenant", stack.up());
            const django = await secretData("foxtrot", "foxtrot-django-secret");
            assert.deepEqual(
                Object.keys(django ?? {}),
                ["secret-key"],
                "the previous program's Django secret",
            );
            secretKeyBefore = digest(django!["secret-key"]);
            assert.deepEqual(
                Object.keys((await secretData("foxtrot", "foxtrot-database")) ?? {}).sort(),
                DATABASE_KEYS,
            );
        });

        after(async () => {
            await stack?.tearDown();
        });

        it("the script finds the old Django secret, not protected, so pulumi up needs nothing first", () => {
            const listed = retiredSecrets(stack!);
            assert.match(listed, /1 resource of the old secret layout/);
            assert.match(
                listed,
                /foxtrot {2}delete {2}not protected {2}urn:\S+::foxtrot-django-secret\n/,
            );
            assert.match(listed, /None is protected/);
        });

        it("a preview of the current program updates the Secret, the release and the provider in place and deletes only the Django secret", async () => {
            stack!.useProgram();
            const preview = await timed("preview, move to one Secret", stack!.preview());
            assert.deepEqual(preview.changed.map((c) => `${c.op} ${resourceName(c.urn)}`).sort(), [
                "delete foxtrot-django-secret",
                "update foxtrot-database-secret",
                "update foxtrot-release",
                "update kubernetes",
            ]);
        });

        it("up keeps SECRET_KEY, puts every key in one Secret, moves the pods to it, and only then deletes the old one", async () => {
            const up = await timed("up, move to one Secret", stack!.up());
            const merged = await secretData("foxtrot", "foxtrot-database");
            assert.deepEqual(
                Object.keys(merged ?? {}).sort(),
                [...DATABASE_KEYS, "secret-key"].sort(),
            );
            assert.equal(
                digest(merged!["secret-key"]),
                secretKeyBefore,
                "SECRET_KEY is unchanged: nobody is signed out",
            );
            assert.equal(
                await secretData("foxtrot", "foxtrot-django-secret"),
                undefined,
                "the old Secret is deleted",
            );
            assert.equal(await inState(stack!, "foxtrot-django-secret"), undefined);
            for (const references of await secretReferences("foxtrot"))
                assert.deepEqual(references, {
                    SECRET_KEY: { name: "foxtrot-database", key: "secret-key" },
                    DB_PASSWORD: { name: "foxtrot-database", key: "password" },
                });
            assert.deepEqual(await releaseValues(stack!, "foxtrot"), {
                djangoSecret: "foxtrot-database",
                credentialsSecret: "foxtrot-database",
            });
            assert.ok(
                finishesBefore(
                    up,
                    { name: "foxtrot-database-secret", op: "update" },
                    { name: "foxtrot-release", op: "update" },
                ),
                "the key is in the Secret before the release moves to it",
            );
            assert.ok(
                finishesBefore(
                    up,
                    { name: "foxtrot-release", op: "update" },
                    { name: "foxtrot-django-secret", op: "delete" },
                ),
                "the release has moved before the old Secret goes",
            );
        });

        it("then shows no change, and the script finds nothing left to do", async () => {
            const again = await timed("preview, after the move", stack!.preview());
            assert.deepEqual(again.changed, []);
            assert.match(
                retiredSecrets(stack!),
                /no resource of the old secret layout; nothing to do/,
            );
        });
    });

    describe("where data is protected (prod): unprotect, pulumi up, remove the retained Secret by hand", () => {
        let stack: RealStack | undefined;
        const hotel = argoCdSchool(HOTEL.name);
        let golfSecretKeyBefore: string;

        before(async () => {
            await startArgoCdSchool(platform, kube, hotel);
            stack = await RealStack.create(platform, { source: previous });
            stack.editConfig((config) => ({ ...config, "aims:protectData": true }));
            stack.writeTenants([GOLF, HOTEL]);
            await timed("up, previous program, protected", stack.up());
            golfSecretKeyBefore = digest(
                (await secretData("golf", "golf-django-secret"))!["secret-key"],
            );
        });

        after(async () => {
            // Whichever program the stack runs when a step failed: unprotected, it can go.
            await stack?.tearDown(async () => {
                stack!.editConfig((config) => ({ ...config, "aims:protectData": false }));
                retiredSecrets(stack!, "--unprotect");
                await stack!.up();
            });
            for (const tenant of [GOLF, HOTEL])
                await kube.delete(`/api/v1/namespaces/${tenant.name}`);
            await adminQuery(platform, `DROP DATABASE IF EXISTS "${HOTEL_DATABASE}"`);
            await adminQuery(platform, `DROP ROLE IF EXISTS "${HOTEL_DATABASE}"`);
        });

        it("before the unprotect step, a preview of the current program is refused on the protected Django secret, and changes nothing", async () => {
            stack!.useProgram();
            await assert.rejects(stack!.preview(), (err: Error) => {
                assert.match(
                    err.message,
                    /golf-django-secret" cannot be deleted\s+because it is protected/,
                );
                assert.match(err.message, /pulumi state unprotect/);
                assert.doesNotMatch(err.message, /hotel-high-django-secret/);
                return true;
            });
            assert.deepEqual(
                Object.keys((await secretData("golf", "golf-database")) ?? {}).sort(),
                DATABASE_KEYS,
            );
            assert.equal((await inState(stack!, "golf-django-secret"))?.protect, true);
        });

        it("the script unprotects exactly the Django secret the program no longer has, never the adopted school's", async () => {
            const listed = retiredSecrets(stack!);
            assert.match(listed, /1 resource of the old secret layout/);
            assert.match(listed, /golf {2}delete {2}protected {2}urn:\S+::golf-django-secret\n/);
            assert.doesNotMatch(listed, /hotel-high/);
            assert.match(listed, /run again with --unprotect first/);
            assert.equal(
                (await inState(stack!, "golf-django-secret"))?.protect,
                true,
                "listing changes nothing",
            );

            const unprotected = retiredSecrets(stack!, "--unprotect");
            assert.match(unprotected, /Unprotected 1 resource; now run `pulumi up`/);
            assert.match(unprotected, /kubectl -n golf delete secret golf-django-secret/);
            assert.equal((await inState(stack!, "golf-django-secret"))?.protect ?? false, false);
            assert.equal((await inState(stack!, "hotel-high-django-secret"))?.protect, true);
            assert.doesNotMatch(unprotected + listed, new RegExp(hotel.secretKey));

            const preview = await timed("preview, move to one Secret, protected", stack!.preview());
            assert.deepEqual(
                preview.changed.map((c) => `${c.op} ${resourceName(c.urn)}`).sort(),
                [
                    "delete golf-django-secret",
                    "update golf-database-secret",
                    "update golf-release",
                    // Every release takes the newer program's chart and release settings once (the
                    // pull policy in its values, Helm's wait handed to the rollout check).
                    "update hotel-high-release",
                    "update kubernetes",
                ],
                "the adopted school's secrets and data do not change",
            );
        });

        it("up keeps SECRET_KEY in the merged Secret and retains the old one out of the stack; the adopted school keeps both of its Secrets", async () => {
            const up = await timed("up, move to one Secret, protected", stack!.up());
            const merged = await secretData("golf", "golf-database");
            assert.deepEqual(
                Object.keys(merged ?? {}).sort(),
                [...DATABASE_KEYS, "secret-key"].sort(),
            );
            assert.equal(
                digest(merged!["secret-key"]),
                golfSecretKeyBefore,
                "SECRET_KEY is unchanged",
            );
            assert.equal(
                await inState(stack!, "golf-django-secret"),
                undefined,
                "out of the stack",
            );
            assert.ok(
                await secretData("golf", "golf-django-secret"),
                "retained on delete, by design: still in the cluster",
            );
            for (const references of await secretReferences("golf"))
                assert.deepEqual(references.SECRET_KEY, {
                    name: "golf-database",
                    key: "secret-key",
                });
            assert.ok(
                finishesBefore(
                    up,
                    { name: "golf-database-secret", op: "update" },
                    { name: "golf-release", op: "update" },
                ),
                "the key is in the Secret before the release moves to it",
            );
            assert.ok(
                finishesBefore(
                    up,
                    { name: "golf-release", op: "update" },
                    { name: "golf-django-secret", op: "delete" },
                ),
                "the release has moved before the old Secret leaves the stack",
            );
            assert.equal(
                (await inState(stack!, "golf-database-secret"))?.protect,
                true,
                "the merged Secret stays protected",
            );

            const django = await secretData("hotel-high", "hotel-high-django-secret");
            assert.equal(
                digest(django!["secret-key"]),
                digest(hotel.secretKey),
                "the adopted school's SECRET_KEY is kept",
            );
            assert.deepEqual(
                Object.keys((await secretData("hotel-high", "hotel-high-database")) ?? {}).sort(),
                DATABASE_KEYS,
                "the adopted school's database secret is not rewritten",
            );
            assert.equal((await inState(stack!, "hotel-high-django-secret"))?.protect, true);
            for (const references of await secretReferences("hotel-high"))
                assert.deepEqual(references, {
                    SECRET_KEY: { name: "hotel-high-django-secret", key: "secret-key" },
                    DB_PASSWORD: { name: "hotel-high-database", key: "password" },
                });
            await withSession(
                platform,
                { user: HOTEL_DATABASE, password: hotel.password },
                HOTEL_DATABASE,
                async () => undefined,
            );
        });

        it("the retained Secret is removed by hand, and nothing drifts", async () => {
            await kube.delete("/api/v1/namespaces/golf/secrets/golf-django-secret");
            const again = await timed(
                "preview, after the move, protected",
                stack!.preview({ refresh: true }),
            );
            assert.deepEqual(
                again.changed.filter((c) => c.op !== "refresh"),
                [],
            );
            assert.match(retiredSecrets(stack!), /nothing to do/);
        });
    });
});

/**
 * The calls between a tenant and aims-core, for real: the bootstrap-ready callback that the
 * tenant's pod sends once migrated and bootstrapped, and the delete-tenant call that `pulumi up`
 * makes when a tenant is removed. The core is the suite's https stand-in on the address the pods
 * reach this machine at; it checks the secret, the subdomain and the school id as the core does.
 */
import { strict as assert } from "node:assert";
import { newCoreSecrets, startCoreOnNode, useCore } from "./support/core-on-node";
import type { CoreStandin } from "./support/core-standin";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { RealStack, TenantFile, tenantOfUrn } from "./support/project";
import { deploymentsReady, seededSchool } from "./support/tenant-app";

const INDIA: TenantFile = { name: "india", plan: "small", schoolId: "4101" };
const JULIET: TenantFile = { name: "juliet", plan: "small", schoolId: "4102" };
/** The rollout check's budget for a pod that cannot start: its grace, the kubelet's restarts, the engine. */
const FAILS_WITHIN_SECONDS = 180;

describe("the core callback and cleanup, between pods, pulumi up and a core", function () {
    this.timeout(20 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let stack: RealStack | undefined;
    let core: CoreStandin | undefined;
    const secrets = newCoreSecrets();

    before(async function () {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        core = await startCoreOnNode(platform, secrets, {
            india: INDIA.schoolId!,
            juliet: JULIET.schoolId!,
        });
        stack = await RealStack.create(platform);
        await useCore(stack, platform, core, secrets);
    });

    after(async function () {
        await stack?.tearDown();
        await core?.close();
    });

    it("a new tenant's pod calls the core back, once its database is migrated and seeded, before up returns", async () => {
        stack!.writeTenants([INDIA]);
        const started = new Date();
        await stack!.up();
        const ended = new Date();
        const accepted = core!.calls.filter(
            (c) => c.endpoint === "bootstrap-ready" && c.subdomain === "india",
        );
        assert.deepEqual(
            accepted.map((c) => [c.schoolId, c.status, c.outcome]),
            [["4101", 200, "accepted"]],
        );
        const seeded = await seededSchool(platform, kube, "india");
        assert.ok(seeded, "bootstrapped");
        const calledAt = accepted[0].receivedAt.getTime();
        assert.ok(calledAt >= new Date(seeded.seededAt).getTime(), "after the bootstrap");
        assert.ok(calledAt > started.getTime() && calledAt < ended.getTime(), "during up");
        assert.deepEqual(await deploymentsReady(kube, "india"), [
            "india-backend: 1/1 @ 1.0.0",
            "india-frontend: 1/1 @ 1.0.0",
        ]);
    });

    it("a wrong bootstrap secret: the core refuses it, and up fails within minutes naming the tenant, the init container and the refusal", async () => {
        await stack!.setSecret("aims:core.bootstrapSecret", "not-the-core-secret");
        stack!.writeTenants([INDIA, JULIET]);
        const started = Date.now();
        const failure = await stack!.up().then(
            () => assert.fail("up succeeded with a secret the core refuses"),
            (err: Error) => err.message,
        );
        const seconds = (Date.now() - started) / 1000;
        assert.ok(seconds < FAILS_WITHIN_SECONDS, `failed after ${seconds} s`);
        assert.match(failure, /tenant juliet: the rollout cannot succeed/);
        assert.match(failure, /init container bootstrap-ready keeps failing: exit code 1/);
        assert.match(
            failure,
            /the core refused tenant juliet \(school 4102\) at \S+: HTTP 403 \(TENANT_BOOTSTRAP_SECRET does not match/,
        );
        assert.doesNotMatch(failure, /not-the-core-secret/, "the secret is never printed");
        const refused = core!.calls.filter((c) => c.subdomain === "juliet");
        assert.ok(refused.length >= 2, "the kubelet retried the container");
        assert.ok(
            refused.every(
                (c) => c.status === 403 && c.outcome === "wrong bootstrap secret in header",
            ),
        );
        assert.deepEqual(
            await deploymentsReady(kube, "india"),
            ["india-backend: 1/1 @ 1.0.0", "india-frontend: 1/1 @ 1.0.0"],
            "the other tenant keeps serving",
        );
    });

    it("back to the right secret, the tenant that never started removed: delete-tenant is called for it with the admin key, and up converges", async () => {
        await stack!.setSecret("aims:core.bootstrapSecret", secrets.bootstrapSecret);
        stack!.writeTenants([INDIA]);
        // Its first up failed, but the stack deployed it: removing it is confirmed, without a backup.
        stack!.editConfig((config) => ({
            ...config,
            "aims:allowTenantRemoval": ["juliet"],
            "aims:forceTenantRemoval": ["juliet"],
        }));
        const up = await stack!.up();
        assert.ok(up.changed.some((c) => c.op === "delete" && tenantOfUrn(c.urn) === "juliet"));
        assert.equal(await kube.get("/api/v1/namespaces/juliet"), undefined);
        const deletes = core!.calls.filter((c) => c.endpoint === "delete-tenant");
        assert.deepEqual(
            deletes.map((c) => [c.subdomain, c.status, c.outcome]),
            [["juliet", 200, "deleted"]],
        );
        assert.deepEqual(core!.schools(), { india: "4101" });
        assert.deepEqual(await deploymentsReady(kube, "india"), [
            "india-backend: 1/1 @ 1.0.0",
            "india-frontend: 1/1 @ 1.0.0",
        ]);
    });
});

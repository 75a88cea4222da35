/**
 * A tenant whose new version cannot start: `up` fails within minutes, not after a ten-minute
 * timeout, naming the tenant, the container and its reason; the other tenants of that `up` keep
 * serving, and so do the tenant's own pods of the version before; the next `up` after the fix
 * converges. The versions are the stand-in images' (support/images/standin-images.ts).
 */
import { strict as assert } from "node:assert";
import { APP_VERSIONS } from "./support/images/standin-images";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { RealStack, TenantFile } from "./support/project";
import { deploymentsReady, readyPods } from "./support/tenant-app";

const KILO: TenantFile = { name: "kilo", plan: "small" };
const LIMA: TenantFile = { name: "lima", plan: "small" };
const CURRENT = APP_VERSIONS.current.tag;
/** The rollout check's budget for a pod that cannot start: its grace, the kubelet's restarts, the engine. */
const FAILS_WITHIN_SECONDS = 180;

describe("a tenant whose new version cannot start", function () {
    this.timeout(20 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let stack: RealStack | undefined;

    before(async function () {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        stack = await RealStack.create(platform);
        stack.writeTenants([KILO, LIMA]);
        await stack.up();
    });

    after(async function () {
        await stack?.tearDown();
    });

    /** Pins lima to `tag`; `up` must fail fast with every one of `reasons`. */
    async function failsWith(tag: string, reasons: readonly RegExp[]) {
        stack!.writeTenants([KILO, { ...LIMA, imageTag: tag }]);
        const started = Date.now();
        const message = await stack!.up().then(
            () => assert.fail(`up succeeded with lima at ${tag}`),
            (err: Error) => err.message,
        );
        const seconds = (Date.now() - started) / 1000;
        assert.ok(seconds < FAILS_WITHIN_SECONDS, `up failed only after ${seconds} s`);
        assert.match(message, /tenant lima: the rollout cannot succeed/);
        for (const reason of reasons) assert.match(message, reason);
        assert.deepEqual(
            await readyPods(kube, "kilo"),
            [`backend ${CURRENT}`, `frontend ${CURRENT}`],
            "the other tenant keeps serving",
        );
        assert.ok(
            (await readyPods(kube, "lima")).includes(`backend ${CURRENT}`),
            "lima's pods of the version before keep serving",
        );
    }

    async function converges() {
        stack!.writeTenants([KILO, LIMA]);
        await stack!.up();
        assert.deepEqual(await deploymentsReady(kube, "lima"), [
            `lima-backend: 1/1 @ ${CURRENT}`,
            `lima-frontend: 1/1 @ ${CURRENT}`,
        ]);
        assert.deepEqual(await readyPods(kube, "lima"), [
            `backend ${CURRENT}`,
            `frontend ${CURRENT}`,
        ]);
    }

    it("a missing variable: the container that exits at start is named, with its log", async () => {
        await failsWith(APP_VERSIONS.missingSetting.tag, [
            // The frontend of that version requires it too: whichever fails twice first is named.
            /pod lima-(backend-\S+, init container migrate|frontend-\S+, container frontend) keeps failing: exit code 2/,
            /missing required environment variables: AIMS_NEW_REQUIRED_SETTING/,
        ]);
    });

    it("an up without the fix fails again: a failed check is never recorded as passed", async () => {
        const message = await stack!.up().then(
            () => assert.fail("up succeeded without the fix"),
            (err: Error) => err.message,
        );
        assert.match(message, /tenant lima: the rollout cannot succeed/);
        assert.match(message, /AIMS_NEW_REQUIRED_SETTING/);
    });

    it("after the fix, the next up converges", converges);

    it("a tag no registry has: the image pull is named", async () => {
        await failsWith("9.9.9-missing", [
            /pod lima-backend-\S+, init container migrate: (ErrImagePull|ImagePullBackOff): .*localhost\/aims-standin\/backend:9\.9\.9-missing/,
        ]);
    });

    it("after the fix, the next up converges again", converges);

    it("a failing migration: the migrate container is named, with the migration's error", async () => {
        await failsWith(APP_VERSIONS.failingMigration.tag, [
            /pod lima-backend-\S+, init container migrate keeps failing: exit code 1/,
            /stand-in: migration 0002 failed/,
        ]);
    });

    it("and after that fix too", converges);
});

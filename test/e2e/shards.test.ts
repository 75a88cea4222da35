/**
 * Shard stacks under the real engine: two stacks of one environment share the tenant files and
 * the platform, each deploys only its shard's tenants, the deletion guard of each works on its
 * own history, a move between shards is refused, and a stack at its limit stops before any change.
 */
import { strict as assert } from "node:assert";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { adminQuery } from "./support/postgres";
import { RealStack, TenantFile } from "./support/project";

const DELTA: TenantFile = { name: "delta", plan: "small" };
const ECHO: TenantFile = { name: "echo", plan: "small", stackShard: 2 };
const FOXTROT: TenantFile = { name: "foxtrot", plan: "small" };

describe("shard stacks under the real engine", function () {
    this.timeout(20 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let first: RealStack | undefined;
    let second: RealStack | undefined;

    const deployedNames = async (stack: RealStack) =>
        ((await stack.outputs()).tenants as { name: string }[]).map((tenant) => tenant.name);
    const tenantDatabases = async () =>
        (
            await adminQuery<{ datname: string }>(
                platform,
                "SELECT datname FROM pg_database WHERE datname IN ('tenant_delta', 'tenant_echo', 'tenant_foxtrot') ORDER BY 1",
            )
        ).map((row) => row.datname);
    /** The engine's error of a refused preview or update. */
    const refusal = async (operation: Promise<unknown>): Promise<string> => {
        try {
            await operation;
        } catch (err) {
            return String((err as Error).message);
        }
        return assert.fail("expected the operation to be refused");
    };

    before(async function () {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        first = await RealStack.create(platform);
        second = await first.addShard(platform, 2);
    });

    after(async function () {
        const stacks = [second, first].filter((stack) => stack !== undefined);
        for (const stack of stacks) await stack.destroy().catch(() => stack.destroy());
        // The two share one project copy: remove it once both are gone.
        for (const stack of stacks) stack.remove();
    });

    it("each shard stack creates only the tenants of its shard", async () => {
        first!.writeTenants([DELTA, ECHO]);
        await first!.up();
        await second!.up();
        assert.deepEqual(await deployedNames(first!), ["delta"]);
        assert.deepEqual(await deployedNames(second!), ["echo"]);
        for (const name of ["delta", "echo"]) {
            assert.ok(await kube.get(`/api/v1/namespaces/${name}`), `namespace ${name}`);
        }
        assert.deepEqual(await tenantDatabases(), ["tenant_delta", "tenant_echo"]);
        const secondUrns = await second!.resourceUrns();
        assert.ok(secondUrns.some((urn) => urn.endsWith("::echo")));
        assert.ok(!secondUrns.some((urn) => /::delta(-|$)/.test(urn)));
    });

    it("a move to another shard is refused by the stack it leaves, and nothing changes", async () => {
        const before = (await second!.resourceUrns()).sort();
        first!.writeTenants([DELTA, { ...ECHO, stackShard: 1 }]);
        const message = await refusal(second!.preview());
        assert.match(
            message,
            /Pulumi\.e2e-2\.yaml: aims:allowTenantRemoval: stackShard\.dev: 1 in tenants\/echo\.yaml moves echo from this stack \(shard 2\) to shard 1 of dev/,
        );
        assert.match(message, /put stackShard\.dev back to 2/);
        assert.match(await refusal(second!.up()), /moves echo from this stack/);
        assert.deepEqual((await second!.resourceUrns()).sort(), before);
        assert.ok(await kube.get("/api/v1/namespaces/echo"));
    });

    it("a shard at its limit stops before any change; the other shard takes the tenant", async () => {
        first!.writeTenants([DELTA, ECHO, FOXTROT]);
        first!.editConfig((config) => ({ ...config, "aims:maxTenantsPerStack": 1 }));
        const before = (await first!.resourceUrns()).sort();
        assert.match(
            await refusal(first!.up()),
            /Pulumi\.e2e\.yaml: aims:maxTenantsPerStack: the stack would deploy 2 tenants, more than its limit of 1/,
        );
        assert.deepEqual((await first!.resourceUrns()).sort(), before);
        assert.equal(await kube.get("/api/v1/namespaces/foxtrot"), undefined);

        first!.writeTenants([DELTA, ECHO, { ...FOXTROT, stackShard: 2 }]);
        await first!.preview().then((preview) => assert.deepEqual(preview.changed, []));
        const grown = await second!.up();
        assert.ok(grown.changed.length > 0);
        assert.deepEqual(new Set(grown.changed.map((c) => c.op)), new Set(["create"]));
        assert.deepEqual((await deployedNames(second!)).sort(), ["echo", "foxtrot"]);
    });

    it("destroying one shard leaves the other's tenants in place", async () => {
        await second!.destroy();
        assert.deepEqual(await tenantDatabases(), ["tenant_delta"]);
        assert.ok(await kube.get("/api/v1/namespaces/delta"));
        await first!.destroy();
        assert.deepEqual(await tenantDatabases(), []);
    });
});

/**
 * Deploys that die: `pulumi up` stopped from outside at points of its own event stream, then
 * `npm run recover`, then `up` again, as the next deploy job runs them. After each, the stack must
 * have converged: a preview with no change, no pending operation, every object of its tenants on
 * the cluster and in PostgreSQL held by the state, and every state entry's object there.
 *
 * - SIGKILL to the whole process group at six points spread over a first `up` of 20 tenants;
 * - SIGKILL during an `up` that changes plans, and during one that removes an offboarded tenant;
 * - SIGINT (a cancelled job), and PostgreSQL stopped in the middle of an `up`, then started.
 *
 * Stopping PostgreSQL needs commands the platform provides: AIMS_E2E_PG_STOP and AIMS_E2E_PG_START
 * (shell commands). Without them that case fails, saying so. AIMS_E2E_CRASH_WITHOUT_RECOVER=1 leaves recovery out, to show the suite then fails.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";
import { platformObjects, stateObjects } from "./support/convergence";
import { KilledUp, KillPoint, runUntil } from "./support/killable-up";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { RealStack, TenantFile } from "./support/project";

const TENANT_COUNT = 20;
const NAMES = Array.from(
    { length: TENANT_COUNT },
    (_, i) => `crash${String(i + 1).padStart(2, "0")}`,
);
const TENANTS: TenantFile[] = NAMES.map((name, i) => ({
    name,
    plan: i % 2 === 0 ? "small" : "standard",
}));
const WITHOUT_RECOVER = process.env.AIMS_E2E_CRASH_WITHOUT_RECOVER === "1";

const kill = (label: string, type: string, count: number, op = "create"): KillPoint => ({
    label,
    type,
    op,
    count,
    signal: "SIGKILL",
});

/** Spread over a first `up`: secrets generated, roles, databases, namespaces, isolation, secrets, releases. */
const FIRST_UP_POINTS: KillPoint[] = [
    kill("5th role create", "postgresql:index/role:Role", 5),
    kill("8th database create", "postgresql:index/database:Database", 8),
    kill("14th namespace create", "kubernetes:core/v1:Namespace", 14),
    kill("16th resource quota create", "kubernetes:core/v1:ResourceQuota", 16),
    kill("10th database secret create", "kubernetes:core/v1:Secret", 10),
    kill("18th Helm release create", "kubernetes:helm.sh/v3:Release", 18),
];

/** One line of the closing note's table per stopped update. */
const rows: string[] = [];

describe("crash: deploys that die and the next deploy", function () {
    this.timeout(30 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let stack: RealStack | undefined;

    before(async function () {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        // Its twenty tenants, large in one case, need far more CPU than a test node has: their pods
        // are scheduled as room allows and not waited for. The kills are what this suite is about.
        stack = await RealStack.create(platform, { waitForReady: false });
    });

    after(async function () {
        // After a case that failed, or with recovery left out, a lock may still block the destroy.
        if (stack) runScript("recover", "--deploy-job");
        await stack?.tearDown();
        console.log(
            [
                "| kill point | state after the kill | recover | rerun |",
                "| --- | --- | --- | --- |",
                ...rows,
            ].join("\n"),
        );
    });

    /** `npm run <script>` of this checkout on the stack, as the deploy job runs it. */
    const runScript = (script: string, ...args: string[]) =>
        spawnSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                path.join(PROJECT_ROOT, "scripts", `${script}.ts`),
                "--stack",
                stack!.name,
                ...args,
            ],
            {
                cwd: stack!.dir,
                env: { ...process.env, ...stack!.pulumiEnvironment() },
                encoding: "utf8",
            },
        );

    /** `npm run recover` as the deploy job runs it; its report. */
    const recover = (): string => {
        const result = runScript("recover", "--deploy-job");
        assert.equal(result.status, 0, `recover failed:\n${result.stdout}\n${result.stderr}`);
        return result.stdout;
    };

    /**
     * A kill during the backend's write of the checkpoint's attributes leaves them empty, and the
     * state cannot be read until `recover` removes them (scripts/lib/recover/checkpoint.ts).
     */
    const unreadableCheckpoint = async (): Promise<string | undefined> => {
        try {
            await stack!.stateResources();
            return undefined;
        } catch (err) {
            if (WITHOUT_RECOVER || !/failed to load checkpoint/.test(String(err))) throw err;
            const report = recover();
            assert.match(report, /^checkpoint attributes .*: removed$/m, report);
            return report;
        }
    };

    /** The state a stopped update left, in a few words. */
    const stateAfter = async (run: KilledUp): Promise<string> => {
        const repaired = await unreadableCheckpoint();
        if (repaired)
            return `${run.started.length} steps started, ${run.done} done in ${run.seconds.toFixed(1)} s; the checkpoint unreadable (its attributes file empty) until recover removed it`;
        const pending = await stack!.pendingOperations();
        const byType = new Map<string, number>();
        for (const op of pending) {
            const key = `${op.type} ${op.resource.type.split(":").pop()}`;
            byType.set(key, (byType.get(key) ?? 0) + 1);
        }
        const listed = [...byType].map(([key, n]) => `${n} ${key}`).join(", ") || "none";
        return `${run.started.length} steps started, ${run.done} done in ${run.seconds.toFixed(1)} s; ${(await stack!.stateResources()).length} resources, pending: ${listed}`;
    };

    const summary = (report: string): string => {
        const lines = report.trim().split("\n");
        const count = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
        const imported = lines.find((line) => line.startsWith("import: "))?.split(", ").length ?? 0;
        return `${count(/^lock .*: stale/)} stale lock removed, ${count(/: pending creating: .*cleared$/)} pending creates cleared, ${imported} imported`;
    };

    /** After a stopped update: recover (unless left out), `up`, and check that the stack converged. */
    /** `afterUp`: what a person does once the rerun has done the change (take a confirmation off). */
    const recoverAndConverge = async (
        label: string,
        run: KilledUp,
        tenants: readonly string[],
        afterUp?: () => void,
    ) => {
        const state = await stateAfter(run);
        const report = WITHOUT_RECOVER ? "left out" : recover();
        // Idempotent: run again at once, it finds nothing left and changes nothing.
        if (!WITHOUT_RECOVER) assert.match(recover(), /^nothing to recover: no lock/m);
        const up = await stack!.up();
        afterUp?.();
        await assertConverged(tenants);
        rows.push(
            `| ${label} | ${state} | ${WITHOUT_RECOVER ? report : summary(report)} | up ${up.seconds.toFixed(0)} s, ${up.changed.length} changes; then no change, no pending operation, state = platform |`,
        );
    };

    const assertConverged = async (tenants: readonly string[]) => {
        const preview = await stack!.preview();
        assert.deepEqual(preview.changed, [], "the rerun left drift");
        assert.deepEqual(
            await stack!.pendingOperations(),
            [],
            "the state still holds pending operations",
        );
        assert.deepEqual(
            await platformObjects(platform, kube, NAMES),
            await stateObjects(stack!),
            "the platform and the state differ",
        );
        const deployed = ((await stack!.outputs()).tenants as { name: string }[])
            .map((t) => t.name)
            .sort();
        assert.deepEqual(deployed, [...tenants].sort());
    };

    /** A killed first up left no outputs: the state guard still sees its tenants, and refuses to lose one. */
    const assertStateGuardRefusesRemoval = async () => {
        await unreadableCheckpoint();
        const begun = (await stack!.stateResources())
            .filter((resource) => resource.type === "aims:index:Tenant")
            .map((resource) => resource.urn.split("::").pop()!);
        assert.deepEqual(await stack!.outputs(), {}, "a killed first up writes no output");
        assert.ok(begun.length > 0, "the killed update had begun no tenant");
        stack!.writeTenants(TENANTS.filter((tenant) => tenant.name !== begun[0]));
        const refused = runScript("state-guard");
        assert.equal(refused.status, 1, refused.stdout);
        assert.match(
            refused.stderr,
            new RegExp(`aims:allowTenantRemoval: removing ${begun[0]} in dev`),
        );
        stack!.writeTenants(TENANTS);
        const passed = runScript("state-guard");
        assert.equal(passed.status, 0, passed.stderr);
    };

    const stopAt = async (point: KillPoint): Promise<KilledUp> => {
        const run = await runUntil(stack!, point);
        assert.ok(
            run.killed,
            `${point.label}: the update ended before it:\n${run.output.slice(-2000)}`,
        );
        return run;
    };

    for (const [index, point] of FIRST_UP_POINTS.entries()) {
        it(`a first up of ${TENANT_COUNT} tenants killed at the ${point.label} converges after recover and up`, async () => {
            if (index > 0) await stack!.destroy();
            stack!.writeTenants(TENANTS);
            const run = await stopAt(point);
            if (index === 0) await assertStateGuardRefusesRemoval();
            await recoverAndConverge(`first up, SIGKILL at the ${point.label}`, run, NAMES);
        });
    }

    /** The later cases start from the 20 tenants deployed, as the first-up cases leave them. */
    const ensureDeployed = async () => {
        if (!(await stack!.outputs()).tenants) {
            stack!.writeTenants(TENANTS);
            await stack!.up();
        }
    };

    it("an up that changes plans, killed, converges", async () => {
        await ensureDeployed();
        stack!.writeTenants(TENANTS.map((t) => ({ ...t, plan: "large" })));
        const run = await stopAt(
            kill("6th resource quota update", "kubernetes:core/v1:ResourceQuota", 6, "update"),
        );
        await recoverAndConverge("plan change, SIGKILL at the 6th quota update", run, NAMES);
    });

    it("an up stopped with SIGINT (a cancelled job) converges", async () => {
        await ensureDeployed();
        stack!.writeTenants(TENANTS);
        const run = await stopAt({
            ...kill("4th role update", "postgresql:index/role:Role", 4, "update"),
            signal: "SIGINT",
        });
        await recoverAndConverge("plan change, SIGINT at the 4th role update", run, NAMES);
    });

    it("an up during which PostgreSQL stops, then starts, converges", async () => {
        await ensureDeployed();
        const stop = process.env.AIMS_E2E_PG_STOP;
        const start = process.env.AIMS_E2E_PG_START;
        assert.ok(
            stop && start,
            "this case stops the platform's PostgreSQL: set AIMS_E2E_PG_STOP and AIMS_E2E_PG_START to shell commands that stop and start it",
        );
        const shell = (command: string) => {
            const result = spawnSync("sh", ["-c", command], { encoding: "utf8" });
            assert.equal(result.status, 0, `${command}: ${result.stderr}`);
        };
        stack!.writeTenants(TENANTS.map((t) => ({ ...t, plan: "large" })));
        let run: KilledUp;
        try {
            run = await stopAt({
                ...kill("3rd role update", "postgresql:index/role:Role", 3, "update"),
                signal: "none",
                act: () => shell(stop!),
            });
        } finally {
            shell(start!);
        }
        assert.notEqual(run.exitCode, 0, "the update did not notice that PostgreSQL stopped");
        await recoverAndConverge(
            "plan change, PostgreSQL stopped at the 3rd role update",
            run,
            NAMES,
        );
    });

    it("an up that removes an offboarded tenant, killed, converges", async () => {
        await ensureDeployed();
        const [leaving, ...staying] = TENANTS;
        stack!.writeTenants([{ ...leaving, status: "offboarding" }, ...staying]);
        await stack!.up();
        stack!.writeTenants(staying);
        stack!.editConfig((config) => ({ ...config, "aims:allowTenantRemoval": [leaving.name] }));
        const run = await stopAt(
            kill("Helm release delete", "kubernetes:helm.sh/v3:Release", 1, "delete"),
        );
        await recoverAndConverge(
            `removal of ${leaving.name}, SIGKILL at its Helm release's delete`,
            run,
            staying.map((t) => t.name),
            () => stack!.editConfig(({ "aims:allowTenantRemoval": _done, ...config }) => config),
        );
    });
});

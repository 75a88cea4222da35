/**
 * A release through the rings on a cluster that runs the pods: `npm run release` promotes a new
 * version to canary, early and general, each promotion a change of the stack file that `up`
 * deploys; then a version whose backend cannot start reaches canary, `up` fails naming its
 * tenant and ring while every other tenant keeps serving, the promotion to early is refused,
 * and a rollback brings canary back. The stack's project copy is a git repository, whose
 * commits stand for the merged promotions (rollback reads the version before from them).
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";
import { APP_VERSIONS } from "./support/images/standin-images";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { RealStack, TenantFile } from "./support/project";
import { readyPods } from "./support/tenant-app";

const CURRENT = APP_VERSIONS.current.tag;
const NEXT = APP_VERSIONS.next.tag;
const BROKEN = APP_VERSIONS.missingSetting.tag;
const QUEBEC = { name: "quebec", plan: "small", ring: "canary" } as const;
const ROMEO = { name: "romeo", plan: "small", ring: "early" } as const;
const SIERRA = { name: "sierra", plan: "small" } as const; // the default ring, general
const TENANTS: TenantFile[] = [QUEBEC, ROMEO, SIERRA];

describe("a release through the rings", function () {
    this.timeout(20 * 60_000);
    let platform: Platform;
    let kube: KubeClient;
    let stack: RealStack | undefined;
    const statuses: string[] = [];

    /** `npm run release -- <args>` in the stack's project, as a person or the schedule runs it. */
    const release = (...args: string[]) => {
        const run = spawnSync(
            path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
            ["--transpile-only", path.join(PROJECT_ROOT, "scripts", "release.ts"), ...args],
            { cwd: stack!.dir, encoding: "utf8", env: process.env },
        );
        return { status: run.status, out: `${run.stdout}${run.stderr}` };
    };
    const status = (moment: string) => {
        const shown = release("status").out;
        statuses.push(`--- ${moment}\n${shown}`);
        return shown;
    };
    /** The promotion merged: the stack file committed, as the reviewed change would be. */
    const merge = (message: string) => {
        const git = (...args: string[]) => execFileSync("git", args, { cwd: stack!.dir });
        git("add", "Pulumi.e2e.yaml", "tenants");
        git("commit", "-q", "-m", message);
    };
    const versionsServed = async () =>
        Object.fromEntries(
            await Promise.all(
                TENANTS.map(async (t) => [t.name, await readyPods(kube, t.name)] as const),
            ),
        );

    before(async function () {
        platform = platformFromEnvironment();
        kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        stack = await RealStack.create(platform);
        stack.editConfig((config) => {
            const { tag: _tag, ...images } = config["aims:images"] as Record<string, string>;
            return {
                ...config,
                "aims:images": images,
                "aims:rings": ["canary", "early", "general"].map((name) => ({
                    name,
                    version: CURRENT,
                    soakMinutes: 0,
                })),
            };
        });
        stack.writeTenants(TENANTS);
        const git = (...args: string[]) => execFileSync("git", args, { cwd: stack!.dir });
        git("init", "-q");
        git("config", "user.email", "e2e@example.org");
        git("config", "user.name", "e2e");
        merge("rings at the current version");
        await stack.up();
    });

    after(async function () {
        if (statuses.length > 0) console.log(`\n${statuses.join("\n")}`);
        await stack?.tearDown();
    });

    it("status: every tenant healthy at the current version, in its ring", async () => {
        const shown = status("before the release");
        for (const ring of ["canary", "early", "general"])
            assert.match(shown, new RegExp(`^${ring}\\s+${CURRENT.replace(/\./g, "\\.")}\\s`, "m"));
        for (const tenant of ["quebec", "romeo", "sierra"])
            assert.match(shown, new RegExp(`\\s${tenant}\\s+kubernetes\\s+healthy\\s`));
    });

    for (const ring of ["canary", "early", "general"]) {
        it(`promote ${NEXT} to ${ring}: the stack file changes, up rolls that ring only`, async () => {
            const promoted = release("promote", NEXT, "--ring", ring);
            assert.equal(promoted.status, 0, promoted.out);
            merge(`promote ${NEXT} to ${ring}`);
            const up = await stack!.up();
            const tenant = TENANTS.find((t) => (t.ring ?? "general") === ring)!.name;
            assert.deepEqual(
                [...new Set(up.changed.map((c) => c.urn.split("::").pop()!.split("-")[0]))],
                [tenant],
            );
            assert.deepEqual(await readyPods(kube, tenant), [
                `backend ${NEXT}`,
                `frontend ${NEXT}`,
            ]);
            assert.match(status(`after ${ring} got ${NEXT}`), new RegExp(`${ring}\\s+${NEXT}`));
        });
    }

    it(`a version that cannot start reaches canary: up fails naming the tenant and its ring, and every other tenant keeps serving`, async () => {
        assert.equal(release("promote", BROKEN, "--ring", "canary").status, 0);
        merge(`promote ${BROKEN} to canary`);
        const failure = await stack!.up().then(
            () => assert.fail("up succeeded with a version that cannot start"),
            (err: Error) => err.message,
        );
        assert.match(failure, /tenant quebec \(ring canary\): the rollout cannot succeed/);
        assert.match(failure, /AIMS_NEW_REQUIRED_SETTING/);
        assert.deepEqual(await versionsServed(), {
            quebec: [`backend ${NEXT}`, `frontend ${NEXT}`],
            romeo: [`backend ${NEXT}`, `frontend ${NEXT}`],
            sierra: [`backend ${NEXT}`, `frontend ${NEXT}`],
        });
        assert.match(status("after the failed canary"), /quebec\s+kubernetes\s+unhealthy/);
    });

    it("the promotion of that version to early is refused, naming the unhealthy canary", () => {
        const refused = release("promote", BROKEN, "--ring", "early");
        assert.equal(refused.status, 1, refused.out);
        assert.match(refused.out, /quebec \(ring canary\) is unhealthy at 1\.2\.0/);
        assert.doesNotMatch(
            execFileSync("git", ["status", "--porcelain"], { cwd: stack!.dir }).toString(),
            /Pulumi\.e2e\.yaml/,
            "the stack file is unchanged",
        );
    });

    it("rollback of canary: back to the version before, confirmed in the stack file, and up converges", async () => {
        const rolledBack = release("rollback", "--ring", "canary");
        assert.equal(rolledBack.status, 0, rolledBack.out);
        merge("roll canary back");
        await stack!.up();
        assert.deepEqual(await readyPods(kube, "quebec"), [`backend ${NEXT}`, `frontend ${NEXT}`]);
        const shown = status("after the rollback");
        assert.match(shown, new RegExp(`canary\\s+${NEXT.replace(/\./g, "\\.")}`));
        assert.doesNotMatch(shown, /unhealthy/);
    });
});

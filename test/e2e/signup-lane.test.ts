/**
 * The signup lane's plan check (npm run plan-check) on the real engine's `pulumi preview --json`:
 * a stack with two deployed tenants, then previews only. A new tenant file is admitted; an
 * edited existing tenant, a stack-file change hidden in the signup, a new tenant that claims
 * another's host, a change that replaces a resource, and a new stack's first tenant (the stack
 * and its providers are created outside any tenant) are refused, naming what they change.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";
import { Platform, platformFromEnvironment } from "./support/platform";
import { CliRun, POLICY_PACK, RealStack, TenantFile } from "./support/project";

const ALPHA: TenantFile = {
    name: "alpha",
    plan: "small",
    domain: "portal.alpha-school.example.org",
};
const BRAVO: TenantFile = { name: "bravo", plan: "small" };
const CHARLIE: TenantFile = { name: "charlie", plan: "small" };

/** The lane's check, as a pipeline runs it: the preview's JSON on stdin. */
function planCheck(preview: CliRun, tenants: readonly string[]) {
    const result = spawnSync(
        process.execPath,
        [
            "-r",
            "ts-node/register/transpile-only",
            path.join(PROJECT_ROOT, "scripts", "plan-check.ts"),
            "--tenants",
            tenants.join(","),
        ],
        {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            input: preview.stdout,
            maxBuffer: 256 * 1024 * 1024,
            env: { ...process.env, TS_NODE_PROJECT: path.join(PROJECT_ROOT, "tsconfig.json") },
        },
    );
    return {
        status: result.status,
        lines: result.stdout.trim().split("\n"),
        stderr: result.stderr,
    };
}

describe("the signup lane's plan check under the real engine", function () {
    this.timeout(15 * 60_000);
    let platform: Platform;
    let stack: RealStack | undefined;
    let config: Record<string, unknown>;

    before(async function () {
        platform = platformFromEnvironment();
        stack = await RealStack.create(platform);
        stack.editConfig((current) => (config = current));
        stack.writeTenants([ALPHA, BRAVO]);
        await stack.up();
    });

    afterEach(() => stack?.editConfig(() => config));
    after(async () => stack?.tearDown());

    it("admits a new tenant file: every step creates inside charlie's component or is unchanged", async () => {
        const state = await stack!.stateResources();
        const bravoResources = state.filter((r) => /::bravo(-|$)/.test(r.urn)).length;
        stack!.writeTenants([ALPHA, BRAVO, CHARLIE]);
        const preview = stack!.previewJson(["--policy-pack", POLICY_PACK]);
        assert.equal(preview.status, 0, preview.stderr);
        const check = planCheck(preview, ["charlie"]);
        assert.equal(check.status, 0, check.lines.join("\n"));
        // Everything deployed is unchanged: the engine counts neither the guard's read of the
        // stack's outputs nor the default providers (of random and of the StackReference).
        const counted = state.filter(
            (r) =>
                !r.urn.includes("::pulumi:pulumi:StackReference::") &&
                !/::pulumi:providers:[^:]+::default(_|$)/.test(r.urn),
        );
        assert.deepEqual(check.lines, [
            `signup plan admitted: ${bravoResources} creates inside tenant charlie; ${counted.length} unchanged; 1 read of the deletion guard's history`,
        ]);
    });

    it("refuses an existing tenant's file edited beside the new one, naming the update", () => {
        stack!.writeTenants([{ ...ALPHA, plan: "standard" }, BRAVO, CHARLIE]);
        const preview = stack!.previewJson();
        assert.equal(preview.status, 0, preview.stderr);
        const check = planCheck(preview, ["charlie"]);
        assert.equal(check.status, 1);
        const offences = check.lines.slice(0, -1);
        assert.ok(offences.length > 0);
        for (const line of offences)
            assert.match(
                line,
                /^update urn:pulumi:e2e::aims::aims:index:Tenant\$.*::alpha-[^:]*: updates an existing resource/,
            );
        assert.match(
            check.lines.at(-1)!,
            /^signup plan refused \(\d+ problems?\): \d+ creates inside tenant charlie/,
        );
    });

    it("refuses a stack-file change hidden in the signup, which a targeted preview would not show", () => {
        stack!.writeTenants([ALPHA, BRAVO, CHARLIE]);
        stack!.editConfig((current) => ({
            ...current,
            "aims:images": { ...(current["aims:images"] as object), tag: "2.5.0" },
        }));
        const preview = stack!.previewJson();
        assert.equal(preview.status, 0, preview.stderr);
        const check = planCheck(preview, ["charlie"]);
        assert.equal(check.status, 1);
        for (const tenant of ["alpha", "bravo"])
            assert.ok(
                check.lines.some((line) =>
                    new RegExp(`^update urn:\\S*::${tenant}\\S*: updates`).test(line),
                ),
                `${tenant}'s release is updated: ${check.lines.join("\n")}`,
            );
        // Targeted at the new tenant, the engine reports every other resource as unchanged:
        // only the untargeted preview can show that a signup changes nothing else.
        const targeted = stack!.previewJson([
            "--target",
            "urn:pulumi:e2e::aims::aims:index:Tenant::charlie",
            "--target-dependents",
        ]);
        assert.equal(planCheck(targeted, ["charlie"]).status, 0);
    });

    it("refuses a new tenant whose domain claims another tenant's host: the preview fails", () => {
        stack!.writeTenants([ALPHA, BRAVO, { ...CHARLIE, domain: ALPHA.domain }]);
        const preview = stack!.previewJson();
        assert.notEqual(preview.status, 0);
        const check = planCheck(preview, ["charlie"]);
        assert.equal(check.status, 1);
        assert.ok(
            check.lines.includes(
                `the preview reported an error: tenants/charlie.yaml: domain: "${ALPHA.domain}" is also the domain of tenants/alpha.yaml`,
            ),
            check.lines.join("\n"),
        );
    });

    it("refuses a plan with a replace, naming the replace", () => {
        stack!.writeTenants([ALPHA, BRAVO, CHARLIE]);
        // The admin's membership in each tenant role cannot change in place: another admin replaces it.
        stack!.editConfig((current) => ({
            ...current,
            "aims:database": { ...(current["aims:database"] as object), username: "aims_admin_2" },
        }));
        const preview = stack!.previewJson();
        assert.equal(preview.status, 0, preview.stderr);
        const check = planCheck(preview, ["charlie"]);
        assert.equal(check.status, 1);
        for (const tenant of ["alpha", "bravo"])
            assert.ok(
                check.lines.some((line) =>
                    new RegExp(
                        `^replace urn:\\S*::${tenant}-db-admin-membership: replaces an existing resource`,
                    ).test(line),
                ),
                `${tenant}'s admin membership is replaced: ${check.lines.join("\n")}`,
            );
    });

    it("refuses a new stack's first tenant: the stack and its providers are created outside any tenant", async () => {
        const fresh = await RealStack.create(platform);
        try {
            fresh.writeTenants([CHARLIE]);
            const preview = fresh.previewJson();
            assert.equal(preview.status, 0, preview.stderr);
            const check = planCheck(preview, ["charlie"]);
            assert.equal(check.status, 1);
            const offences = check.lines.slice(0, -1).map((line) => line.split(": ")[0]);
            assert.deepEqual(offences.sort(), [
                "create urn:pulumi:e2e::aims::pulumi:providers:kubernetes::kubernetes",
                "create urn:pulumi:e2e::aims::pulumi:providers:postgresql::postgresql",
                "create urn:pulumi:e2e::aims::pulumi:pulumi:Stack::aims-e2e",
            ]);
            assert.match(
                check.lines.at(-1)!,
                /^signup plan refused \(3 problems\): \d+ creates inside tenant charlie/,
            );
        } finally {
            fresh.remove();
        }
    });
});

/**
 * One measure of the signup lane at one stack size: a fresh stack of N tenants, then for each
 * run a new tenant added with and without `--target <its Tenant URN> --target-dependents`:
 * `pulumi preview --json` both ways on the same change, then `pulumi up` of one new tenant
 * untargeted and of another targeted, each with the policy pack. A probe policy beside the
 * project's pack records how many resources the pack's stack validation receives; the state
 * after a targeted `up` says whether every resource of the new tenant was created and whether
 * the `tenants` output the deletion guard reads next time lists it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Platform } from "../../../test/e2e/support/platform";
import { CliRun, POLICY_PACK, RealStack, TenantFile } from "../../../test/e2e/support/project";
import { TENANT_TYPE } from "../../../components/vocabulary/type-tokens";

export interface TimedStep {
    readonly seconds: number;
    /** The machine's 1-minute load average when the step began. */
    readonly load: number;
    /** Steps of the plan or update other than `same`, by operation. */
    readonly ops?: Record<string, number>;
    /** Resources the policy pack's stack validation received. */
    readonly policySawResources?: number;
}

export interface TargetingRun {
    readonly previewAll: TimedStep;
    readonly previewTargeted: TimedStep;
    readonly upAll: TimedStep;
    readonly upTargeted: TimedStep;
    /** The new tenant's resources in the state after each `up`: all of them, both ways? */
    readonly createdAll: number;
    readonly createdTargeted: number;
    /** Whether the `tenants` output lists the tenant added by the targeted `up`. */
    readonly targetedTenantInOutputs: boolean;
}

export interface TargetingMeasure {
    readonly tenants: number;
    readonly firstUpSeconds: number;
    readonly resources: number;
    readonly runs: readonly TargetingRun[];
}

const PROBE_FILE_ENV = "AIMS_POLICY_PROBE_FILE";

export async function measureTargeting(
    platform: Platform,
    tenants: number,
    runs: number,
): Promise<TargetingMeasure> {
    const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-policy-probe-"));
    const probeFile = path.join(probeDir, "seen.jsonl");
    const stack = await RealStack.create(platform, {
        environment: { [PROBE_FILE_ENV]: probeFile },
    });
    const probePack = writeProbePack(stack.dir);
    try {
        stack.editConfig((config) => ({
            ...config,
            "aims:maxTenantsPerStack": tenants + 2 * runs + 1,
        }));
        const fleet: TenantFile[] = Array.from({ length: tenants }, (_, i) => ({
            name: `fleet${String(i + 1).padStart(3, "0")}`,
            plan: "small",
        }));
        stack.writeTenants(fleet);
        const firstUp = await stack.up();
        const resources = (await stack.resourceUrns()).length;
        const measured: TargetingRun[] = [];
        const policy = ["--policy-pack", probePack];
        const timed = (args: string[], json: boolean): TimedStep => {
            fs.rmSync(probeFile, { force: true });
            const load = os.loadavg()[0];
            const run = stack.pulumi(args);
            if (run.status !== 0)
                throw new Error(
                    `pulumi ${args.join(" ")} failed:\n${run.stderr}\n${run.stdout.slice(-3000)}`,
                );
            return {
                seconds: run.seconds,
                load,
                ...(json && { ops: opsOf(run) }),
                ...(fs.existsSync(probeFile) && { policySawResources: lastProbe(probeFile) }),
            };
        };
        for (let run = 1; run <= runs; run++) {
            const viaAll = { name: `newall${run}`, plan: "small" } as const;
            const viaTarget = { name: `newtarget${run}`, plan: "small" } as const;
            stack.writeTenants([...fleet, viaAll]);
            const target = ["--target", tenantUrn(stack, viaAll.name), "--target-dependents"];
            const previewAll = timed(["preview", "--json", ...policy], true);
            const previewTargeted = timed(["preview", "--json", ...policy, ...target], true);
            const upAll = timed(["up", "--yes", "--skip-preview", ...policy], false);
            const createdAll = await resourcesOf(stack, viaAll.name);
            fleet.push(viaAll);
            stack.writeTenants([...fleet, viaTarget]);
            const upTargeted = timed(
                [
                    "up",
                    "--yes",
                    "--skip-preview",
                    ...policy,
                    "--target",
                    tenantUrn(stack, viaTarget.name),
                    "--target-dependents",
                ],
                false,
            );
            const createdTargeted = await resourcesOf(stack, viaTarget.name);
            fleet.push(viaTarget);
            const listed = ((await stack.outputs()).tenants as { name: string }[]).map(
                (t) => t.name,
            );
            measured.push({
                previewAll,
                previewTargeted,
                upAll,
                upTargeted,
                createdAll,
                createdTargeted,
                targetedTenantInOutputs: listed.includes(viaTarget.name),
            });
        }
        return { tenants, firstUpSeconds: firstUp.seconds, resources, runs: measured };
    } finally {
        await stack.tearDown();
        fs.rmSync(probeDir, { recursive: true, force: true });
    }
}

function tenantUrn(stack: RealStack, name: string): string {
    return `urn:pulumi:${stack.name}::aims::${TENANT_TYPE}::${name}`;
}

async function resourcesOf(stack: RealStack, tenant: string): Promise<number> {
    return (await stack.resourceUrns()).filter((urn) => new RegExp(`::${tenant}(-|$)`).test(urn))
        .length;
}

function opsOf(run: CliRun): Record<string, number> {
    const plan = JSON.parse(run.stdout) as { steps?: { op: string }[] };
    const ops: Record<string, number> = {};
    for (const step of plan.steps ?? []) ops[step.op] = (ops[step.op] ?? 0) + 1;
    return ops;
}

function lastProbe(file: string): number {
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    return (JSON.parse(lines[lines.length - 1]) as { resources: number }).resources;
}

/**
 * The project's policy pack, copied into the project copy with one more stack policy, advisory,
 * that records how many resources the pack's stack validation receives.
 */
function writeProbePack(projectDir: string): string {
    const dir = path.join(projectDir, "policy-probe");
    fs.cpSync(POLICY_PACK, dir, { recursive: true });
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        `import * as fs from "node:fs";
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";
import { evaluatingUnknowns } from "./unknowns";

new PolicyPack("aims-tenants", {
    policies: [
        ...policies.map(evaluatingUnknowns),
        {
            name: "probe-stack-size",
            description: "records how many resources the stack validation receives",
            enforcementLevel: "advisory",
            validateStack: (args) => {
                fs.appendFileSync(process.env.${PROBE_FILE_ENV}!, JSON.stringify({ resources: args.resources.length }) + "\\n");
            },
        },
    ],
});
`,
    );
    return dir;
}

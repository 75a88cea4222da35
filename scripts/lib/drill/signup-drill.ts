/**
 * The signup drill: a school signs up on a shard stack that already holds `existing` tenants,
 * on a cluster whose node runs the pods, and each step of its way is timed, from the core's
 * dispatch payload to the callback the school's pod sends the core (docs/delivery.md). It runs
 * what the pipeline runs: the tenant workflow's `npm run tenant -- add`, a preview with the
 * policy pack, and `up`, which returns once the new tenant's rollout check saw its pods ready.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../components/support/project-root";
import { newCoreSecrets, startCoreOnNode, useCore } from "../../../test/e2e/support/core-on-node";
import type { CoreStandin } from "../../../test/e2e/support/core-standin";
import { KubeClient } from "../../../test/e2e/support/kube";
import type { Platform } from "../../../test/e2e/support/platform";
import { POLICY_PACK, RealStack, TenantFile } from "../../../test/e2e/support/project";

/** What the core sends the tenant workflow (repository_dispatch's client_payload). */
export interface DispatchPayload {
    readonly action: "create-tenant";
    readonly tenant_name: string;
    readonly school_id: string;
    readonly plan: "small";
    readonly environments: string;
}

export interface DrillStep {
    readonly step: string;
    readonly seconds: number;
    /** Seconds since the tenant file was written, at the end of the step. */
    readonly sinceFile: number;
}

export interface DrillResult {
    readonly existing: number;
    readonly payload: DispatchPayload;
    readonly steps: readonly DrillStep[];
    /** From the tenant file to the core's receipt of the callback. */
    readonly fileToCallback: number;
}

const NEW_TENANT = "signup";
const POLL_MS = 250;

/**
 * The existing tenants are suspended: a two-core node holds the pods of about four small
 * tenants, and a suspended tenant costs the stack's preview and `up` the same as an active one.
 */
function fleet(existing: number): TenantFile[] {
    return Array.from({ length: existing }, (_, i) => ({
        name: `fleet${String(i + 1).padStart(3, "0")}`,
        plan: "small",
        status: "suspended",
        schoolId: String(5000 + i),
    }));
}

export async function runSignupDrill(platform: Platform, existing: number): Promise<DrillResult> {
    const kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
    const payload: DispatchPayload = {
        action: "create-tenant",
        tenant_name: NEW_TENANT,
        school_id: "4999",
        plan: "small",
        environments: "dev",
    };
    const secrets = newCoreSecrets();
    const core = await startCoreOnNode(platform, secrets, {
        [payload.tenant_name]: payload.school_id,
    });
    const stack = await RealStack.create(platform);
    try {
        await useCore(stack, platform, core, secrets);
        stack.editConfig((config) => ({ ...config, "aims:maxTenantsPerStack": existing + 1 }));
        stack.writeTenants(fleet(existing));
        await stack.up();
        return await measure(stack, kube, core, payload, existing);
    } finally {
        await stack.tearDown();
        await core.close();
    }
}

async function measure(
    stack: RealStack,
    kube: KubeClient,
    core: CoreStandin,
    payload: DispatchPayload,
    existing: number,
): Promise<DrillResult> {
    const steps: DrillStep[] = [];
    let fileWritten = 0;
    const step = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
        const started = Date.now();
        const result = await work();
        const ended = Date.now();
        steps.push({
            step: name,
            seconds: (ended - started) / 1000,
            sinceFile: fileWritten ? (ended - fileWritten) / 1000 : 0,
        });
        return result;
    };

    await step("tenant file from the dispatch payload", () => addTenantFile(stack, payload));
    fileWritten = Date.now();
    await step("preview, with the policy pack", () =>
        stack.preview({ policyPacks: [POLICY_PACK] }),
    );
    const upStarted = Date.now();
    const podsReady = waitForReady(kube, payload.tenant_name);
    const callback = core.waitForCall(
        (c) => c.endpoint === "bootstrap-ready" && c.subdomain === payload.tenant_name,
        10 * 60_000,
    );
    await step("up, until the rollout check passed", () => stack.up());
    const readyAt = await podsReady;
    const call = await callback;
    if (call.status !== 200) throw new Error(`the core refused the callback: ${call.outcome}`);
    const calledAt = call.receivedAt.getTime();
    steps.push(
        {
            step: "  callback received by the core (during up)",
            seconds: (calledAt - upStarted) / 1000,
            sinceFile: (calledAt - fileWritten) / 1000,
        },
        {
            step: "  pods Ready (during up)",
            seconds: (readyAt - upStarted) / 1000,
            sinceFile: (readyAt - fileWritten) / 1000,
        },
    );
    return { existing, payload, steps, fileToCallback: (calledAt - fileWritten) / 1000 };
}

/** What the tenant workflow runs for the payload, in the stack's project. */
function addTenantFile(stack: RealStack, payload: DispatchPayload): void {
    execFileSync(
        path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
        [
            "--transpile-only",
            path.join(PROJECT_ROOT, "scripts", "tenant.ts"),
            "add",
            payload.tenant_name,
            "--plan",
            payload.plan,
            "--env",
            payload.environments,
            "--school-id",
            payload.school_id,
        ],
        { cwd: stack.dir, stdio: ["ignore", "pipe", "inherit"] },
    );
}

/** When every Deployment of the tenant had all its pods available; polled from `up`'s start. */
async function waitForReady(kube: KubeClient, tenant: string): Promise<number> {
    const deadline = Date.now() + 10 * 60_000;
    while (Date.now() < deadline) {
        const deployments = await kube
            .list(`/apis/apps/v1/namespaces/${tenant}/deployments`)
            .catch(() => []);
        const ready =
            deployments.length === 2 &&
            deployments.every(
                (d) =>
                    d.spec.replicas > 0 &&
                    d.status?.observedGeneration >= (d.metadata.generation ?? 0) &&
                    d.status?.availableReplicas === d.spec.replicas,
            );
        if (ready) return Date.now();
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`the pods of ${tenant} were not ready within 10 minutes`);
}

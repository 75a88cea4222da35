/**
 * One run of the real-engine bench for one tenant count and one way of running the program: on
 * a fresh stack, the first `up` of N Kubernetes tenants, a preview with no change, an `up` that
 * adds one tenant, an `up` that changes one tenant's plan, then `destroy`, which leaves the
 * platform as it was. The cycle is handed to `save` as soon as the changes are measured, and
 * again with its `destroy`: a destroy of hundreds of tenants takes long enough that a run may be
 * stopped in it. With `skipDestroy` the cycle ends there and leaves its tenants on a platform
 * about to be thrown away.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Platform } from "../../../test/e2e/support/platform";
import type { ProgramMode } from "../../../test/e2e/support/program-mode";
import {
    OperationRecord,
    RealStack,
    TenantFile,
    tenantOfUrn,
} from "../../../test/e2e/support/project";
import { KubeClient } from "../../../test/e2e/support/kube";
import { PeakMemoryLog } from "./peak-memory";

export const OPERATIONS = ["firstUp", "preview", "addOne", "changePlan", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface OperationMeasure {
    readonly seconds: number;
    /** Peak resident memory of the program process; none for operations that do not run it. */
    readonly programPeakMiB?: number;
    /** Resource steps other than `same`. */
    readonly changed: number;
}

export interface CycleResult {
    readonly mode: ProgramMode;
    readonly tenants: number;
    /** Resources in the stack after the first `up`, the stack resource and providers included. */
    readonly resources: number;
    /** Resources of one tenant in the state, its components included: which version of the program ran. */
    readonly resourcesPerTenant: number;
    /** The engine saved the state only at the end of each command, not after every step. */
    readonly skippedCheckpoints?: true;
    readonly startedAt: string;
    /** The machine's 1-minute load average before and after the run: how busy it was. */
    readonly loadAverage: readonly [number, number];
    /**
     * Minutes since the cluster was set up (its `default` namespace was made) when the run began:
     * a platform that has served many runs can slow every command (docs/performance.md).
     */
    readonly platformAgeMinutes?: number;
    /** Every operation's measure; none for a `destroy` that failed and had to be run again. */
    readonly operations: Readonly<Partial<Record<Operation, OperationMeasure>>>;
    /** What went wrong and was recovered from, such as a failed `destroy`. */
    readonly incidents?: readonly string[];
}

/**
 * The engine's own switch (experimental) to save the state once at the end of a command instead
 * of after every step. Only to measure what the saves cost: an update that stops half way then
 * leaves no record of what it created.
 */
const SKIP_CHECKPOINTS = { PULUMI_EXPERIMENTAL: "true", PULUMI_SKIP_CHECKPOINTS: "true" };

export async function runCycle(
    platform: Platform,
    mode: ProgramMode,
    tenants: number,
    options: { skipCheckpoints: boolean; skipDestroy: boolean },
    save: (cycle: CycleResult) => Promise<void>,
): Promise<CycleResult> {
    const startedAt = new Date().toISOString();
    const loadBefore = os.loadavg()[0];
    const platformAgeMinutes = await platformAge(platform);
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-bench-memory-"));
    const memory = new PeakMemoryLog(path.join(logDir, "processes.jsonl"));
    const stack = await RealStack.create(platform, {
        program: mode,
        environment: {
            ...memory.environment(),
            ...(options.skipCheckpoints && SKIP_CHECKPOINTS),
        },
    });
    const measured = async (operation: Promise<OperationRecord>): Promise<OperationMeasure> => {
        const record = await operation;
        const programPeakMiB = memory.takeProgramPeakMiB();
        return {
            seconds: record.seconds,
            ...(programPeakMiB !== undefined && { programPeakMiB }),
            changed: record.changed.length,
        };
    };
    try {
        // The bench measures one stack beyond the shard limit on purpose, to show the slope.
        stack.editConfig((config) => ({ ...config, "aims:maxTenantsPerStack": tenants + 1 }));
        const fleet = benchTenants(tenants);
        stack.writeTenants(fleet);
        const firstUp = await measured(stack.up());
        const urns = await stack.resourceUrns();
        const resources = urns.length;
        const resourcesPerTenant = urns.filter((urn) => tenantOfUrn(urn) === fleet[0].name).length;
        const preview = await measured(stack.preview());
        const grown = [...fleet, ...benchTenants(tenants + 1).slice(tenants)];
        stack.writeTenants(grown);
        const addOne = await measured(stack.up());
        stack.writeTenants(grown.map((t, i) => (i === 0 ? { ...t, plan: "standard" } : t)));
        const changePlan = await measured(stack.up());
        const changes: CycleResult = {
            mode,
            tenants,
            resources,
            resourcesPerTenant,
            ...(options.skipCheckpoints && { skippedCheckpoints: true }),
            startedAt,
            loadAverage: [loadBefore, os.loadavg()[0]],
            platformAgeMinutes,
            operations: { firstUp, preview, addOne, changePlan },
        };
        await save(changes);
        if (options.skipDestroy) return changes;
        const incidents: string[] = [];
        const destroy = await measured(stack.destroy()).catch(async (err: Error) => {
            incidents.push(`destroy failed and was run again: ${lastErrorLine(err)}`);
            await stack.destroy();
            return undefined;
        });
        const cycle: CycleResult = {
            ...changes,
            loadAverage: [loadBefore, os.loadavg()[0]],
            operations: { ...changes.operations, ...(destroy && { destroy }) },
            ...(incidents.length > 0 && { incidents }),
        };
        await save(cycle);
        return cycle;
    } catch (err) {
        // Leave nothing on the platform for the next run, then report the first failure.
        await stack.destroy().catch(() => undefined);
        throw err;
    } finally {
        stack.remove();
        fs.rmSync(logDir, { recursive: true, force: true });
    }
}

async function platformAge(platform: Platform): Promise<number> {
    const kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
    const namespace = await kube.get<{ metadata: { creationTimestamp: string } }>(
        "/api/v1/namespaces/default",
    );
    if (!namespace) throw new Error("the cluster has no default namespace");
    const minutes = (Date.now() - Date.parse(namespace.metadata.creationTimestamp)) / 60_000;
    return Math.round(minutes);
}

/** `count` small Kubernetes tenants, bench0001, bench0002, ... */
function benchTenants(count: number): TenantFile[] {
    return Array.from({ length: count }, (_, i) => ({
        name: `bench${String(i + 1).padStart(4, "0")}`,
        plan: "small",
    }));
}

/** The provider's own message in a failed command's output: its last `error:` line. */
function lastErrorLine(err: Error): string {
    const lines = err.message.split("\n").filter((line) => /\berror:/.test(line));
    return (lines[lines.length - 1] ?? err.message.split("\n")[0]).trim();
}

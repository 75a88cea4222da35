/**
 * How a plan's namespace quota is shared out. Every pod of a tenant runs one app container
 * (the backend's init containers run before it, with the same resources, so they never add to
 * the pod's total), and every container gets the same size: one "slot" of the quota.
 */
import { KubernetesPlan } from "../vocabulary/plans";

/** A rolling update starts one extra pod per Deployment (maxSurge 1, maxUnavailable 0). */
export const ROLLOUT_SURGE_PODS = 2;
/** cert-manager runs an HTTP-01 solver pod in the namespace while it issues or renews the certificate. */
export const CERTIFICATE_SOLVER_PODS = 1;

const CPU_STEP_MILLICORES = 50;
const MEMORY_STEP_MEBIBYTES = 64;

export interface ResourceAmounts {
    readonly cpu: string;
    readonly memory: string;
}

export interface ContainerResources {
    readonly requests: ResourceAmounts;
    readonly limits: ResourceAmounts;
}

/** Pods the quota must hold at once: the plan's replicas, the rollout surge and the certificate solver. */
export function podSlots(plan: KubernetesPlan): number {
    return (
        plan.frontendReplicas + plan.backendReplicas + ROLLOUT_SURGE_PODS + CERTIFICATE_SOLVER_PODS
    );
}

/**
 * Resources of each container: the quota divided by the pod slots, rounded down. Memory is
 * requested in full (no overcommit, so no surprise OOM kills); CPU requests half its limit.
 */
export function containerResources(plan: KubernetesPlan): ContainerResources {
    const slots = podSlots(plan);
    const cpu = roundDown(millicores(plan.quota.cpu) / slots, CPU_STEP_MILLICORES);
    const memory = roundDown(mebibytes(plan.quota.memory) / slots, MEMORY_STEP_MEBIBYTES);
    return {
        requests: { cpu: `${cpu / 2}m`, memory: `${memory}Mi` },
        limits: { cpu: `${cpu}m`, memory: `${memory}Mi` },
    };
}

/** `2` -> 2000, `500m` -> 500. */
export function millicores(quantity: string): number {
    const match = /^(\d+)(m?)$/.exec(quantity);
    if (!match)
        throw new Error(
            `unsupported CPU quantity ${JSON.stringify(quantity)}: use whole cores ("2") or millicores ("500m")`,
        );
    return Number(match[1]) * (match[2] === "m" ? 1 : 1000);
}

/** `4Gi` -> 4096, `512Mi` -> 512. */
export function mebibytes(quantity: string): number {
    const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
    if (!match)
        throw new Error(`unsupported memory quantity ${JSON.stringify(quantity)}: use Mi or Gi`);
    return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
}

function roundDown(value: number, step: number): number {
    return Math.floor(value / step) * step;
}

/** Plan sizes of a tenant on both platforms (README, the plan table). */

export const PLAN_NAMES = ["small", "standard", "large"] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export interface KubernetesPlan {
    /** Replicas of the frontend Deployment while the tenant is active. */
    readonly frontendReplicas: number;
    /** Replicas of the backend Deployment while the tenant is active. */
    readonly backendReplicas: number;
    /** ResourceQuota of the tenant's namespace, in Kubernetes quantities. */
    readonly quota: { readonly cpu: string; readonly memory: string };
}

export interface EcsPlan {
    /** Task cpu units (1024 = one vCPU), a valid Fargate combination with memory. */
    readonly cpu: number;
    /** Task memory in MiB. */
    readonly memory: number;
    /** Desired task count while the tenant is active. */
    readonly desiredCount: number;
}

export interface Plan {
    readonly kubernetes: KubernetesPlan;
    readonly ecs: EcsPlan;
    /** Connection limit of the tenant's database role: room for every app process and a migration. */
    readonly databaseConnections: number;
}

export const PLANS: Readonly<Record<PlanName, Plan>> = {
    small: {
        kubernetes: { frontendReplicas: 1, backendReplicas: 1, quota: { cpu: "2", memory: "4Gi" } },
        ecs: { cpu: 512, memory: 1024, desiredCount: 1 },
        databaseConnections: 20,
    },
    standard: {
        kubernetes: { frontendReplicas: 2, backendReplicas: 2, quota: { cpu: "4", memory: "8Gi" } },
        ecs: { cpu: 1024, memory: 2048, desiredCount: 2 },
        databaseConnections: 40,
    },
    large: {
        kubernetes: {
            frontendReplicas: 3,
            backendReplicas: 4,
            quota: { cpu: "8", memory: "16Gi" },
        },
        ecs: { cpu: 2048, memory: 4096, desiredCount: 3 },
        databaseConnections: 80,
    },
};

/**
 * Kubernetes helpers of the tests: resource type tokens, a Kubernetes tenant deployed under
 * mocks, and validation of an object against the Kubernetes API schemas (kubernetes-models).
 */
import * as appsV1 from "kubernetes-models/apps/v1";
import * as networkingV1 from "kubernetes-models/networking.k8s.io/v1";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as coreV1 from "kubernetes-models/v1";
import { Tenant } from "../../components/tenant";
import { TENANT_TYPE, TENANT_WORKLOAD_TYPE } from "../../components/vocabulary/type-tokens";
import { MockStack, RecordedResource, reveal, settingsOf, spec, startMocks } from "./mocks";

export const TYPES = {
    tenant: TENANT_TYPE,
    workload: TENANT_WORKLOAD_TYPE,
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    release: "kubernetes:helm.sh/v3:Release",
    rolloutCheck: "command:local:Command",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    resourceQuota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    role: "postgresql:index/role:Role",
    database: "postgresql:index/database:Database",
} as const;

/** The security context of every container the program runs: the chart's, the backup's, the restore's. */
export const LOCKED_DOWN_CONTAINER = {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
} as const;

export interface DeployedTenant {
    readonly mocks: MockStack;
    readonly tenant: Tenant;
    /** The Tenant's component and every resource of its Kubernetes part. */
    readonly r: ReturnType<typeof kubernetesResources>;
}

/** One tenant on `stack`, under fresh mocks; `config` replaces top-level `aims:` keys of the stack file. */
export async function deployTenant(
    stack: string,
    overrides: Parameters<typeof spec>[0],
    config: Record<string, unknown> = {},
): Promise<DeployedTenant> {
    const mocks = startMocks(stack, config);
    const tenantSpec = spec(overrides);
    const tenant = new Tenant(tenantSpec.name, {
        tenant: tenantSpec,
        settings: settingsOf(stack, [tenantSpec], config),
    });
    await mocks.settled();
    return { mocks, tenant, r: kubernetesResources(mocks, tenantSpec.name) };
}

export function kubernetesResources(mocks: MockStack, name: string) {
    const find = (type: string, resourceName: string) =>
        mocks.resources.find(
            (resource) => resource.type === type && resource.name === resourceName,
        );
    return {
        tenant: mocks.get(TYPES.tenant, name),
        workload: mocks.get(TYPES.workload, name),
        namespace: mocks.get(TYPES.namespace, `${name}-namespace`),
        /** Only an adopted school has it. */
        adoptedDjangoSecret: find(TYPES.secret, `${name}-django-secret`),
        databaseSecret: mocks.get(TYPES.secret, `${name}-database-secret`),
        registrySecret: find(TYPES.secret, `${name}-registry-secret`),
        release: mocks.get(TYPES.release, `${name}-release`),
        ingress: mocks.get(TYPES.ingress, `${name}-ingress`),
        networkPolicy: mocks.get(TYPES.networkPolicy, `${name}-network-policy`),
        resourceQuota: mocks.get(TYPES.resourceQuota, `${name}-quota`),
        limitRange: mocks.get(TYPES.limitRange, `${name}-limits`),
    };
}

const MODELS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
    v1: coreV1,
    "apps/v1": appsV1,
    "policy/v1": policyV1,
    "networking.k8s.io/v1": networkingV1,
};

/**
 * Validates a Kubernetes object against its API schema; throws naming the object and every
 * violation. An apiVersion or kind the tests do not know is an error too, never a pass.
 */
export function validateObject(object: object): void {
    const { apiVersion, kind, metadata } = object as {
        apiVersion?: unknown;
        kind?: unknown;
        metadata?: { name?: unknown };
    };
    const what = `${String(kind)} ${String(metadata?.name)} (${String(apiVersion)})`;
    const model = MODELS[String(apiVersion)]?.[String(kind)];
    if (typeof model !== "function") {
        throw new Error(`${what}: no Kubernetes schema known for this apiVersion and kind`);
    }
    try {
        new (model as new (data: unknown) => { validate(): void })(object).validate();
    } catch (err) {
        throw new Error(`${what}: ${(err as Error).message}`);
    }
}

/** A recorded Kubernetes resource's inputs as the object the API server would receive (secrets revealed). */
export function objectOf(resource: RecordedResource): {
    apiVersion: string;
    kind: string;
    metadata: Record<string, any>;
    [key: string]: any;
} {
    return reveal(resource.inputs);
}

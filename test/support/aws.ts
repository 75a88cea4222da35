/**
 * Helpers of the AWS tests: deploy AWS tenants under mocks the way index.ts does (the stack's
 * explicit providers passed to each Tenant), and read back what a tenant's resources hold.
 */
import type { ContainerDefinition } from "../../components/aws/containers";
import type { PolicyDocument } from "../../components/aws/iam";
import { stackProviders } from "../../components/providers";
import type { TenantSpec } from "../../components/tenant-files/registry";
import { StackSettings } from "../../components/stack/settings";
import { Tenant } from "../../components/tenant";
import { TENANT_SERVICE_TYPE } from "../../components/vocabulary/type-tokens";
import type { Platform } from "../../components/vocabulary/words";
import { MockStack, RecordedResource, settingsOf, spec, startMocks } from "./mocks";

export const AWS = {
    service: TENANT_SERVICE_TYPE,
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    accessPoint: "aws:efs/accessPoint:AccessPoint",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    ecsService: "aws:ecs/service:Service",
    provider: "pulumi:providers:aws",
} as const;

export interface AwsDeployment {
    readonly mocks: MockStack;
    readonly settings: StackSettings;
    readonly tenants: readonly Tenant[];
}

/** An AWS tenant spec with the test defaults. */
export const awsSpec = (overrides: Parameters<typeof spec>[0]): TenantSpec =>
    spec({ platform: "aws", ...overrides });

/** Declares `tenants` in `stack` (config overrides replace top-level keys) and waits for every registration. */
export async function deployAws(
    stack: string,
    tenants: readonly TenantSpec[],
    overrides: Record<string, unknown> = {},
): Promise<AwsDeployment> {
    const mocks = startMocks(stack, overrides);
    const settings = settingsOf(stack, tenants, overrides);
    const providers = stackProviders(settings, new Set<Platform>(["aws"]));
    const components = tenants.map(
        (tenant) => new Tenant(tenant.name, { tenant, settings }, { providers }),
    );
    await mocks.settled();
    return { mocks, settings, tenants: components };
}

/** The resources whose parent is `parent`, as sorted `type name` lines. */
export function childrenOf(mocks: MockStack, parent: RecordedResource): string[] {
    return mocks.resources
        .filter((r) => r.parent === parent.urn)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

export function containerDefinitionsOf(mocks: MockStack, tenant: string): ContainerDefinition[] {
    const text = mocks.get(AWS.taskDefinition, `${tenant}-task`).inputs.containerDefinitions;
    if (typeof text !== "string")
        throw new Error(
            `containerDefinitions of ${tenant} is not a plain JSON string: ${String(text)}`,
        );
    return JSON.parse(text);
}

export function container(
    definitions: readonly ContainerDefinition[],
    name: string,
): ContainerDefinition {
    const found = definitions.find((definition) => definition.name === name);
    if (!found)
        throw new Error(
            `no container ${name} (containers: ${definitions.map((d) => d.name).join(", ")})`,
        );
    return found;
}

export function taskPolicyOf(mocks: MockStack, tenant: string): PolicyDocument {
    return JSON.parse(mocks.get(AWS.rolePolicy, `${tenant}-task-policy`).inputs.policy);
}

/** The ARN of a tenant's secret, as its SecretVersion refers to it (the mock's ID of a secret is its ARN). */
export function secretArnOf(
    mocks: MockStack,
    tenant: string,
    role: "db-credentials" | "core",
): string {
    return mocks.get(AWS.secretVersion, `${tenant}-${role}-value`).inputs.secretId;
}

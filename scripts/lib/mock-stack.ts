/**
 * Runs Pulumi code offline against Pulumi's mocks and records every registered resource with
 * what the mocks alone do not show: its parent, protect, retainOnDelete, provider, the id it
 * imports, and which input values are secret. Used by `npm run synth` and by the tests (test/support/).
 *
 * Call `MockStack.start` before importing any module that creates resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A value that was a secret when registered. */
export class Secret {
    constructor(readonly value: unknown) {}
}

/** Resource inputs as the engine hands them over: any JSON shape. */
export type Inputs = pulumi.runtime.MockResourceArgs["inputs"];

/** The part of the SDK's resource monitor (a gRPC client) that the recorder wraps. */
interface ResourceMonitor {
    registerResource(
        request: RegisterResourceRequest,
        callback: (err: Error | null, response: { getUrn(): string }) => void,
    ): void;
}

/** The getters of the protobuf RegisterResourceRequest that the recorder reads. */
interface RegisterResourceRequest {
    getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
    getProvider(): string;
    getImportid(): string;
}

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** URN of the parent; undefined only for resources without a parent. */
    readonly parent?: string;
    readonly custom: boolean;
    /** Inputs as registered; secret values are wrapped in `Secret`. */
    readonly inputs: Inputs;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    /** URNs the resource waits for: its `dependsOn` and the resources its inputs come from. */
    readonly dependencies: readonly string[];
    /** Provider reference (`<urn>::<id>`) of a custom resource, when set explicitly or inherited. */
    readonly provider?: string;
    /** The `import` option: the id of an existing resource that `pulumi up` imports instead of creating. */
    readonly importId?: string;
}

export interface MockStackOptions {
    readonly project?: string;
    readonly stack: string;
    /** Full config keys (`aims:database`) to string values, as `pulumi config` stores them. */
    readonly config?: Record<string, string>;
    readonly secretKeys?: readonly string[];
    readonly region?: string;
    /** Outputs of the stack's last update, as a StackReference to the stack itself reads them. */
    readonly previousOutputs?: Record<string, unknown>;
}

export class MockStack {
    readonly resources: RecordedResource[] = [];

    private constructor(readonly stack: string) {}

    /** Resets Pulumi's runtime to fresh mocks with the given config. */
    static start(options: MockStackOptions): MockStack {
        const recorder = new MockStack(options.stack);
        pulumi.runtime.setAllConfig(options.config ?? {}, [...(options.secretKeys ?? [])]);
        pulumi.runtime.setMocks(
            mockProviders(options.region ?? "eu-west-1", options.previousOutputs ?? {}),
            options.project ?? "aims",
            options.stack,
            false,
            "organization",
        );
        recorder.interceptRegistrations();
        return recorder;
    }

    /** Resolves once every registration started so far (and those they started) has finished. */
    async settled(): Promise<void> {
        // waitForRPCs is what `pulumi` itself awaits before a program exits; it is not in the typings.
        await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    }

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((resource) => resource.type === type);
    }

    /** The one resource of `type` named `name`; throws with what exists when there is none. */
    get(type: string, name: string): RecordedResource {
        const found = this.resources.find(
            (resource) => resource.type === type && resource.name === name,
        );
        if (!found) {
            const names = this.ofType(type).map((resource) => resource.name);
            throw new Error(
                `no ${type} named "${name}" was registered (registered: ${names.join(", ") || "none"})`,
            );
        }
        return found;
    }

    /** Resources whose parent chain reaches `ancestor`. */
    descendantsOf(ancestor: RecordedResource): RecordedResource[] {
        const byUrn = new Map(this.resources.map((resource) => [resource.urn, resource]));
        const reaches = (resource: RecordedResource): boolean => {
            for (let parent = resource.parent; parent; parent = byUrn.get(parent)?.parent) {
                if (parent === ancestor.urn) return true;
            }
            return false;
        };
        return this.resources.filter(reaches);
    }

    private interceptRegistrations(): void {
        const monitor = pulumi.runtime.getMonitor() as unknown as ResourceMonitor;
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (request, callback) => {
            const inputs = markSecrets(
                pulumi.runtime.deserializeProperties(request.getObject(), false),
            ) as Inputs;
            register(request, (err, response) => {
                if (!err) {
                    this.resources.push({
                        type: request.getType(),
                        name: request.getName(),
                        urn: response.getUrn(),
                        parent: request.getParent() || undefined,
                        custom: request.getCustom(),
                        inputs,
                        protect: request.getProtect() === true,
                        retainOnDelete: request.getRetainondelete() === true,
                        ignoreChanges: request.getIgnorechangesList(),
                        dependencies: request.getDependenciesList(),
                        provider: request.getProvider() || undefined,
                        importId: request.getImportid() || undefined,
                    });
                }
                callback(err, response);
            });
        };
    }
}

/** Replaces the runtime's secret envelopes with `Secret` values. */
function markSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(markSecrets);
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) return new Secret(markSecrets(record.value));
        if (record[SIG_KEY] !== undefined) return value;
        return Object.fromEntries(
            Object.entries(record).map(([key, item]) => [key, markSecrets(item)]),
        );
    }
    return value;
}

/** The same value with every `Secret` replaced by its content. */
export function reveal(value: unknown): Inputs {
    if (value instanceof Secret) return reveal(value.value);
    if (Array.isArray(value)) return value.map(reveal);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]));
    }
    return value;
}

/** The same value with every `Secret` replaced by `[secret]`. */
export function redact(value: unknown): Inputs {
    if (value instanceof Secret) return "[secret]";
    if (Array.isArray(value)) return value.map(redact);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item)]));
    }
    return value;
}

/** A stand-in of a provider-computed value, stable for a given resource. */
function fakeValue(name: string, purpose: string): string {
    return createHash("sha256").update(`${purpose}:${name}`).digest("hex").slice(0, 32);
}

const MOCK_ACCOUNT_ID = "123456789012";

interface AwsPlace {
    readonly region: string;
    readonly accountId: string;
}

/** The ARN (and the ID, where AWS makes it up) that AWS would give a resource, in the formats AWS uses. */
function mockAwsIdentity(
    type: string,
    name: string,
    inputs: Inputs,
    { region, accountId }: AwsPlace,
): { arn: string; id?: string } {
    const hex = (length: number) => fakeValue(name, type).slice(0, length);
    const arn = (service: string, resource: string, inRegion = region) =>
        `arn:aws:${service}:${inRegion}:${accountId}:${resource}`;
    switch (type) {
        case "aws:secretsmanager/secret:Secret": {
            const secretArn = arn("secretsmanager", `secret:${inputs.name}-${hex(6)}`);
            return { arn: secretArn, id: secretArn };
        }
        case "aws:efs/accessPoint:AccessPoint": {
            const accessPointId = `fsap-${hex(17)}`;
            return {
                arn: arn("elasticfilesystem", `access-point/${accessPointId}`),
                id: accessPointId,
            };
        }
        case "aws:lb/targetGroup:TargetGroup": {
            const groupArn = arn("elasticloadbalancing", `targetgroup/${inputs.name}/${hex(16)}`);
            return { arn: groupArn, id: groupArn };
        }
        case "aws:lb/listenerRule:ListenerRule": {
            const ruleArn = `${String(inputs.listenerArn).replace(":listener/", ":listener-rule/")}/${hex(16)}`;
            return { arn: ruleArn, id: ruleArn };
        }
        case "aws:iam/role:Role":
            return { arn: arn("iam", `role/${inputs.name}`, ""), id: inputs.name };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: arn("logs", `log-group:${inputs.name}`), id: inputs.name };
        case "aws:ecs/taskDefinition:TaskDefinition":
            return { arn: arn("ecs", `task-definition/${inputs.family}:1`), id: inputs.family };
        case "aws:ecs/service:Service": {
            const serviceArn = arn(
                "ecs",
                `service/${String(inputs.cluster).split("/").pop()}/${inputs.name}`,
            );
            return { arn: serviceArn, id: serviceArn };
        }
        default:
            return { arn: arn(type.split(":")[1].split("/")[0], name) };
    }
}

/**
 * Computed outputs the providers would return: IDs, ARNs and generated passwords (the latter
 * as secrets, as the random provider marks them). Everything else echoes the inputs.
 */
function mockProviders(
    region: string,
    previousOutputs: Record<string, unknown>,
): pulumi.runtime.Mocks {
    // Region and account of each aws provider, by provider ID: a resource's ARN is in its provider's.
    const awsPlaces = new Map<string, AwsPlace>();
    return {
        newResource(args) {
            const state: Record<string, unknown> = { ...args.inputs };
            const id = `${args.name}-id`;
            if (args.type === "pulumi:pulumi:StackReference") {
                return {
                    id: args.inputs.name,
                    state: {
                        name: args.inputs.name,
                        outputs: previousOutputs,
                        secretOutputNames: [],
                    },
                };
            }
            if (args.type === "random:index/randomPassword:RandomPassword") {
                state.result = pulumi.secret(
                    `mock-${fakeValue(args.name, "password")}`.slice(0, args.inputs.length ?? 32),
                );
            }
            if (args.type === "pulumi:providers:aws") {
                const accounts =
                    typeof args.inputs.allowedAccountIds === "string"
                        ? JSON.parse(args.inputs.allowedAccountIds)
                        : args.inputs.allowedAccountIds;
                awsPlaces.set(id, {
                    region: args.inputs.region ?? region,
                    accountId: accounts?.[0] ?? MOCK_ACCOUNT_ID,
                });
            }
            if (args.type.startsWith("aws:")) {
                const place = awsPlaces.get(args.provider?.split("::").pop() ?? "") ?? {
                    region,
                    accountId: MOCK_ACCOUNT_ID,
                };
                const computed = mockAwsIdentity(args.type, args.name, args.inputs, place);
                state.arn = computed.arn;
                return { id: computed.id ?? id, state };
            }
            return { id, state };
        },
        call(args) {
            if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
                return {
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`,
                    userId: "mock",
                };
            }
            if (args.token === "aws:index/getRegion:getRegion") {
                return { name: region, region };
            }
            return args.inputs;
        },
    };
}

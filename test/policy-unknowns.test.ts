import { strict as assert } from "node:assert";
import {
    PolicyResource,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import { policies, ResourcePolicy } from "../policy/policies";
import { COMPUTED, evaluatingUnknowns, withKnownValues } from "../policy/unknowns";
import { copyProject } from "./support/project";
import { MockStack, RecordedResource, reveal, startMocks } from "./support/mocks";
import { policyViolations } from "./support/policy";
import { loadProgram } from "../scripts/lib/program";

/** What the policy engine puts where a value is unknown on a preview; not in the package's typings. */
const unknownStringValue = (policyProxy as unknown as { unknownStringValue: unknown })
    .unknownStringValue;
const SECRET = "kubernetes:core/v1:Secret";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** Resource args as the policy engine hands them over on a preview: props behind the unknown-checking proxy. */
function previewArgs(type: string, props: Record<string, unknown>): ResourceValidationArgs {
    return {
        type,
        name: "r",
        urn: `urn:pulumi:dev::aims::${type}::r`,
        props: unknownCheckingProxy(props),
        opts: { protect: false },
        getConfig: () => ({}),
    } as unknown as ResourceValidationArgs;
}

function violations(policy: ResourcePolicy, args: ResourceValidationArgs): string[] {
    const found: string[] = [];
    void policy.validateResource(args, (message) => found.push(message));
    return found;
}

const noLiteralSecrets = policies.find((p) => p.name === "no-literal-secrets") as ResourcePolicy;

describe("policy pack on a preview, where generated values are unknown", () => {
    it("copies props with each unknown replaced by a marker, at any depth", () => {
        const props = unknownCheckingProxy({
            a: unknownStringValue,
            b: { c: [1, unknownStringValue], d: "known" },
        });
        const copy = withKnownValues(props) as any;
        assert.deepEqual([copy.a, copy.b.c[1]], [COMPUTED, COMPUTED]);
        assert.deepEqual([copy.b.c[0], copy.b.d], [1, "known"]);
        assert.deepEqual(
            { ...copy.a },
            {},
            "spreads to nothing, so no rule mistakes it for values",
        );
    });

    it("shows the hole it closes: read as the engine passes them, the props throw and the rule would not run", () => {
        const args = previewArgs(SECRET, {
            stringData: { password: "changeme", token: unknownStringValue },
        });
        assert.throws(() => violations(noLiteralSecrets, args), UnknownValueError);
    });

    it("still finds a literal placeholder in a Secret beside a generated value", () => {
        for (const literal of ["changeme", "password", "", "admin", "12345678"]) {
            const args = previewArgs(SECRET, {
                stringData: { password: literal, token: unknownStringValue },
            });
            assert.deepEqual(
                violations(evaluatingUnknowns(noLiteralSecrets), args),
                [
                    'Secret key "password" holds a literal placeholder value; generate it (random) or read it from secret config',
                ],
                literal,
            );
        }
    });

    it("accepts a Secret whose values are all generated", () => {
        const args = previewArgs(SECRET, {
            stringData: { "secret-key": unknownStringValue, password: unknownStringValue },
        });
        assert.deepEqual(violations(evaluatingUnknowns(noLiteralSecrets), args), []);
    });

    it("accepts a Secret whose whole stringData is computed, as the Kubernetes provider reports a new tenant's Secrets on a preview", () => {
        const args = previewArgs(SECRET, {
            stringData: unknownStringValue,
            data: unknownStringValue,
        });
        assert.deepEqual(violations(evaluatingUnknowns(noLiteralSecrets), args), []);
    });

    it("still refuses a secret-named env value that is computed: it would be plain text in the pod spec", () => {
        const container = {
            name: "app",
            env: [
                { name: "DATABASE_PASSWORD", value: unknownStringValue },
                { name: "HOST", value: unknownStringValue },
            ],
        };
        const args = previewArgs(DEPLOYMENT, {
            spec: { template: { spec: { containers: [container] } } },
        });
        assert.deepEqual(violations(evaluatingUnknowns(noLiteralSecrets), args), [
            'container "app" sets DATABASE_PASSWORD as a literal value; use valueFrom.secretKeyRef',
        ]);
    });

    it("runs every rule of the pack on resources whose values are all unknown, without throwing", () => {
        const unknownEverywhere = {
            metadata: unknownStringValue,
            spec: unknownStringValue,
            stringData: unknownStringValue,
            data: unknownStringValue,
            policy: unknownStringValue,
            containerDefinitions: unknownStringValue,
            values: unknownStringValue,
            inlinePolicies: unknownStringValue,
        };
        const types = [
            SECRET,
            DEPLOYMENT,
            "kubernetes:core/v1:Namespace",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:helm.sh/v3:Release",
            "aws:ecs/taskDefinition:TaskDefinition",
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
        ];
        for (const policy of policies.map(evaluatingUnknowns)) {
            for (const type of types) {
                const args = previewArgs(type, unknownEverywhere);
                if ("validateResource" in policy) {
                    assert.doesNotThrow(
                        () => violations(policy as ResourcePolicy, args),
                        `${policy.name} on ${type}`,
                    );
                } else {
                    const resource = { ...args, parent: undefined } as unknown as PolicyResource;
                    const stackArgs = {
                        resources: [resource],
                        getConfig: () => ({}),
                    } as unknown as StackValidationArgs;
                    assert.doesNotThrow(
                        () =>
                            (policy as StackValidationPolicy).validateStack(
                                stackArgs,
                                () => undefined,
                            ),
                        `${policy.name} on ${type}`,
                    );
                }
            }
        }
    });
});

/** Every path into `value`: each key of each mapping and each index of each list, at any depth. */
function pathsOf(
    value: unknown,
    prefix: Array<string | number> = [],
): Array<Array<string | number>> {
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([key, item]) => {
        const at = [...prefix, Array.isArray(value) ? Number(key) : key];
        return [at, ...pathsOf(item, at)];
    });
}

/** A copy of `value` with the value at `at` unknown. */
function unknownAt(
    value: Record<string, unknown>,
    at: Array<string | number>,
): Record<string, unknown> {
    const copy = structuredClone(value);
    const parent = at.slice(0, -1).reduce<any>((node, key) => node[key], copy);
    parent[at[at.length - 1]] = unknownStringValue;
    return copy;
}

describe("policy pack on a preview of the program's own resources", function () {
    this.timeout(5 * 60_000);
    for (const stack of ["dev", "prod"]) {
        it(`reports nothing and never throws when any one value of what the ${stack} stack declares is unknown`, async () => {
            const project = copyProject();
            let mocks: MockStack;
            try {
                mocks = startMocks(stack);
                await loadProgram(project.dir)();
                await mocks.settled();
            } finally {
                project.remove();
            }
            const resources = mocks.resources;
            assert.deepEqual(policyViolations(resources), [], "compliant with every value known");
            let variants = 0;
            const found = new Set<string>();
            for (const target of resources.filter((r: RecordedResource) => r.custom)) {
                for (const at of pathsOf(reveal(target.inputs))) {
                    variants++;
                    const propsOf = (r: RecordedResource) =>
                        r === target ? unknownAt(reveal(r.inputs), at) : reveal(r.inputs);
                    for (const violation of policyViolations(resources, {}, propsOf))
                        found.add(`${violation} [unknown: ${target.name} ${at.join(".")}]`);
                }
            }
            assert.ok(variants > 500, `${variants} variants`);
            assert.deepEqual([...found], []);
        });
    }
});

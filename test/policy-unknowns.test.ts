import { strict as assert } from "node:assert";
import { PolicyResource, ResourceValidationArgs, StackValidationArgs, StackValidationPolicy, unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import { policies, ResourcePolicy } from "../policy/policies";
import { COMPUTED, evaluatingUnknowns, withKnownValues } from "../policy/unknowns";

/** What the policy engine puts where a value is unknown on a preview; not in the package's typings. */
const unknownStringValue = (policyProxy as unknown as { unknownStringValue: unknown }).unknownStringValue;
const SECRET = "kubernetes:core/v1:Secret";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** Resource args as the policy engine hands them over on a preview: props behind the unknown-checking proxy. */
function previewArgs(type: string, props: Record<string, unknown>): ResourceValidationArgs {
    return { type, name: "r", urn: `urn:pulumi:dev::aims::${type}::r`, props: unknownCheckingProxy(props), opts: { protect: false }, getConfig: () => ({}) } as unknown as ResourceValidationArgs;
}

function violations(policy: ResourcePolicy, args: ResourceValidationArgs): string[] {
    const found: string[] = [];
    void policy.validateResource(args, (message) => found.push(message));
    return found;
}

const noLiteralSecrets = policies.find((p) => p.name === "no-literal-secrets") as ResourcePolicy;

describe("policy pack on a preview, where generated values are unknown", () => {
    it("copies props with each unknown replaced by a marker, at any depth", () => {
        const props = unknownCheckingProxy({ a: unknownStringValue, b: { c: [1, unknownStringValue], d: "known" } });
        assert.deepEqual(withKnownValues(props), { a: COMPUTED, b: { c: [1, COMPUTED], d: "known" } });
    });

    it("shows the hole it closes: read as the engine passes them, the props throw and the rule would not run", () => {
        const args = previewArgs(SECRET, { stringData: { password: "changeme", token: unknownStringValue } });
        assert.throws(() => violations(noLiteralSecrets, args), UnknownValueError);
    });

    it("still finds a literal placeholder in a Secret beside a generated value", () => {
        for (const literal of ["changeme", "password", "", "admin", "12345678"]) {
            const args = previewArgs(SECRET, { stringData: { password: literal, token: unknownStringValue } });
            assert.deepEqual(violations(evaluatingUnknowns(noLiteralSecrets), args),
                ['Secret key "password" holds a literal placeholder value; generate it (random) or read it from secret config'], literal);
        }
    });

    it("accepts a Secret whose values are all generated", () => {
        const args = previewArgs(SECRET, { stringData: { "secret-key": unknownStringValue, password: unknownStringValue } });
        assert.deepEqual(violations(evaluatingUnknowns(noLiteralSecrets), args), []);
    });

    it("still refuses a secret-named env value that is computed: it would be plain text in the pod spec", () => {
        const container = { name: "app", env: [{ name: "DATABASE_PASSWORD", value: unknownStringValue }, { name: "HOST", value: unknownStringValue }] };
        const args = previewArgs(DEPLOYMENT, { spec: { template: { spec: { containers: [container] } } } });
        assert.deepEqual(violations(evaluatingUnknowns(noLiteralSecrets), args),
            ['container "app" sets DATABASE_PASSWORD as a literal value; use valueFrom.secretKeyRef']);
    });

    it("runs every rule of the pack on resources whose values are all unknown, without throwing", () => {
        const unknownEverywhere = { metadata: unknownStringValue, spec: unknownStringValue, stringData: unknownStringValue, data: unknownStringValue,
            policy: unknownStringValue, containerDefinitions: unknownStringValue, values: unknownStringValue, inlinePolicies: unknownStringValue };
        const types = [SECRET, DEPLOYMENT, "kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:helm.sh/v3:Release", "aws:ecs/taskDefinition:TaskDefinition", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"];
        for (const policy of policies.map(evaluatingUnknowns)) {
            for (const type of types) {
                const args = previewArgs(type, unknownEverywhere);
                if ("validateResource" in policy) {
                    assert.doesNotThrow(() => violations(policy as ResourcePolicy, args), `${policy.name} on ${type}`);
                } else {
                    const resource = { ...args, parent: undefined } as unknown as PolicyResource;
                    const stackArgs = { resources: [resource], getConfig: () => ({}) } as unknown as StackValidationArgs;
                    assert.doesNotThrow(() => (policy as StackValidationPolicy).validateStack(stackArgs, () => undefined), `${policy.name} on ${type}`);
                }
            }
        }
    });
});

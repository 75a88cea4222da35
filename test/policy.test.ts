import { strict as assert } from "node:assert";
import { StackValidationPolicy } from "@pulumi/policy";
import * as path from "node:path";
import { policies, ResourcePolicy } from "../policy/policies";
import { startMocks } from "./support/mocks";
import { policyViolations } from "./support/policy";
import { copyProject } from "./support/project";

const policy = (name: string) => {
    const found = policies.find((p) => p.name === name);
    assert.ok(found, `no policy ${name}`);
    return found;
};

function violationsOf(name: string, type: string, props: Record<string, any>): string[] {
    const violations: string[] = [];
    const args = { type, props, urn: `urn:pulumi:prod::aims::${type}::r`, name: "r", opts: { protect: false }, getConfig: () => ({}) };
    (policy(name) as ResourcePolicy).validateResource(args as any, (message: string) => violations.push(message));
    return violations;
}

interface FakeResource { type: string; name: string; props: Record<string, any>; protect?: boolean; tenant?: string; stack?: string }

function stackViolations(name: string, resources: FakeResource[], config: Record<string, unknown> = {}): string[] {
    const tenants = new Map<string, any>();
    const policyResources = resources.map((r) => {
        const parent = r.tenant ? tenants.get(r.tenant) ?? tenants.set(r.tenant, { type: "aims:index:Tenant", name: r.tenant, props: {}, opts: { protect: false } }).get(r.tenant) : undefined;
        return { type: r.type, name: r.name, props: r.props, urn: `urn:pulumi:${r.stack ?? "prod"}::aims::${r.type}::${r.name}`, opts: { protect: r.protect ?? false }, parent };
    });
    const violations: string[] = [];
    (policy(name) as StackValidationPolicy).validateStack({ resources: policyResources, getConfig: () => config } as any, (message: string) => violations.push(message));
    return violations;
}

const safeContext = { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false };
const job = (container: Record<string, unknown>) => ({ spec: { template: { spec: { containers: [{ name: "backup", ...container }] } } } });

describe("policy pack", () => {
    it("enforces every rule as mandatory", () => {
        assert.deepEqual(policies.map((p) => [p.name, p.enforcementLevel]), [
            ["containers-not-root", "mandatory"], ["no-literal-secrets", "mandatory"], ["task-definition-secrets-from-secrets-manager", "mandatory"],
            ["ingress-requires-tls", "mandatory"], ["iam-no-wildcard-resource", "mandatory"], ["namespace-isolated", "mandatory"], ["prod-data-protected", "mandatory"],
        ]);
    });

    describe("containers-not-root", () => {
        it("passes a non-root container without privilege escalation", () => {
            assert.deepEqual(violationsOf("containers-not-root", "kubernetes:batch/v1:Job", job({ securityContext: safeContext })), []);
            const podLevel = { spec: { template: { spec: { securityContext: { runAsNonRoot: true, runAsUser: 1000 }, containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false } }] } } } };
            assert.deepEqual(violationsOf("containers-not-root", "kubernetes:apps/v1:Deployment", podLevel), []);
        });
        it("fails a root, privileged or escalating container, init containers included", () => {
            assert.match(violationsOf("containers-not-root", "kubernetes:batch/v1:Job", job({}))[0], /may run as root/);
            assert.ok(violationsOf("containers-not-root", "kubernetes:batch/v1:Job", job({ securityContext: { ...safeContext, privileged: true } })).some((v) => /is privileged/.test(v)));
            assert.ok(violationsOf("containers-not-root", "kubernetes:batch/v1:Job", job({ securityContext: { ...safeContext, runAsUser: 0 } })).some((v) => /may run as root/.test(v)));
            const init = { spec: { template: { spec: { initContainers: [{ name: "migrate" }], containers: [{ name: "app", securityContext: safeContext }] } } } };
            assert.match(violationsOf("containers-not-root", "kubernetes:apps/v1:Deployment", init)[0], /"migrate" may run as root/);
            assert.match(violationsOf("containers-not-root", "kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c" }] } } } } } })[0], /may run as root/);
        });
        it("passes an ECS container with a non-root user and fails root or privileged ones", () => {
            const type = "aws:ecs/taskDefinition:TaskDefinition";
            assert.deepEqual(violationsOf("containers-not-root", type, { containerDefinitions: JSON.stringify([{ name: "backend", user: "1000:1000" }]) }), []);
            assert.match(violationsOf("containers-not-root", type, { containerDefinitions: JSON.stringify([{ name: "backend" }]) })[0], /runs as root/);
            assert.match(violationsOf("containers-not-root", type, { containerDefinitions: JSON.stringify([{ name: "backend", user: "0" }]) })[0], /runs as root/);
            assert.match(violationsOf("containers-not-root", type, { containerDefinitions: JSON.stringify([{ name: "b", user: "1000", privileged: true }]) })[0], /privileged/);
        });
    });

    describe("no-literal-secrets", () => {
        it("passes secret references and generated values", () => {
            const ref = job({ securityContext: safeContext, env: [{ name: "SECRET_KEY", valueFrom: { secretKeyRef: { name: "s", key: "secret-key" } } }, { name: "DB_HOST", value: "pgbouncer" }] });
            assert.deepEqual(violationsOf("no-literal-secrets", "kubernetes:batch/v1:Job", ref), []);
            assert.deepEqual(violationsOf("no-literal-secrets", "kubernetes:core/v1:Secret", { stringData: { password: "k3J9x0aQ1pZ7" } }), []);
            assert.deepEqual(violationsOf("no-literal-secrets", "kubernetes:core/v1:ConfigMap", { data: { DB_HOST: "pgbouncer" } }), []);
            assert.deepEqual(violationsOf("no-literal-secrets", "kubernetes:helm.sh/v3:Release", { values: { backend: { env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "d", key: "password" } } }] } } }), []);
        });
        it("fails literal secret env values, placeholder secrets and secrets in a ConfigMap", () => {
            assert.match(violationsOf("no-literal-secrets", "kubernetes:batch/v1:Job", job({ env: [{ name: "DB_PASSWORD", value: "hunter2" }] }))[0], /sets DB_PASSWORD as a literal value/);
            assert.match(violationsOf("no-literal-secrets", "kubernetes:core/v1:Secret", { stringData: { password: "changeme" } })[0], /literal placeholder/);
            assert.match(violationsOf("no-literal-secrets", "kubernetes:core/v1:Secret", { data: { password: Buffer.from("password").toString("base64") } })[0], /literal placeholder/);
            assert.match(violationsOf("no-literal-secrets", "kubernetes:core/v1:ConfigMap", { data: { DB_PASSWORD: "x" } })[0], /looks like a secret/);
            assert.match(violationsOf("no-literal-secrets", "kubernetes:helm.sh/v3:Release", { values: { backend: { env: [{ name: "SECRET_KEY", value: "abc" }] } } })[0], /"backend" sets SECRET_KEY/);
        });
    });

    describe("task-definition-secrets-from-secrets-manager", () => {
        const type = "aws:ecs/taskDefinition:TaskDefinition";
        it("passes secrets injected with valueFrom", () => {
            const defs = [{ name: "backend", user: "1000", environment: [{ name: "DB_HOST", value: "db" }], secrets: [{ name: "SECRET_KEY", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x" }] }];
            assert.deepEqual(violationsOf("task-definition-secrets-from-secrets-manager", type, { containerDefinitions: JSON.stringify(defs) }), []);
        });
        it("fails a secret passed as a plain environment value, and unreadable definitions", () => {
            const defs = [{ name: "backend", environment: [{ name: "DB_PASSWORD", value: "x" }] }];
            assert.match(violationsOf("task-definition-secrets-from-secrets-manager", type, { containerDefinitions: JSON.stringify(defs) })[0], /passes DB_PASSWORD as a plain environment value/);
            assert.match(violationsOf("task-definition-secrets-from-secrets-manager", type, { containerDefinitions: "{not json" })[0], /not valid JSON/);
        });
    });

    describe("ingress-requires-tls", () => {
        const type = "kubernetes:networking.k8s.io/v1:Ingress";
        it("passes an Ingress whose every host has a TLS secret", () => {
            assert.deepEqual(violationsOf("ingress-requires-tls", type, { spec: { rules: [{ host: "a.example.org" }], tls: [{ hosts: ["a.example.org"], secretName: "a-tls" }] } }), []);
        });
        it("fails an Ingress without TLS or with a host left out", () => {
            assert.deepEqual(violationsOf("ingress-requires-tls", type, { spec: { rules: [{ host: "a.example.org" }] } }), ["the Ingress has no TLS section"]);
            assert.deepEqual(violationsOf("ingress-requires-tls", type, { spec: { rules: [{ host: "a.example.org" }, { host: "b.example.org" }], tls: [{ hosts: ["a.example.org"], secretName: "a-tls" }] } }),
                ["host b.example.org is served without a TLS secret"]);
        });
    });

    describe("iam-no-wildcard-resource", () => {
        const scoped = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev-a-db-credentials-AbCdEf"] }] };
        it("passes a policy naming its resources, and a Deny with a wildcard", () => {
            assert.deepEqual(violationsOf("iam-no-wildcard-resource", "aws:iam/rolePolicy:RolePolicy", { policy: JSON.stringify(scoped) }), []);
            const deny = { Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] };
            assert.deepEqual(violationsOf("iam-no-wildcard-resource", "aws:iam/policy:Policy", { policy: JSON.stringify(deny) }), []);
        });
        it("fails an Allow on a wildcard resource, in a role policy or an inline policy", () => {
            const wild = { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }] };
            assert.match(violationsOf("iam-no-wildcard-resource", "aws:iam/rolePolicy:RolePolicy", { policy: JSON.stringify(wild) })[0], /allows Resource "arn:aws:s3:::bucket\/\*"/);
            assert.match(violationsOf("iam-no-wildcard-resource", "aws:iam/role:Role", { inlinePolicies: [{ name: "p", policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }) }] })[0], /inline policy p: statement 0 allows Resource "\*"/);
        });
        it("passes the objects under one key prefix of a bucket, the only way S3 names them; not a whole bucket or another wildcard", () => {
            const allowing = (resource: string) => violationsOf("iam-no-wildcard-resource", "aws:iam/rolePolicy:RolePolicy",
                { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: resource }] }) });
            for (const good of ["arn:aws:s3:::aims-dev-media/tenants/school1/*", "arn:aws-cn:s3:::media/school1/*"]) {
                assert.deepEqual(allowing(good), [], good);
            }
            for (const bad of ["arn:aws:s3:::aims-dev-media/*", "arn:aws:s3:::aims-dev-media/tenants/*/x", "arn:aws:s3:::aims-*/tenants/school1/*", "arn:aws:s3:::media/tenants/school1*"]) {
                assert.equal(allowing(bad).length, 1, bad);
            }
        });
    });

    describe("namespace-isolated", () => {
        const ns = (name: string) => ({ type: "kubernetes:core/v1:Namespace", name, props: { metadata: { name } } });
        const isolation = (namespace: string, spec: Record<string, unknown>) => ({ type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: `${namespace}-isolation`, props: { metadata: { namespace }, spec } });
        it("passes a namespace with a NetworkPolicy selecting all pods for Ingress", () => {
            assert.deepEqual(stackViolations("namespace-isolated", [ns("a"), isolation("a", { podSelector: {}, policyTypes: ["Ingress"] })]), []);
        });
        it("fails a namespace without one, or with a policy that selects only some pods", () => {
            assert.deepEqual(stackViolations("namespace-isolated", [ns("a"), ns("b"), isolation("a", { podSelector: {}, policyTypes: ["Ingress"] })]),
                ["namespace b has no NetworkPolicy selecting all its pods for Ingress"]);
            assert.equal(stackViolations("namespace-isolated", [ns("a"), isolation("a", { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress"] })]).length, 1);
        });
    });

    describe("prod-data-protected", () => {
        const db = (protect: boolean, stack = "prod") => ({ type: "postgresql:index/database:Database", name: "a-db", props: {}, protect, tenant: "a", stack });
        it("passes protected tenant data in prod, and unprotected data outside prod", () => {
            assert.deepEqual(stackViolations("prod-data-protected", [db(true)], { protectedStacks: "^prod(-|$)" }), []);
            assert.deepEqual(stackViolations("prod-data-protected", [db(false, "dev")], { protectedStacks: "^prod(-|$)" }), []);
        });
        it("fails an unprotected tenant database or secret in prod", () => {
            assert.deepEqual(stackViolations("prod-data-protected", [db(false)], { protectedStacks: "^prod(-|$)" }),
                ["postgresql:index/database:Database of tenant a is not protected in stack prod"]);
            const secret = { type: "aws:secretsmanager/secret:Secret", name: "a-secret", props: { tags: { "aims:status": "active" } }, tenant: "a", stack: "prod-2" };
            assert.equal(stackViolations("prod-data-protected", [secret], { protectedStacks: "^prod(-|$)" }).length, 1);
        });
        it("exempts the data of a tenant that declares itself offboarding", () => {
            const ns = { type: "kubernetes:core/v1:Namespace", name: "a", props: { metadata: { name: "a", labels: { "aims.example.org/status": "offboarding" } } }, protect: false, tenant: "a" };
            assert.deepEqual(stackViolations("prod-data-protected", [db(false), ns], { protectedStacks: "^prod(-|$)" }), []);
        });
    });
});

describe("policy pack on the program's own resources", () => {
    for (const stack of ["dev", "sit", "prod"]) {
        it(`finds no violation in what the ${stack} stack declares`, async () => {
            const project = copyProject();
            try {
                const mocks = startMocks(stack);
                await (require(path.join(project.dir, "index.ts")) as () => Promise<unknown>)();
                await mocks.settled();
                assert.ok(mocks.resources.length > 10);
                assert.deepEqual(policyViolations(mocks.resources, { protectedStacks: "^prod(-|$)" }), []);
            } finally {
                project.remove();
            }
        });
    }
});

import { strict as assert } from "node:assert";
import { StackValidationPolicy } from "@pulumi/policy";
import { policies, ResourcePolicy } from "../policy/policies";
import { DATA_RETAINED_LABEL, DATA_RETAINED_TAG } from "../components/vocabulary/naming";
import { TENANT_TYPE } from "../components/vocabulary/type-tokens";
import { DATA_TYPES } from "../policy/prod-data";
import { MockStack, RecordedResource, reveal, startMocks } from "./support/mocks";
import { policyViolations } from "./support/policy";
import { copyProject } from "./support/project";
import { loadProgram } from "../scripts/lib/program";

const policy = (name: string) => {
    const found = policies.find((p) => p.name === name);
    assert.ok(found, `no policy ${name}`);
    return found;
};

function violationsOf(name: string, type: string, props: Record<string, any>): string[] {
    const violations: string[] = [];
    const args = {
        type,
        props,
        urn: `urn:pulumi:prod::aims::${type}::r`,
        name: "r",
        opts: { protect: false },
        getConfig: () => ({}),
    };
    (policy(name) as ResourcePolicy).validateResource(args as any, (message: string) =>
        violations.push(message),
    );
    return violations;
}

interface FakeResource {
    type: string;
    name: string;
    props: Record<string, any>;
    protect?: boolean;
    tenant?: string;
    stack?: string;
}

function stackViolations(
    name: string,
    resources: FakeResource[],
    config: Record<string, unknown> = {},
): string[] {
    const tenants = new Map<string, any>();
    const policyResources = resources.map((r) => {
        const parent = r.tenant
            ? (tenants.get(r.tenant) ??
              tenants
                  .set(r.tenant, {
                      type: TENANT_TYPE,
                      name: r.tenant,
                      props: {},
                      opts: { protect: false },
                  })
                  .get(r.tenant))
            : undefined;
        return {
            type: r.type,
            name: r.name,
            props: r.props,
            urn: `urn:pulumi:${r.stack ?? "prod"}::aims::${r.type}::${r.name}`,
            opts: { protect: r.protect ?? false },
            parent,
        };
    });
    const violations: string[] = [];
    (policy(name) as StackValidationPolicy).validateStack(
        { resources: policyResources, getConfig: () => config } as any,
        (message: string) => violations.push(message),
    );
    return violations;
}

const safeContext = { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false };
const job = (container: Record<string, unknown>) => ({
    spec: { template: { spec: { containers: [{ name: "backup", ...container }] } } },
});

describe("policy pack", () => {
    it("enforces every rule as mandatory", () => {
        assert.deepEqual(
            policies.map((p) => [p.name, p.enforcementLevel]),
            [
                ["containers-not-root", "mandatory"],
                ["no-literal-secrets", "mandatory"],
                ["task-definition-secrets-from-secrets-manager", "mandatory"],
                ["ingress-requires-tls", "mandatory"],
                ["iam-no-wildcard", "mandatory"],
                ["network-policy-not-allow-all", "mandatory"],
                ["namespace-isolated", "mandatory"],
                ["prod-data-protected", "mandatory"],
            ],
        );
    });

    describe("containers-not-root", () => {
        it("passes a non-root container without privilege escalation", () => {
            assert.deepEqual(
                violationsOf(
                    "containers-not-root",
                    "kubernetes:batch/v1:Job",
                    job({ securityContext: safeContext }),
                ),
                [],
            );
            const podLevel = {
                spec: {
                    template: {
                        spec: {
                            securityContext: { runAsNonRoot: true, runAsUser: 1000 },
                            containers: [
                                {
                                    name: "app",
                                    securityContext: { allowPrivilegeEscalation: false },
                                },
                            ],
                        },
                    },
                },
            };
            assert.deepEqual(
                violationsOf("containers-not-root", "kubernetes:apps/v1:Deployment", podLevel),
                [],
            );
        });
        it("fails a root, privileged or escalating container, init containers included", () => {
            assert.match(
                violationsOf("containers-not-root", "kubernetes:batch/v1:Job", job({}))[0],
                /may run as root/,
            );
            assert.ok(
                violationsOf(
                    "containers-not-root",
                    "kubernetes:batch/v1:Job",
                    job({ securityContext: { ...safeContext, privileged: true } }),
                ).some((v) => /is privileged/.test(v)),
            );
            assert.ok(
                violationsOf(
                    "containers-not-root",
                    "kubernetes:batch/v1:Job",
                    job({ securityContext: { ...safeContext, runAsUser: 0 } }),
                ).some((v) => /may run as root/.test(v)),
            );
            const init = {
                spec: {
                    template: {
                        spec: {
                            initContainers: [{ name: "migrate" }],
                            containers: [{ name: "app", securityContext: safeContext }],
                        },
                    },
                },
            };
            assert.match(
                violationsOf("containers-not-root", "kubernetes:apps/v1:Deployment", init)[0],
                /"migrate" may run as root/,
            );
            assert.match(
                violationsOf("containers-not-root", "kubernetes:batch/v1:CronJob", {
                    spec: {
                        jobTemplate: {
                            spec: { template: { spec: { containers: [{ name: "c" }] } } },
                        },
                    },
                })[0],
                /may run as root/,
            );
        });
        it("passes an ECS container with a non-root user and fails root or privileged ones", () => {
            const type = "aws:ecs/taskDefinition:TaskDefinition";
            assert.deepEqual(
                violationsOf("containers-not-root", type, {
                    containerDefinitions: JSON.stringify([{ name: "backend", user: "1000:1000" }]),
                }),
                [],
            );
            assert.match(
                violationsOf("containers-not-root", type, {
                    containerDefinitions: JSON.stringify([{ name: "backend" }]),
                })[0],
                /runs as root/,
            );
            assert.match(
                violationsOf("containers-not-root", type, {
                    containerDefinitions: JSON.stringify([{ name: "backend", user: "0" }]),
                })[0],
                /runs as root/,
            );
            assert.match(
                violationsOf("containers-not-root", type, {
                    containerDefinitions: JSON.stringify([
                        { name: "b", user: "1000", privileged: true },
                    ]),
                })[0],
                /privileged/,
            );
        });
    });

    describe("no-literal-secrets", () => {
        it("passes secret references and generated values", () => {
            const ref = job({
                securityContext: safeContext,
                env: [
                    {
                        name: "SECRET_KEY",
                        valueFrom: { secretKeyRef: { name: "s", key: "secret-key" } },
                    },
                    { name: "DB_HOST", value: "pgbouncer" },
                ],
            });
            assert.deepEqual(
                violationsOf("no-literal-secrets", "kubernetes:batch/v1:Job", ref),
                [],
            );
            assert.deepEqual(
                violationsOf("no-literal-secrets", "kubernetes:core/v1:Secret", {
                    stringData: { password: "k3J9x0aQ1pZ7" },
                }),
                [],
            );
            assert.deepEqual(
                violationsOf("no-literal-secrets", "kubernetes:core/v1:ConfigMap", {
                    data: { DB_HOST: "pgbouncer" },
                }),
                [],
            );
            assert.deepEqual(
                violationsOf("no-literal-secrets", "kubernetes:helm.sh/v3:Release", {
                    values: {
                        backend: {
                            env: [
                                {
                                    name: "DB_PASSWORD",
                                    valueFrom: { secretKeyRef: { name: "d", key: "password" } },
                                },
                            ],
                        },
                    },
                }),
                [],
            );
        });
        it("fails literal secret env values, placeholder secrets and secrets in a ConfigMap", () => {
            assert.match(
                violationsOf(
                    "no-literal-secrets",
                    "kubernetes:batch/v1:Job",
                    job({ env: [{ name: "DB_PASSWORD", value: "hunter2" }] }),
                )[0],
                /sets DB_PASSWORD as a literal value/,
            );
            assert.match(
                violationsOf("no-literal-secrets", "kubernetes:core/v1:Secret", {
                    stringData: { password: "changeme" },
                })[0],
                /literal placeholder/,
            );
            assert.match(
                violationsOf("no-literal-secrets", "kubernetes:core/v1:Secret", {
                    data: { password: Buffer.from("password").toString("base64") },
                })[0],
                /literal placeholder/,
            );
            assert.match(
                violationsOf("no-literal-secrets", "kubernetes:core/v1:ConfigMap", {
                    data: { DB_PASSWORD: "x" },
                })[0],
                /looks like a secret/,
            );
            assert.match(
                violationsOf("no-literal-secrets", "kubernetes:helm.sh/v3:Release", {
                    values: { backend: { env: [{ name: "SECRET_KEY", value: "abc" }] } },
                })[0],
                /"backend" sets SECRET_KEY/,
            );
        });
    });

    describe("task-definition-secrets-from-secrets-manager", () => {
        const type = "aws:ecs/taskDefinition:TaskDefinition";
        it("passes secrets injected with valueFrom", () => {
            const defs = [
                {
                    name: "backend",
                    user: "1000",
                    environment: [{ name: "DB_HOST", value: "db" }],
                    secrets: [
                        {
                            name: "SECRET_KEY",
                            valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:x",
                        },
                    ],
                },
            ];
            assert.deepEqual(
                violationsOf("task-definition-secrets-from-secrets-manager", type, {
                    containerDefinitions: JSON.stringify(defs),
                }),
                [],
            );
        });
        it("fails a secret passed as a plain environment value, and unreadable definitions", () => {
            const defs = [{ name: "backend", environment: [{ name: "DB_PASSWORD", value: "x" }] }];
            assert.match(
                violationsOf("task-definition-secrets-from-secrets-manager", type, {
                    containerDefinitions: JSON.stringify(defs),
                })[0],
                /passes DB_PASSWORD as a plain environment value/,
            );
            assert.match(
                violationsOf("task-definition-secrets-from-secrets-manager", type, {
                    containerDefinitions: "{not json",
                })[0],
                /not valid JSON/,
            );
        });
    });

    describe("ingress-requires-tls", () => {
        const type = "kubernetes:networking.k8s.io/v1:Ingress";
        it("passes an Ingress whose every host has a TLS secret", () => {
            assert.deepEqual(
                violationsOf("ingress-requires-tls", type, {
                    spec: {
                        rules: [{ host: "a.example.org" }],
                        tls: [{ hosts: ["a.example.org"], secretName: "a-tls" }],
                    },
                }),
                [],
            );
        });
        it("fails an Ingress without TLS or with a host left out", () => {
            assert.deepEqual(
                violationsOf("ingress-requires-tls", type, {
                    spec: { rules: [{ host: "a.example.org" }] },
                }),
                ["the Ingress has no TLS section"],
            );
            assert.deepEqual(
                violationsOf("ingress-requires-tls", type, {
                    spec: {
                        rules: [{ host: "a.example.org" }, { host: "b.example.org" }],
                        tls: [{ hosts: ["a.example.org"], secretName: "a-tls" }],
                    },
                }),
                ["host b.example.org is served without a TLS secret"],
            );
        });
    });

    describe("iam-no-wildcard", () => {
        const policyName = "iam-no-wildcard";
        const secretArn =
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev-a-db-credentials-AbCdEf";
        const scoped = {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: ["secretsmanager:GetSecretValue"],
                    Resource: [secretArn],
                },
            ],
        };
        const allow = (statement: Record<string, unknown>) => ({
            Statement: [{ Effect: "Allow", ...statement }],
        });
        const inAllForms = (document: unknown) => [
            violationsOf(policyName, "aws:iam/rolePolicy:RolePolicy", {
                policy: JSON.stringify(document),
            }),
            violationsOf(policyName, "aws:iam/policy:Policy", { policy: document }),
            violationsOf(policyName, "aws:iam/role:Role", {
                inlinePolicies: [{ name: "p", policy: JSON.stringify(document) }],
            }).map((v) => v.replace(/^inline policy p: /, "")),
        ];
        const actions = (value: string) =>
            `statement 0 allows Action "${value}"; name the tenant's own actions`;
        const resources = (value: string, index = 0) =>
            `statement ${index} allows Resource "${value}"; name the tenant's own resources`;

        it("passes a policy naming its actions and resources, as a JSON string, an object or an inline policy, and a Deny with wildcards", () => {
            for (const violations of inAllForms(scoped)) assert.deepEqual(violations, []);
            for (const violations of inAllForms(
                allow({ Action: "secretsmanager:GetSecretValue", Resource: secretArn }),
            ))
                assert.deepEqual(violations, []);
            const denies = {
                Statement: [
                    { Effect: "Deny", Action: "*", Resource: "*" },
                    { Effect: "Deny", NotAction: "s3:GetObject", NotResource: "arn:aws:s3:::b/k" },
                ],
            };
            for (const violations of inAllForms(denies)) assert.deepEqual(violations, []);
        });

        const logStreams = "arn:aws:logs:eu-west-1:111111111111:log-group:/ecs/dev-a:*";
        const hostile: Record<string, [Record<string, unknown>, string[]]> = {
            "Action *": [allow({ Action: "*", Resource: secretArn }), [actions("*")]],
            "a service-wide Action in a list": [
                allow({ Action: ["secretsmanager:GetSecretValue", "s3:*"], Resource: [secretArn] }),
                [actions("s3:*")],
            ],
            "an Action with ?": [
                allow({ Action: "secretsmanager:GetSecretValu?", Resource: secretArn }),
                [actions("secretsmanager:GetSecretValu?")],
            ],
            "Resource *": [allow({ Action: "s3:GetObject", Resource: "*" }), [resources("*")]],
            "a Resource prefix with * in a list": [
                allow({ Action: "s3:GetObject", Resource: ["arn:aws:s3:::bucket/*"] }),
                [resources("arn:aws:s3:::bucket/*")],
            ],
            "a Resource with ?": [
                allow({ Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/tenant?" }),
                [resources("arn:aws:s3:::bucket/tenant?")],
            ],
            NotAction: [
                allow({ NotAction: "iam:*", Resource: secretArn }),
                ["statement 0 uses NotAction, which allows everything it does not list"],
            ],
            NotResource: [
                allow({ Action: "s3:GetObject", NotResource: "arn:aws:s3:::other/key" }),
                ["statement 0 uses NotResource, which allows everything it does not list"],
            ],
            "no Action": [allow({ Resource: secretArn }), ["statement 0 names no Action"]],
            "no Resource": [allow({ Action: "s3:GetObject" }), ["statement 0 names no Resource"]],
            "a Resource that is not a string": [
                allow({ Action: "s3:GetObject", Resource: [{ arn: "x" }] }),
                ["statement 0 has a Resource that is not a string"],
            ],
            "no Effect (treated as Allow)": [
                { Statement: [{ Action: "*", Resource: secretArn }] },
                [actions("*")],
            ],
            "a lowercase allow": [
                { Statement: [{ Effect: "allow", Action: "s3:GetObject", Resource: "*" }] },
                [resources("*")],
            ],
            "a single statement object, not a list": [
                { Statement: { Effect: "Allow", Action: "*", Resource: "*" } },
                [actions("*"), resources("*")],
            ],
            "a wildcard in the second statement": [
                {
                    Statement: [
                        scoped.Statement[0],
                        { Effect: "Allow", Action: "logs:PutLogEvents", Resource: logStreams },
                    ],
                },
                [resources(logStreams, 1)],
            ],
        };
        for (const [label, [document, expected]] of Object.entries(hostile)) {
            it(`fails ${label}, in every form`, () => {
                for (const violations of inAllForms(document))
                    assert.deepEqual(violations, expected);
            });
        }

        it("fails a document it cannot read", () => {
            assert.deepEqual(
                violationsOf(policyName, "aws:iam/rolePolicy:RolePolicy", { policy: "{not json" }),
                ["the policy is not valid JSON"],
            );
            assert.deepEqual(violationsOf(policyName, "aws:iam/policy:Policy", { policy: "[]" }), [
                "the policy is not a JSON object",
            ]);
            assert.deepEqual(violationsOf(policyName, "aws:iam/policy:Policy", { policy: "{}" }), [
                "the policy has no Statement",
            ]);
        });
        it("passes the objects under one key prefix of a bucket, the only way S3 names them; not a whole bucket or another wildcard", () => {
            const allowing = (resource: string) =>
                violationsOf(policyName, "aws:iam/rolePolicy:RolePolicy", {
                    policy: JSON.stringify({
                        Statement: [
                            { Effect: "Allow", Action: "s3:GetObject", Resource: resource },
                        ],
                    }),
                });
            for (const good of [
                "arn:aws:s3:::aims-dev-media/tenants/school1/*",
                "arn:aws-cn:s3:::media/school1/*",
            ]) {
                assert.deepEqual(allowing(good), [], good);
            }
            for (const bad of [
                "arn:aws:s3:::aims-dev-media/*",
                "arn:aws:s3:::aims-dev-media/tenants/*/x",
                "arn:aws:s3:::aims-*/tenants/school1/*",
                "arn:aws:s3:::media/tenants/school1*",
            ]) {
                assert.equal(allowing(bad).length, 1, bad);
            }
        });
    });

    describe("network-policy-not-allow-all", () => {
        const type = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
        const withIngress = (ingress: unknown) => ({
            metadata: { namespace: "a" },
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress },
        });
        const check = (ingress: unknown) =>
            violationsOf("network-policy-not-allow-all", type, withIngress(ingress));

        it("passes the program's isolation rules, deny-all, and restricted peers", () => {
            assert.deepEqual(
                check([
                    { from: [{ podSelector: {} }] },
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchLabels: { "kubernetes.io/metadata.name": "traefik" },
                                },
                            },
                        ],
                    },
                ]),
                [],
            );
            assert.deepEqual(check([]), []);
            assert.deepEqual(check(undefined), []);
            assert.deepEqual(
                check([
                    {
                        from: [
                            {
                                namespaceSelector: {},
                                podSelector: { matchLabels: { app: "prometheus" } },
                            },
                        ],
                    },
                ]),
                [],
            );
            assert.deepEqual(
                check([
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchExpressions: [
                                        { key: "team", operator: "In", values: ["ops"] },
                                    ],
                                },
                            },
                        ],
                    },
                ]),
                [],
            );
            assert.deepEqual(check([{ from: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }]), []);
        });

        const hostile: Record<string, [unknown, RegExp]> = {
            "an empty rule": [
                [{}],
                /^ingress rule 0 has no "from": it admits traffic from everywhere/,
            ],
            "an empty from": [[{ from: [] }], /^ingress rule 0 has no "from"/],
            "a null from": [[{ from: null }], /^ingress rule 0 has no "from"/],
            "a rule with ports only": [
                [{ ports: [{ port: 8000 }] }],
                /^ingress rule 0 has no "from"/,
            ],
            "an allow-all rule after a good one": [
                [{ from: [{ podSelector: {} }] }, {}],
                /^ingress rule 1 has no "from"/,
            ],
            "an empty peer": [
                [{ from: [{}] }],
                /^ingress rule 0, from\[0\]: an empty peer admits every source/,
            ],
            "a peer that is not a mapping": [
                [{ from: ["everyone"] }],
                /from\[0\]: a peer that is not a mapping/,
            ],
            "an empty namespaceSelector": [
                [{ from: [{ namespaceSelector: {} }] }],
                /from\[0\]: an empty namespaceSelector without a podSelector restriction/,
            ],
            "empty namespace and pod selectors": [
                [{ from: [{ namespaceSelector: {}, podSelector: {} }] }],
                /an empty namespaceSelector without a podSelector restriction/,
            ],
            "a namespaceSelector with empty matchLabels": [
                [{ from: [{ namespaceSelector: { matchLabels: {} } }] }],
                /an empty namespaceSelector/,
            ],
            "a namespaceSelector with empty matchExpressions": [
                [
                    {
                        from: [
                            {
                                namespaceSelector: { matchExpressions: [] },
                                podSelector: { matchLabels: {} },
                            },
                        ],
                    },
                ],
                /an empty namespaceSelector/,
            ],
            "ipBlock 0.0.0.0/0": [
                [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
                /from\[0\]: ipBlock 0\.0\.0\.0\/0 admits every address/,
            ],
            "ipBlock 0.0.0.0/0 with exceptions": [
                [{ from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }],
                /ipBlock 0\.0\.0\.0\/0 admits every address/,
            ],
            "ipBlock ::/0": [
                [{ from: [{ ipBlock: { cidr: "::/0" } }] }],
                /ipBlock ::\/0 admits every address/,
            ],
            "ipBlock 0::/00 as a second peer": [
                [{ from: [{ podSelector: {} }, { ipBlock: { cidr: "0::/00" } }] }],
                /from\[1\]: ipBlock 0::\/00 admits every address/,
            ],
        };
        for (const [label, [ingress, message]] of Object.entries(hostile)) {
            it(`fails ${label}`, () => {
                const violations = check(ingress);
                assert.equal(violations.length, 1, violations.join("\n"));
                assert.match(violations[0], message);
            });
        }
    });

    describe("namespace-isolated", () => {
        const ns = (name: string) => ({
            type: "kubernetes:core/v1:Namespace",
            name,
            props: { metadata: { name } },
        });
        const isolation = (namespace: string, spec: Record<string, unknown>) => ({
            type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            name: `${namespace}-isolation`,
            props: { metadata: { namespace }, spec },
        });
        it("passes a namespace with a NetworkPolicy selecting all pods for Ingress", () => {
            assert.deepEqual(
                stackViolations("namespace-isolated", [
                    ns("a"),
                    isolation("a", { podSelector: {}, policyTypes: ["Ingress"] }),
                ]),
                [],
            );
        });
        it("fails a namespace without one, or with a policy that selects only some pods", () => {
            assert.deepEqual(
                stackViolations("namespace-isolated", [
                    ns("a"),
                    ns("b"),
                    isolation("a", { podSelector: {}, policyTypes: ["Ingress"] }),
                ]),
                ["namespace b has no NetworkPolicy selecting all its pods for Ingress"],
            );
            assert.equal(
                stackViolations("namespace-isolated", [
                    ns("a"),
                    isolation("a", {
                        podSelector: { matchLabels: { app: "x" } },
                        policyTypes: ["Ingress"],
                    }),
                ]).length,
                1,
            );
        });
    });

    describe("prod-data-protected", () => {
        const policyName = "prod-data-protected";
        const namespace = (env: string, labels: Record<string, string> = {}) => ({
            type: "kubernetes:core/v1:Namespace",
            name: "a",
            tenant: "a",
            protect: true,
            props: {
                metadata: {
                    name: "a",
                    labels: {
                        "aims.example.org/environment": env,
                        "aims.example.org/status": "active",
                        "aims.example.org/data-retained": "true",
                        ...labels,
                    },
                },
            },
        });
        const db = (protect: boolean) => ({
            type: "postgresql:index/database:Database",
            name: "a-db",
            props: {},
            protect,
            tenant: "a",
        });
        const awsProvider = (env: string, asString = false) => {
            const defaultTags = { tags: { "aims:environment": env, "aims:managed-by": "pulumi" } };
            return {
                type: "pulumi:providers:aws",
                name: "aws",
                props: {
                    region: "af-south-1",
                    defaultTags: asString ? JSON.stringify(defaultTags) : defaultTags,
                },
            };
        };
        const awsSecret = (tags: Record<string, string | undefined>, protect = true) => ({
            type: "aws:secretsmanager/secret:Secret",
            name: "g-secret",
            tenant: "g",
            protect,
            props: {
                tags: {
                    "aims:tenant": "g",
                    "aims:status": "active",
                    "aims:data-retained": "true",
                    ...tags,
                },
            },
        });

        it("passes protected, retained tenant data in prod", () => {
            assert.deepEqual(stackViolations(policyName, [namespace("prod"), db(true)]), []);
            assert.deepEqual(stackViolations(policyName, [awsProvider("prod"), awsSecret({})]), []);
        });

        it("decides prod from the environment the resources declare, not from the stack name", () => {
            assert.deepEqual(
                stackViolations(policyName, [
                    { ...namespace("dev"), stack: "prod" },
                    { ...db(false), stack: "prod" },
                ]),
                [],
            );
            assert.deepEqual(
                stackViolations(policyName, [
                    { ...namespace("prod"), stack: "dev" },
                    { ...db(false), stack: "dev" },
                ]),
                ["postgresql:index/database:Database of tenant a is not protected in prod"],
            );
            assert.equal(
                stackViolations(policyName, [
                    { ...namespace("prod"), stack: "production-eu" },
                    { ...db(false), stack: "production-eu" },
                ]).length,
                1,
            );
            assert.equal(
                stackViolations(policyName, [
                    awsProvider("prod", true),
                    { ...awsSecret({}, false), stack: "staging" },
                ]).length,
                1,
            );
        });

        it("treats a stack as prod when any resource says prod", () => {
            assert.equal(
                stackViolations(policyName, [awsProvider("dev"), namespace("prod"), db(false)])
                    .length,
                1,
            );
        });

        it("fails a stack whose environment it cannot tell", () => {
            const cannotTell = /^no resource says which environment the stack is/;
            const unlabelled = {
                ...namespace("prod"),
                props: {
                    metadata: { name: "a", labels: { "aims.example.org/data-retained": "true" } },
                },
            };
            assert.match(
                stackViolations(policyName, [unlabelled, db(true)]).join("\n"),
                cannotTell,
            );
            const unreadableTags = {
                type: "pulumi:providers:aws",
                name: "aws",
                props: { defaultTags: "{not json" },
            };
            assert.match(
                stackViolations(policyName, [unreadableTags, awsSecret({})]).join("\n"),
                cannotTell,
            );
        });

        it("fails unprotected tenant data in prod: database, role, namespace, secrets, access point", () => {
            const types = [
                "postgresql:index/role:Role",
                "kubernetes:core/v1:Secret",
                "aws:efs/accessPoint:AccessPoint",
                "aws:secretsmanager/secret:Secret",
            ];
            for (const type of types) {
                assert.deepEqual(
                    stackViolations(policyName, [
                        namespace("prod"),
                        { type, name: "x", props: {}, protect: false, tenant: "a" },
                    ]),
                    [`${type} of tenant a is not protected in prod`],
                );
            }
            assert.deepEqual(
                stackViolations(policyName, [{ ...namespace("prod"), protect: false }]),
                ["kubernetes:core/v1:Namespace of tenant a is not protected in prod"],
            );
        });

        it("fails tenant data that is not retained on delete in prod, or does not say", () => {
            assert.deepEqual(
                stackViolations(policyName, [
                    namespace("prod", { "aims.example.org/data-retained": "false" }),
                    db(true),
                ]),
                ["the data of tenant a is not retained on delete (retainOnDelete) in prod"],
            );
            assert.deepEqual(
                stackViolations(policyName, [
                    awsProvider("prod"),
                    awsSecret({ "aims:data-retained": "no" }),
                ]),
                ["the data of tenant g is not retained on delete (retainOnDelete) in prod"],
            );
            const silent = {
                ...namespace("prod"),
                props: {
                    metadata: { name: "a", labels: { "aims.example.org/environment": "prod" } },
                },
            };
            assert.match(
                stackViolations(policyName, [silent, db(true)])[0],
                /^tenant a does not say whether its data is retained on delete/,
            );
            assert.match(
                stackViolations(policyName, [
                    awsProvider("prod"),
                    awsSecret({ "aims:data-retained": undefined }),
                ])[0],
                /^tenant g does not say/,
            );
        });

        it("exempts an offboarding tenant from protect, never from retention", () => {
            const offboarding = namespace("prod", { "aims.example.org/status": "offboarding" });
            assert.deepEqual(
                stackViolations(policyName, [{ ...offboarding, protect: false }, db(false)]),
                [],
            );
            const notRetained = namespace("prod", {
                "aims.example.org/status": "offboarding",
                "aims.example.org/data-retained": "false",
            });
            assert.deepEqual(
                stackViolations(policyName, [{ ...notRetained, protect: false }, db(false)]),
                ["the data of tenant a is not retained on delete (retainOnDelete) in prod"],
            );
        });

        it("passes unprotected, unretained data outside prod", () => {
            assert.deepEqual(
                stackViolations(policyName, [
                    {
                        ...namespace("dev", { "aims.example.org/data-retained": "false" }),
                        protect: false,
                    },
                    db(false),
                ]),
                [],
            );
        });
    });
});

/**
 * The pack cannot see retainOnDelete; it trusts the data-retained label or tag. This holds the
 * program to it: every data resource and log group is retained exactly as its tenant declares.
 */
function retentionMismatches(mocks: MockStack): string[] {
    const byUrn = new Map(mocks.resources.map((r) => [r.urn, r]));
    const tenantOf = (r: RecordedResource): string | undefined => {
        for (
            let current: RecordedResource | undefined = r;
            current;
            current = current.parent ? byUrn.get(current.parent) : undefined
        ) {
            if (current.type === TENANT_TYPE) return current.name;
        }
        return undefined;
    };
    const declared = new Map<string, string>();
    for (const r of mocks.resources) {
        const inputs = reveal(r.inputs);
        const value =
            inputs.metadata?.labels?.[DATA_RETAINED_LABEL] ?? inputs.tags?.[DATA_RETAINED_TAG];
        const tenant = tenantOf(r);
        if (tenant && value !== undefined) declared.set(tenant, value);
    }
    return mocks.resources
        .filter((r) => DATA_TYPES.has(r.type) || r.type === "aws:cloudwatch/logGroup:LogGroup")
        .filter(
            (r) =>
                tenantOf(r) !== undefined &&
                declared.get(tenantOf(r) as string) !== String(r.retainOnDelete),
        )
        .map(
            (r) =>
                `${r.type} ${r.name}: retainOnDelete ${r.retainOnDelete}, its tenant declares ${declared.get(tenantOf(r) as string)}`,
        );
}

describe("policy pack on the program's own resources", () => {
    for (const stack of ["dev", "sit", "prod"]) {
        it(`finds no violation in what the ${stack} stack declares, whose data is retained as its tenants declare`, async () => {
            const project = copyProject();
            try {
                const mocks = startMocks(stack);
                await loadProgram(project.dir)();
                await mocks.settled();
                assert.ok(mocks.resources.length > 10);
                assert.deepEqual(policyViolations(mocks.resources), []);
                assert.deepEqual(retentionMismatches(mocks), []);
                const logGroups = mocks.ofType("aws:cloudwatch/logGroup:LogGroup");
                assert.ok(logGroups.length > 0);
                assert.ok(
                    logGroups.every((group) => group.retainOnDelete === (stack === "prod")),
                    "log groups are retained in prod, and only where data is protected",
                );
            } finally {
                project.remove();
            }
        });
    }
});

import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import { stackProviders } from "../components/providers";
import { ValidationError } from "../components/support/errors";
import {
    containerResources,
    mebibytes,
    millicores,
    podSlots,
} from "../components/kubernetes/sizing";
import { tenantChartValues } from "../components/kubernetes/values";
import { PLAN_NAMES, PLANS } from "../components/vocabulary/plans";
import { Tenant } from "../components/tenant";
import { SECRET_PLACEHOLDER } from "../components/stack/stack-file";
import {
    deployTenant,
    kubernetesResources,
    objectOf,
    TYPES,
    validateObject,
} from "./support/kubernetes";
import {
    isSecret,
    MockStack,
    RecordedResource,
    reveal,
    Secret,
    settingsOf,
    spec,
    stackConfig,
    startMocks,
    valueOf,
} from "./support/mocks";

const DEV_KUBERNETES = JSON.parse(stackConfig("dev").config["aims:kubernetes"]);
const REGISTRY = {
    server: "registry.example.org",
    username: "aims-pull",
    password: "registry-pass-0000",
};

/** The dev `aims:kubernetes` block with some keys changed (`undefined` removes a key). */
function kubernetesBlock(changes: Record<string, unknown>): Record<string, unknown> {
    const block: Record<string, unknown> = { ...DEV_KUBERNETES, ...changes };
    for (const [key, value] of Object.entries(block)) if (value === undefined) delete block[key];
    return block;
}

const withKubernetes = (changes: Record<string, unknown>) => ({
    "aims:kubernetes": kubernetesBlock(changes),
});

/** Every child of the TenantWorkload: [type, name] of a tenant without an image pull secret, in a stack with a core. */
function expectedChildren(name: string): string[][] {
    return [
        [TYPES.namespace, `${name}-namespace`],
        [TYPES.secret, `${name}-core-secret`],
        [TYPES.secret, `${name}-database-secret`],
        [TYPES.release, `${name}-release`],
        [TYPES.rolloutCheck, `${name}-rollout`],
        [TYPES.ingress, `${name}-ingress`],
        [TYPES.networkPolicy, `${name}-network-policy`],
        [TYPES.resourceQuota, `${name}-quota`],
        [TYPES.limitRange, `${name}-limits`],
    ].sort();
}

const typesAndNames = (resources: readonly RecordedResource[]) =>
    resources.map((resource) => [resource.type, resource.name]).sort();

describe("Kubernetes tenant", () => {
    describe("structure", () => {
        it("gives the Tenant one TenantWorkload whose children are the namespace, secrets, release, ingress and isolation", async () => {
            const { mocks, r } = await deployTenant("dev", { name: "school1" });
            assert.equal(r.workload.parent, r.tenant.urn);
            assert.equal(r.workload.custom, false);
            const children = mocks.descendantsOf(r.workload);
            assert.deepEqual(typesAndNames(children), expectedChildren("school1"));
            for (const child of children)
                assert.equal(child.parent, r.workload.urn, `${child.name} is a direct child`);
        });

        it("creates one set per tenant and nothing shared between tenants", async () => {
            const mocks = startMocks("dev");
            const tenants = [spec({ name: "school1" }), spec({ name: "hillcrest", plan: "small" })];
            const settings = settingsOf("dev", tenants);
            for (const tenantSpec of tenants)
                new Tenant(tenantSpec.name, { tenant: tenantSpec, settings });
            await mocks.settled();
            assert.equal(mocks.ofType(TYPES.workload).length, 2);
            for (const type of [
                TYPES.namespace,
                TYPES.release,
                TYPES.ingress,
                TYPES.networkPolicy,
                TYPES.resourceQuota,
                TYPES.limitRange,
            ]) {
                assert.equal(mocks.ofType(type).length, 2, type);
            }
            assert.equal(mocks.ofType(TYPES.secret).length, 4);
            for (const tenantSpec of tenants) {
                const r = kubernetesResources(mocks, tenantSpec.name);
                assert.deepEqual(
                    typesAndNames(mocks.descendantsOf(r.workload)),
                    expectedChildren(tenantSpec.name),
                );
                assert.equal(objectOf(r.namespace).metadata.name, tenantSpec.name);
            }
        });

        it("creates no Kubernetes resource for a tenant on AWS, and no namespace output", async () => {
            const mocks = startMocks("dev");
            const awsSpec = spec({ name: "greenfield", platform: "aws" });
            const tenant = new Tenant("greenfield", {
                tenant: awsSpec,
                settings: settingsOf("dev", [awsSpec]),
            });
            await mocks.settled();
            assert.deepEqual(
                mocks.resources.filter(
                    (resource) =>
                        resource.type.startsWith("kubernetes:") || resource.type === TYPES.workload,
                ),
                [],
            );
            assert.equal(tenant.namespace, undefined);
        });

        it("exposes the namespace as a Tenant output, not secret", async () => {
            const { tenant } = await deployTenant("dev", { name: "school1" });
            assert.ok(tenant.namespace);
            assert.equal(await valueOf(tenant.namespace), "school1");
            assert.equal(await isSecret(tenant.namespace), false);
        });

        it("follows a tenant that runs on kubernetes in a stack whose default platform is aws", async () => {
            const { mocks } = await deployTenant(
                "dev",
                { name: "school1", platform: "kubernetes" },
                { "aims:platform": "aws" },
            );
            assert.equal(mocks.ofType(TYPES.workload).length, 1);
        });
    });

    describe("namespace", () => {
        it("is named after the tenant and labelled with tenant, environment, plan, status, data retention, manager and Pod Security restricted", async () => {
            const { r } = await deployTenant("sit", {
                name: "riverside-high",
                plan: "large",
                status: "suspended",
            });
            const namespace = objectOf(r.namespace);
            assert.equal(namespace.metadata.name, "riverside-high");
            assert.deepEqual(namespace.metadata.labels, {
                "aims.example.org/tenant": "riverside-high",
                "aims.example.org/environment": "sit",
                "aims.example.org/plan": "large",
                "app.kubernetes.io/managed-by": "pulumi",
                "aims.example.org/status": "suspended",
                "aims.example.org/data-retained": "false",
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            });
        });

        it("holds every namespaced object of the tenant", async () => {
            const { r } = await deployTenant("dev", { name: "school1" });
            for (const resource of [
                r.databaseSecret,
                r.ingress,
                r.networkPolicy,
                r.resourceQuota,
                r.limitRange,
            ]) {
                assert.equal(objectOf(resource).metadata.namespace, "school1", resource.name);
            }
            assert.equal(r.release.inputs.namespace, "school1");
            assert.equal(r.release.inputs.createNamespace, false);
        });
    });

    describe("secrets", () => {
        it("keeps the tenant's own role through PgBouncer and Django's SECRET_KEY in one Secret, never the admin connection", async () => {
            const { mocks, tenant, r } = await deployTenant("dev", { name: "riverside-high" });
            const secret = objectOf(r.databaseSecret);
            assert.equal(secret.metadata.name, "riverside-high-database");
            assert.equal(secret.type, "Opaque");
            assert.ok(
                r.databaseSecret.inputs.stringData instanceof Secret,
                "stringData is recorded as a secret",
            );
            const role = mocks.get(TYPES.role, "riverside-high-db-role");
            assert.deepEqual(secret.stringData, {
                host: "pgbouncer.database.svc.cluster.local",
                port: "6432",
                database: "tenant_riverside_high",
                username: "tenant_riverside_high",
                password: reveal(role.inputs.password),
                "secret-key": await valueOf(tenant.secretKey!),
            });
            assert.match(secret.stringData["secret-key"], /^mock-/);
            assert.notEqual(secret.stringData["secret-key"], secret.stringData.password);
            assert.equal(r.adoptedDjangoSecret, undefined, "no Django secret of its own");
            // The core secret holds placeholders of the core's secrets, which offline equal the admin password's.
            const everything = JSON.stringify(
                mocks.resources
                    .filter(
                        (resource) =>
                            resource.type.startsWith("kubernetes:") &&
                            !resource.name.endsWith("-core-secret"),
                    )
                    .map(objectOf),
            );
            assert.ok(
                !everything.includes(SECRET_PLACEHOLDER),
                "the admin password reaches no Kubernetes object",
            );
            assert.ok(
                !everything.includes("aims_admin"),
                "the admin user reaches no Kubernetes object",
            );
            assert.ok(!everything.includes("postgres-credentials"));
        });

        it("writes SECRET_KEY, generated once by the Tenant, and nothing else from the Tenant's random resources", async () => {
            const { mocks, tenant, r } = await deployTenant("dev", { name: "school1" });
            const random = mocks.ofType("random:index/randomPassword:RandomPassword");
            assert.deepEqual(random.map((resource) => resource.name).sort(), [
                "school1-db-password",
                "school1-secret-key",
            ]);
            const stringData = objectOf(r.databaseSecret).stringData;
            assert.equal(stringData["secret-key"], await valueOf(tenant.secretKey!));
            assert.equal(stringData.password, await valueOf(tenant.databasePassword!));
        });

        it("has the stack's Kubernetes provider update a Secret's content in place, rather than delete and re-create it", async () => {
            const mocks = startMocks("dev");
            const settings = settingsOf("dev", [spec({ name: "school1" })]);
            stackProviders(settings, new Set(["kubernetes"]));
            await mocks.settled();
            const inputs = mocks.get("pulumi:providers:kubernetes", "kubernetes").inputs;
            assert.equal(JSON.parse(inputs.enableSecretMutable), true);
            assert.equal(JSON.parse(inputs.enableServerSideApply), true);
            assert.equal(inputs.context, "aims-dev");
            const awsOnly = stackProviders(settings, new Set(["aws"]));
            assert.ok(
                !awsOnly.some((provider) => provider instanceof k8s.Provider),
                "no Kubernetes provider for a stack whose tenants all run on AWS",
            );
        });

        it("creates no image pull secret when the stack has no registry credentials", async () => {
            const { mocks, r } = await deployTenant("dev", { name: "school1" });
            assert.equal(r.registrySecret, undefined);
            assert.equal(mocks.ofType(TYPES.secret).length, 2);
            assert.deepEqual(r.release.inputs.values.imagePullSecrets, []);
        });

        it("creates a dockerconfigjson pull secret and has both Deployments use it when the stack has registry credentials", async () => {
            const config = withKubernetes({ registry: REGISTRY });
            const { mocks, r } = await deployTenant("dev", { name: "school1" }, config);
            assert.ok(r.registrySecret);
            assert.equal(r.registrySecret.parent, r.workload.urn);
            assert.deepEqual(
                typesAndNames(mocks.descendantsOf(r.workload)),
                [...expectedChildren("school1"), [TYPES.secret, "school1-registry-secret"]].sort(),
            );
            const secret = objectOf(r.registrySecret);
            assert.equal(secret.metadata.name, "school1-registry");
            assert.equal(secret.metadata.namespace, "school1");
            assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
            assert.ok(r.registrySecret.inputs.stringData instanceof Secret);
            const auth = JSON.parse(secret.stringData[".dockerconfigjson"]).auths[
                "registry.example.org"
            ];
            assert.deepEqual(auth, {
                username: "aims-pull",
                password: REGISTRY.password,
                auth: Buffer.from(`aims-pull:${REGISTRY.password}`).toString("base64"),
            });
            assert.deepEqual(r.release.inputs.values.imagePullSecrets, [
                { name: "school1-registry" },
            ]);
            assert.ok(!JSON.stringify(reveal(r.release.inputs)).includes(REGISTRY.password));
        });
    });

    describe("Helm release", () => {
        it("installs the project's tenant chart as release <name> in the namespace, and checks its rollout instead of Helm's wait", async () => {
            const { r, mocks } = await deployTenant("dev", { name: "school1" });
            const inputs = r.release.inputs;
            assert.equal(inputs.name, "school1");
            assert.equal(inputs.namespace, "school1");
            assert.equal(inputs.chart, "./charts/tenant");
            assert.equal(
                inputs.skipAwait,
                true,
                "Helm's wait would only time out, without a reason",
            );
            assert.equal(inputs.maxHistory, 10);
            assert.equal(inputs.createNamespace, false);

            const check = mocks.get(TYPES.rolloutCheck, "school1-rollout");
            assert.equal(
                check.inputs.create,
                "node components/kubernetes/rollout-watch/wait-for-rollout.js",
            );
            assert.equal(check.inputs.update, check.inputs.create, "every upgrade is checked");
            assert.ok(check.dependencies.includes(r.release.urn), "after the release");
            const { AIMS_ROLLOUT_REVISION: _revision, ...environment } = check.inputs.environment;
            assert.deepEqual(environment, {
                AIMS_ROLLOUT_TENANT: "school1",
                AIMS_ROLLOUT_NAMESPACE: "school1",
                AIMS_ROLLOUT_DEPLOYMENTS: "school1-frontend,school1-backend",
                AIMS_ROLLOUT_TIMEOUT_SECONDS: "600",
                AIMS_ROLLOUT_CONTEXT: "aims-dev",
            });
            assert.ok(
                mocks.get(TYPES.ingress, "school1-ingress").dependencies.includes(r.release.urn),
            );
        });

        it("checks the rollout with the stack's kubeconfig context, and not at all where pods cannot run", async () => {
            const { mocks: currentContext } = await deployTenant(
                "dev",
                { name: "school1" },
                withKubernetes({ context: undefined }),
            );
            assert.ok(
                !(
                    "AIMS_ROLLOUT_CONTEXT" in
                    currentContext.get(TYPES.rolloutCheck, "school1-rollout").inputs.environment
                ),
                "no context: the kubeconfig's current one, as the provider",
            );
            const { mocks: unawaited, r } = await deployTenant(
                "dev",
                { name: "school1" },
                withKubernetes({ waitForReady: false }),
            );
            assert.deepEqual(
                unawaited.ofType(TYPES.rolloutCheck).map((c) => c.name),
                ["school1-core-cleanup"],
            );
            assert.equal(r.release.inputs.skipAwait, true);
        });

        it("gives both images the stack's imagePullPolicy, so that images loaded onto a node start", async () => {
            for (const policy of ["Always", "IfNotPresent", "Never"]) {
                const { r } = await deployTenant(
                    "dev",
                    { name: "school1" },
                    withKubernetes({ imagePullPolicy: policy }),
                );
                const values = reveal(r.release.inputs.values);
                assert.equal(values.frontend.image.pullPolicy, policy);
                assert.equal(values.backend.image.pullPolicy, policy);
            }
        });

        it("takes the chart path from the stack config, relative to the project", async () => {
            const { r } = await deployTenant(
                "dev",
                { name: "school1" },
                withKubernetes({ chartPath: "./charts/tenant/" }),
            );
            assert.equal(r.release.inputs.chart, "./charts/tenant");
        });

        it("passes the values tenantChartValues builds: images, database, host, secret names", async () => {
            const { r } = await deployTenant("dev", { name: "school1" });
            const values = reveal(r.release.inputs.values);
            const tenantSpec = spec({ name: "school1" });
            const settings = settingsOf("dev", [tenantSpec]);
            assert.deepEqual(
                values,
                JSON.parse(
                    JSON.stringify(
                        tenantChartValues(
                            tenantSpec,
                            settings,
                            settings.kubernetes!,
                            "school1.dev.aims.example.org",
                        ),
                    ),
                ),
            );
            assert.deepEqual(values.tenant, {
                name: "school1",
                host: "school1.dev.aims.example.org",
            });
            assert.deepEqual(values.frontend.image, {
                repository: "registry.example.org/aims/frontend",
                tag: "2.4.0",
                pullPolicy: "Always",
            });
            assert.deepEqual(values.backend.image, {
                repository: "registry.example.org/aims/backend",
                tag: "2.4.0",
                pullPolicy: "Always",
            });
            assert.deepEqual(values.database, {
                host: "pgbouncer.database.svc.cluster.local",
                port: 6432,
                name: "tenant_school1",
                credentialsSecret: "school1-database",
            });
            assert.equal(
                values.djangoSecret,
                "school1-database",
                "SECRET_KEY comes from the same Secret as the database credentials",
            );
            assert.deepEqual(values.backend.bootstrapReady, {
                enabled: true,
                attempts: 8,
                deadlineSeconds: 300,
            });
        });

        it("pins the tenant's image tag over the stack's", async () => {
            const { r } = await deployTenant("dev", { name: "school1", image: { tag: "2.3.1" } });
            assert.equal(r.release.inputs.values.frontend.image.tag, "2.3.1");
            assert.equal(r.release.inputs.values.backend.image.tag, "2.3.1");
        });

        it("calls the core back only when the stack has a core", async () => {
            const { r } = await deployTenant(
                "dev",
                { name: "school1" },
                { "aims:core": undefined },
            );
            assert.equal(r.release.inputs.values.backend.bootstrapReady.enabled, false);
            assert.deepEqual(r.release.inputs.values.backend.env, [
                { name: "USE_REMOTE_MEDIA", value: "false" },
            ]);
        });

        it("carries no secret value in its values: only secret names", async () => {
            const { mocks, r } = await deployTenant(
                "prod",
                { name: "school1" },
                withKubernetes({ registry: REGISTRY }),
            );
            const values = r.release.inputs.values;
            const secrets: unknown[] = [];
            const walk = (value: unknown): void => {
                if (value instanceof Secret) secrets.push(value);
                else if (value !== null && typeof value === "object")
                    Object.values(value).forEach(walk);
            };
            walk(r.release.inputs);
            assert.deepEqual(secrets, [], "no input of the release is a secret");
            const text = JSON.stringify(values);
            const secretKey = objectOf(r.databaseSecret).stringData["secret-key"];
            const password = reveal(mocks.get(TYPES.role, "school1-db-role").inputs.password);
            for (const secret of [secretKey, password, REGISTRY.password, SECRET_PLACEHOLDER]) {
                assert.ok(
                    secret.length >= 8 && !text.includes(secret),
                    `the release values contain ${secret.slice(0, 6)}...`,
                );
            }
            assert.ok(text.includes("school1-database"));
            assert.ok(!text.includes("django-secret"), "no Secret the tenant does not have");
        });
    });

    describe("ingress", () => {
        it("serves <name>.<baseDomain> over TLS from cert-manager with the stack's ingress class", async () => {
            const { r } = await deployTenant("dev", { name: "school1" });
            const ingress = objectOf(r.ingress);
            assert.equal(ingress.metadata.name, "school1");
            assert.equal(
                ingress.metadata.annotations["cert-manager.io/cluster-issuer"],
                "letsencrypt-prod",
            );
            assert.equal(ingress.spec.ingressClassName, "traefik");
            assert.deepEqual(ingress.spec.tls, [
                { hosts: ["school1.dev.aims.example.org"], secretName: "school1-tls" },
            ]);
            assert.equal(ingress.spec.rules.length, 1);
            assert.equal(ingress.spec.rules[0].host, "school1.dev.aims.example.org");
        });

        it("routes /api, /admin, /static and /media to the backend Service on 8000 and the rest to the frontend on 3000", async () => {
            const { r } = await deployTenant("dev", { name: "school1" });
            const routes = objectOf(r.ingress).spec.rules[0].http.paths.map((path: any) => [
                path.path,
                path.pathType,
                path.backend.service.name,
                path.backend.service.port.number,
            ]);
            assert.deepEqual(routes, [
                ["/api", "Prefix", "school1-backend", 8000],
                ["/admin", "Prefix", "school1-backend", 8000],
                ["/static", "Prefix", "school1-backend", 8000],
                ["/media", "Prefix", "school1-backend", 8000],
                ["/", "Prefix", "school1-frontend", 3000],
            ]);
        });

        it("serves a tenant's custom domain, with the same host in the release values", async () => {
            const { r } = await deployTenant("prod", {
                name: "riverside-high",
                domain: "portal.riverside-high.example.org",
            });
            const ingress = objectOf(r.ingress);
            assert.equal(ingress.spec.rules[0].host, "portal.riverside-high.example.org");
            assert.deepEqual(ingress.spec.tls, [
                { hosts: ["portal.riverside-high.example.org"], secretName: "riverside-high-tls" },
            ]);
            assert.equal(r.release.inputs.values.tenant.host, "portal.riverside-high.example.org");
        });

        it("uses the ingress class and cluster issuer the stack configures", async () => {
            const { r } = await deployTenant(
                "dev",
                { name: "school1" },
                withKubernetes({ ingressClass: "nginx", clusterIssuer: "letsencrypt-staging" }),
            );
            const ingress = objectOf(r.ingress);
            assert.equal(ingress.spec.ingressClassName, "nginx");
            assert.equal(
                ingress.metadata.annotations["cert-manager.io/cluster-issuer"],
                "letsencrypt-staging",
            );
        });
    });

    describe("isolation", () => {
        it("admits traffic to every pod only from its own namespace and the ingress controller's", async () => {
            const { r } = await deployTenant(
                "dev",
                { name: "school1" },
                withKubernetes({ ingressNamespace: "ingress-system" }),
            );
            const policy = objectOf(r.networkPolicy);
            assert.deepEqual(policy.spec, {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [{ podSelector: {} }] },
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchLabels: {
                                        "kubernetes.io/metadata.name": "ingress-system",
                                    },
                                },
                            },
                        ],
                    },
                ],
            });
        });

        it("forbids LoadBalancer and NodePort Services and volume claims", async () => {
            const { r } = await deployTenant("dev", { name: "school1" });
            const hard = objectOf(r.resourceQuota).spec.hard;
            assert.equal(hard["services.loadbalancers"], "0");
            assert.equal(hard["services.nodeports"], "0");
            assert.equal(hard.persistentvolumeclaims, "0");
            assert.equal(hard.secrets, "20");
        });
    });

    describe("plans", () => {
        for (const plan of PLAN_NAMES) {
            it(`sizes a ${plan} tenant: replicas, quota and per-container limits that fit it`, async () => {
                const { r } = await deployTenant("dev", { name: "school1", plan });
                const sizes = PLANS[plan].kubernetes;
                const values = r.release.inputs.values;
                assert.equal(values.frontend.replicas, sizes.frontendReplicas);
                assert.equal(values.backend.replicas, sizes.backendReplicas);
                const hard = objectOf(r.resourceQuota).spec.hard;
                assert.equal(hard["requests.cpu"], sizes.quota.cpu);
                assert.equal(hard["limits.cpu"], sizes.quota.cpu);
                assert.equal(hard["requests.memory"], sizes.quota.memory);
                assert.equal(hard["limits.memory"], sizes.quota.memory);
                assert.equal(hard.pods, String(sizes.frontendReplicas + sizes.backendReplicas + 3));
                const [limits] = objectOf(r.limitRange).spec.limits;
                const size = containerResources(sizes);
                assert.deepEqual(limits, {
                    type: "Container",
                    default: size.limits,
                    defaultRequest: size.requests,
                    max: size.limits,
                });
                assert.deepEqual(values.frontend.resources, size);
                assert.deepEqual(values.backend.resources, size);
                // Every pod the quota admits at once, at its limit, fits the quota.
                assert.ok(
                    podSlots(sizes) * millicores(size.limits.cpu) <= millicores(sizes.quota.cpu),
                );
                assert.ok(
                    podSlots(sizes) * mebibytes(size.limits.memory) <=
                        mebibytes(sizes.quota.memory),
                );
            });
        }

        it("shares out the quota as documented", () => {
            assert.deepEqual(containerResources(PLANS.small.kubernetes), {
                requests: { cpu: "200m", memory: "768Mi" },
                limits: { cpu: "400m", memory: "768Mi" },
            });
            assert.deepEqual(containerResources(PLANS.standard.kubernetes), {
                requests: { cpu: "275m", memory: "1152Mi" },
                limits: { cpu: "550m", memory: "1152Mi" },
            });
            assert.deepEqual(containerResources(PLANS.large.kubernetes), {
                requests: { cpu: "400m", memory: "1600Mi" },
                limits: { cpu: "800m", memory: "1600Mi" },
            });
        });

        it("reads only the quantities plans use", () => {
            assert.equal(millicores("2"), 2000);
            assert.equal(millicores("750m"), 750);
            assert.equal(mebibytes("4Gi"), 4096);
            assert.equal(mebibytes("512Mi"), 512);
            assert.throws(() => millicores("1.5"), /unsupported CPU quantity "1.5"/);
            assert.throws(() => mebibytes("4G"), /unsupported memory quantity "4G"/);
        });
    });

    describe("suspend and resume", () => {
        for (const status of ["suspended", "offboarding"] as const) {
            it(`scales both Deployments to zero while the tenant is ${status}, and keeps its namespace, secrets and database`, async () => {
                const { mocks, r } = await deployTenant("dev", {
                    name: "school1",
                    plan: "large",
                    status,
                });
                assert.equal(r.release.inputs.values.frontend.replicas, 0);
                assert.equal(r.release.inputs.values.backend.replicas, 0);
                // An offboarding tenant also gets its backup (test/offboarding.test.ts).
                const backup =
                    status === "offboarding"
                        ? [
                              [TYPES.secret, "school1-backup-credentials"],
                              ["kubernetes:batch/v1:Job", "school1-offboarding-backup"],
                          ]
                        : [];
                assert.deepEqual(
                    typesAndNames(mocks.descendantsOf(r.workload)),
                    [...expectedChildren("school1"), ...backup].sort(),
                );
                assert.equal(mocks.ofType(TYPES.database).length, 1);
                assert.equal(objectOf(r.resourceQuota).spec.hard["limits.cpu"], "8");
            });
        }

        it("restores the plan's replicas when the tenant is active again, with nothing else changed", async () => {
            const suspended = await deployTenant("dev", {
                name: "school1",
                plan: "large",
                status: "suspended",
            });
            const active = await deployTenant("dev", {
                name: "school1",
                plan: "large",
                status: "active",
            });
            assert.equal(active.r.release.inputs.values.frontend.replicas, 3);
            assert.equal(active.r.release.inputs.values.backend.replicas, 4);
            const withoutReplicas = (deployed: typeof active) => {
                const values = reveal(deployed.r.release.inputs.values);
                delete values.frontend.replicas;
                delete values.backend.replicas;
                return values;
            };
            assert.deepEqual(withoutReplicas(suspended), withoutReplicas(active));
            for (const key of [
                "databaseSecret",
                "ingress",
                "networkPolicy",
                "resourceQuota",
                "limitRange",
            ] as const) {
                assert.deepEqual(
                    reveal(suspended.r[key].inputs),
                    reveal(active.r[key].inputs),
                    key,
                );
            }
            // The namespace only changes its status label.
            const labels = (deployed: typeof active) =>
                reveal(deployed.r.namespace.inputs).metadata.labels;
            assert.deepEqual(
                { ...labels(suspended), "aims.example.org/status": "active" },
                labels(active),
            );
        });
    });

    describe("data protection", () => {
        const dataOf = (mocks: MockStack, r: Awaited<ReturnType<typeof deployTenant>>["r"]) => [
            r.namespace,
            r.databaseSecret,
            r.registrySecret!,
            mocks.get(TYPES.role, "school1-db-role"),
            mocks.get(TYPES.database, "school1-db"),
        ];
        const config = withKubernetes({ registry: REGISTRY });

        it("protects and retains the namespace, secrets and database in prod, each set explicitly", async () => {
            const { mocks, r } = await deployTenant("prod", { name: "school1" }, config);
            for (const resource of dataOf(mocks, r)) {
                assert.equal(resource.protect, true, `${resource.name} protect`);
                assert.equal(resource.retainOnDelete, true, `${resource.name} retainOnDelete`);
            }
            // Not inherited: the components and the workload itself carry no protection.
            for (const resource of [
                r.tenant,
                r.workload,
                r.release,
                r.ingress,
                r.networkPolicy,
                r.resourceQuota,
                r.limitRange,
            ]) {
                assert.equal(resource.protect, false, `${resource.name} protect`);
                assert.equal(resource.retainOnDelete, false, `${resource.name} retainOnDelete`);
            }
        });

        it("neither protects nor retains in dev", async () => {
            const { mocks, r } = await deployTenant("dev", { name: "school1" }, config);
            for (const resource of dataOf(mocks, r)) {
                assert.equal(resource.protect, false, `${resource.name} protect`);
                assert.equal(resource.retainOnDelete, false, `${resource.name} retainOnDelete`);
            }
        });

        it("lets an offboarding tenant's namespace be deleted in prod but retains it and its secrets", async () => {
            const { r } = await deployTenant(
                "prod",
                { name: "school1", status: "offboarding" },
                config,
            );
            for (const resource of [r.namespace, r.databaseSecret]) {
                assert.equal(resource.protect, false, `${resource.name} protect`);
                assert.equal(resource.retainOnDelete, true, `${resource.name} retainOnDelete`);
            }
        });
    });

    it("creates objects the Kubernetes API accepts", async () => {
        const { r } = await deployTenant(
            "prod",
            { name: "riverside-high", domain: "portal.riverside-high.example.org" },
            withKubernetes({ registry: REGISTRY }),
        );
        for (const resource of [
            r.namespace,
            r.databaseSecret,
            r.registrySecret!,
            r.ingress,
            r.networkPolicy,
            r.resourceQuota,
            r.limitRange,
        ]) {
            validateObject(objectOf(resource));
        }
        assert.throws(
            () =>
                validateObject({
                    ...objectOf(r.ingress),
                    spec: { rules: [{ http: { paths: [{ path: "/" }] } }] },
                }),
            /Ingress riverside-high/,
        );
        assert.throws(
            () =>
                validateObject({
                    apiVersion: "example.org/v1",
                    kind: "Widget",
                    metadata: { name: "w" },
                }),
            /no Kubernetes schema known/,
        );
    });
});

describe("aims:kubernetes config", () => {
    beforeEach(() => startMocks("dev"));

    const read = (changes: Record<string, unknown>) =>
        settingsOf("dev", [spec({ name: "school1" })], withKubernetes(changes)).kubernetes!;
    function problems(changes: Record<string, unknown>): string[] {
        try {
            read(changes);
        } catch (err) {
            assert.ok(err instanceof ValidationError, String(err));
            return [...err.problems];
        }
        assert.fail("expected aims:kubernetes to be rejected");
    }
    const key = (field: string) => `Pulumi.dev.yaml: aims:kubernetes.${field}`;

    it("reads the dev stack's block with its defaults", () => {
        const settings = read({});
        assert.deepEqual(
            { ...settings },
            {
                context: "aims-dev",
                ingressClass: "traefik",
                clusterIssuer: "letsencrypt-prod",
                ingressNamespace: "traefik",
                chartPath: "charts/tenant",
                waitForReady: true,
                imagePullPolicy: "Always",
                reservedNamespaces: [],
            },
        );
    });

    it("rejects an unknown key", () => {
        assert.deepEqual(problems({ ingressClas: "nginx" }), [
            `${key("ingressClas")}: unknown key; allowed: context, ingressClass, clusterIssuer, ingressNamespace, chartPath, registry, waitForReady, imagePullPolicy, reservedNamespaces, coreBootstrapReadyUrl`,
        ]);
    });

    it("waitForReady: defaults to true, may be turned off outside prod, must be a boolean", () => {
        assert.equal(read({ waitForReady: undefined }).waitForReady, true);
        assert.equal(read({ waitForReady: false }).waitForReady, false);
        assert.equal(read({ waitForReady: "false" }).waitForReady, false);
        for (const bad of ["no", 0, "", ["false"]]) {
            assert.deepEqual(
                problems({ waitForReady: bad }),
                [`${key("waitForReady")}: must be true or false (got ${JSON.stringify(bad)})`],
                JSON.stringify(bad),
            );
        }
    });

    it("waitForReady: refused as false in prod, where a rollout that never gets ready must fail the update", () => {
        startMocks("prod");
        const prodKubernetes = JSON.parse(stackConfig("prod").config["aims:kubernetes"]);
        const prod = (waitForReady: unknown) => () =>
            settingsOf("prod", [spec({ name: "school1" })], {
                "aims:kubernetes": { ...prodKubernetes, waitForReady },
            });
        assert.equal(prod(true)().kubernetes?.waitForReady, true);
        assert.throws(
            prod(false),
            (err: unknown) =>
                err instanceof ValidationError &&
                err.problems.includes(
                    "Pulumi.prod.yaml: aims:kubernetes.waitForReady: must not be false in prod: a rollout or backup that never becomes ready must fail `pulumi up`",
                ),
        );
    });

    it("imagePullPolicy: Always unless the stack says IfNotPresent or Never; nothing else", () => {
        assert.equal(read({ imagePullPolicy: undefined }).imagePullPolicy, "Always");
        for (const policy of ["Always", "IfNotPresent", "Never"])
            assert.equal(read({ imagePullPolicy: policy }).imagePullPolicy, policy);
        for (const bad of ["always", "IfNotPresent ", "Sometimes", "", true, ["Always"]]) {
            assert.deepEqual(
                problems({ imagePullPolicy: bad }),
                [
                    `${key("imagePullPolicy")}: must be Always, IfNotPresent or Never (got ${JSON.stringify(bad)})`,
                ],
                JSON.stringify(bad),
            );
        }
    });

    it("imagePullPolicy: Never refused in prod, where a node without the image could never start the pods", () => {
        startMocks("prod");
        const prodKubernetes = JSON.parse(stackConfig("prod").config["aims:kubernetes"]);
        const prod = (imagePullPolicy: unknown) => () =>
            settingsOf("prod", [spec({ name: "school1" })], {
                "aims:kubernetes": { ...prodKubernetes, imagePullPolicy },
            });
        assert.equal(prod("IfNotPresent")().kubernetes?.imagePullPolicy, "IfNotPresent");
        assert.throws(
            prod("Never"),
            (err: unknown) =>
                err instanceof ValidationError &&
                err.problems.includes(
                    "Pulumi.prod.yaml: aims:kubernetes.imagePullPolicy: must not be Never in prod: a node that does not have the image could never start the tenant's pods",
                ),
        );
    });

    it("context: optional, but not empty", () => {
        assert.equal(read({ context: undefined }).context, undefined);
        assert.deepEqual(problems({ context: "" }), [
            `${key("context")}: must be a non-empty string (got "")`,
        ]);
    });

    it("ingressClass: defaults to traefik, must be an object name", () => {
        assert.equal(read({ ingressClass: undefined }).ingressClass, "traefik");
        assert.equal(read({ ingressClass: "nginx" }).ingressClass, "nginx");
        assert.deepEqual(problems({ ingressClass: "Traefik Public" }), [
            `${key("ingressClass")}: must be an IngressClass name such as traefik: lowercase letters, digits and '-', at most 253 characters (got "Traefik Public")`,
        ]);
    });

    it("clusterIssuer: required, must be an object name", () => {
        assert.equal(
            read({ clusterIssuer: "letsencrypt-staging" }).clusterIssuer,
            "letsencrypt-staging",
        );
        assert.deepEqual(problems({ clusterIssuer: undefined }), [
            `${key("clusterIssuer")}: is required`,
        ]);
        assert.deepEqual(problems({ clusterIssuer: "lets_encrypt" }), [
            `${key("clusterIssuer")}: must be a ClusterIssuer name such as letsencrypt-prod: lowercase letters, digits and '-', at most 253 characters (got "lets_encrypt")`,
        ]);
    });

    it("ingressNamespace: required, must be a namespace name", () => {
        assert.equal(read({ ingressNamespace: "ingress-nginx" }).ingressNamespace, "ingress-nginx");
        assert.deepEqual(problems({ ingressNamespace: undefined }), [
            `${key("ingressNamespace")}: is required`,
        ]);
        assert.deepEqual(problems({ ingressNamespace: "kube.system" }), [
            `${key("ingressNamespace")}: must be a namespace name such as traefik: lowercase letters, digits and '-', at most 63 characters (got "kube.system")`,
        ]);
    });

    it("chartPath: a chart folder inside the project, normalised", () => {
        assert.equal(read({ chartPath: undefined }).chartPath, "charts/tenant");
        assert.equal(read({ chartPath: "./charts/../charts/tenant/" }).chartPath, "charts/tenant");
        assert.deepEqual(problems({ chartPath: "/srv/charts/tenant" }), [
            `${key("chartPath")}: must be a path relative to the project root with '/' separators, such as charts/tenant (got "/srv/charts/tenant")`,
        ]);
        assert.deepEqual(problems({ chartPath: "../other/charts/tenant" }), [
            `${key("chartPath")}: must stay inside the project (got "../other/charts/tenant")`,
        ]);
        assert.deepEqual(problems({ chartPath: "charts/missing" }), [
            `${key("chartPath")}: must be a Helm chart folder: no Chart.yaml in charts/missing/ of the project`,
        ]);
    });

    it("coreBootstrapReadyUrl: replaced by aims:core.url, with a message saying so", () => {
        assert.deepEqual(problems({ coreBootstrapReadyUrl: "https://core.example.org/ready/" }), [
            `${key("coreBootstrapReadyUrl")}: replaced by aims:core.url: CORE_BOOTSTRAP_READY_URL is now <url>/api/auth/tenant-bootstrap-ready/, which the backend calls back (POST) once bootstrapped instead of waiting for it; move the core's base URL there and remove this key`,
        ]);
    });

    it("registry: server, username and a secret password", async () => {
        const registry = read({ registry: REGISTRY }).registry!;
        assert.equal(registry.server, "registry.example.org");
        assert.equal(registry.username, "aims-pull");
        assert.equal(await isSecret(registry.password), true);
        assert.equal(await valueOf(registry.password), REGISTRY.password);
        assert.equal(
            read({ registry: { ...REGISTRY, server: "localhost:5000" } }).registry!.server,
            "localhost:5000",
        );
    });

    it("registry: rejects a URL as server, a missing password or username, and unknown keys", () => {
        assert.deepEqual(
            problems({ registry: { ...REGISTRY, server: "https://registry.example.org" } }),
            [
                `${key("registry.server")}: must be a registry host such as registry.example.org, without a scheme or path (got "https://registry.example.org")`,
            ],
        );
        assert.deepEqual(
            problems({ registry: { server: REGISTRY.server, username: REGISTRY.username } }),
            [
                `${key("registry.password")}: is required; set it once with: pulumi config set --secret --path aims:kubernetes.registry.password --stack dev`,
            ],
        );
        assert.deepEqual(
            problems({ registry: { server: REGISTRY.server, password: REGISTRY.password } }),
            [`${key("registry.username")}: is required`],
        );
        assert.deepEqual(problems({ registry: { ...REGISTRY, email: "ops@example.org" } }), [
            `${key("registry.email")}: unknown key; allowed: server, username, password`,
        ]);
    });

    it("reports every problem of the block at once", () => {
        assert.equal(
            problems({
                ingressClass: "A",
                clusterIssuer: undefined,
                ingressNamespace: "X",
                coreBootstrapReadyUrl: "nope",
            }).length,
            4,
        );
    });
});

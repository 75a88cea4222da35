/**
 * The tenant chart, rendered by the real helm with the values Pulumi passes
 * (tenantChartValues), and checked against the Kubernetes API schemas and the wiring the rest
 * of the program relies on. helm is required: a missing helm fails these tests.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import {
    APP_USER,
    BACKEND_PORT,
    BOOTSTRAP_COMMAND,
    CONTAINERS,
    FRONTEND_PORT,
    MIGRATE_COMMAND,
    NEXT_CACHE_PATH,
    SCRATCH_PATH,
} from "../components/vocabulary/app-contract";
import { ingressSpec } from "../components/kubernetes/ingress";
import { limitRangeSpec } from "../components/kubernetes/isolation";
import { mebibytes } from "../components/kubernetes/sizing";
import { TenantChartValues, tenantChartValues } from "../components/kubernetes/values";
import { BOOTSTRAP_READY_SCRIPT } from "../components/core-contract";
import {
    coreSecretName,
    databaseSecretName,
    djangoSecretName,
    imagePullSecretName,
    tenantHost,
} from "../components/vocabulary/naming";
import { PROJECT_ROOT } from "../components/support/project-root";
import { PLAN_NAMES, PLANS } from "../components/vocabulary/plans";
import { loadTenants, TenantSpec } from "../components/tenant-files/registry";
import { platformOf, StackSettings, tenantsOfStack } from "../components/stack/settings";
import { TENANT_STATUSES } from "../components/vocabulary/words";
import { renderRelease } from "../scripts/lib/helm-template";
import { listStacks } from "../components/stack/stack-file";
import { requireTool } from "../scripts/lib/tools";
import { validateObject } from "./support/kubernetes";
import { settingsOf, spec, stackConfig, startMocks } from "./support/mocks";

const CHART = "charts/tenant";
const REGISTRY = {
    server: "registry.example.org",
    username: "aims-pull",
    password: "registry-pass-0000",
};
const SIT_KUBERNETES = JSON.parse(stackConfig("sit").config["aims:kubernetes"]);
/** The chart's own defaults (values.yaml): the values Pulumi does not pass, such as disk sizes and probe timing. */
const CHART_DEFAULTS = yaml.load(
    fs.readFileSync(path.join(PROJECT_ROOT, CHART, "values.yaml"), "utf8"),
) as any;
/** What the kubelet keeps of a container's logs by default (containerLogMaxFiles 5 x containerLogMaxSize 10Mi). */
const CONTAINER_LOGS_MIB = 50;

interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec: any;
}

interface RenderCase {
    readonly title: string;
    readonly tenant: TenantSpec;
    readonly settings: StackSettings;
    readonly host: string;
    readonly values: TenantChartValues;
    objects: K8sObject[];
}

function caseOf(title: string, tenantSpec: TenantSpec, settings: StackSettings): RenderCase {
    const host = tenantHost(tenantSpec, settings.baseDomain);
    return {
        title,
        tenant: tenantSpec,
        settings,
        host,
        values: tenantChartValues(tenantSpec, settings, settings.kubernetes!, host),
        objects: [],
    };
}

/** The example tenants that run on Kubernetes, in every stack that deploys them. */
function exampleCases(): RenderCase[] {
    const tenants = loadTenants(path.join(PROJECT_ROOT, "tenants"));
    return listStacks(PROJECT_ROOT).flatMap((stack) => {
        const settings = settingsOf(stack, tenants);
        return tenantsOfStack(tenants, settings)
            .filter((tenant) => platformOf(tenant, settings) === "kubernetes")
            .map((tenant) => caseOf(`${tenant.file} in ${stack}`, tenant, settings));
    });
}

/**
 * Every plan in every status; the large ones also with a custom domain, a pinned image, a
 * private registry and the stack's core, so each optional value is rendered at least once.
 */
function planCases(): RenderCase[] {
    return PLAN_NAMES.flatMap((plan) =>
        TENANT_STATUSES.map((status) => {
            const everything = plan === "large";
            const config = everything
                ? { "aims:kubernetes": { ...SIT_KUBERNETES, registry: REGISTRY } }
                : { "aims:core": undefined };
            const tenantSpec = spec({
                name: `hillcrest-${plan}`,
                plan,
                status,
                ...(everything && {
                    domain: `portal.hillcrest-${status}.example.org`,
                    image: { tag: "2.3.1" },
                }),
            });
            return caseOf(
                `${plan} ${status}${everything ? " (custom domain, pinned tag, registry, core)" : ""}`,
                tenantSpec,
                settingsOf("sit", [tenantSpec], config),
            );
        }),
    );
}

function render(testCase: RenderCase, binary: string): K8sObject[] {
    const rendered = renderRelease(
        {
            name: testCase.tenant.name,
            namespace: testCase.tenant.name,
            chartPath: CHART,
            values: testCase.values,
        },
        binary,
    );
    return (yaml.loadAll(rendered) as Array<K8sObject | null>).filter(
        (object): object is K8sObject => object !== null,
    );
}

const byKind = (objects: readonly K8sObject[], kind: string, name: string): K8sObject => {
    const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
    assert.ok(
        found,
        `no ${kind} ${name} in the rendered chart (rendered: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")})`,
    );
    return found;
};

const allContainers = (deployment: K8sObject): any[] => [
    ...(deployment.spec.template.spec.initContainers ?? []),
    ...deployment.spec.template.spec.containers,
];
const componentOf = (deployment: K8sObject): "frontend" | "backend" =>
    deployment.metadata.labels!["app.kubernetes.io/component"] as "frontend" | "backend";
const envOf = (container: any, name: string): any =>
    container.env?.find((variable: any) => variable.name === name);

describe("tenant chart (real helm)", function () {
    this.timeout(120_000);
    const cases: RenderCase[] = [];

    before(() => {
        const binary = requireTool("helm");
        startMocks("sit");
        cases.push(...exampleCases(), ...planCases());
        for (const testCase of cases) testCase.objects = render(testCase, binary);
    });

    it("lints clean with helm lint --strict", () => {
        const output = execFileSync(
            requireTool("helm"),
            ["lint", "--strict", path.join(PROJECT_ROOT, CHART)],
            {
                encoding: "utf8",
            },
        );
        assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it("renders every example Kubernetes tenant in every stack, and every plan in every status", () => {
        const titles = cases.map((testCase) => testCase.title);
        assert.ok(titles.includes("tenants/school1.yaml in dev"), titles.join("; "));
        assert.ok(titles.includes("tenants/school1.yaml in prod"));
        assert.equal(
            titles.filter((title) => /^(small|standard|large) /.test(title)).length,
            PLAN_NAMES.length * TENANT_STATUSES.length,
        );
        assert.ok(cases.length <= 12, "keep the chart tests fast: a dozen renders at most");
    });

    it("renders only objects the Kubernetes API accepts", () => {
        for (const testCase of cases) {
            for (const object of testCase.objects) validateObject(object);
        }
    });

    it("renders the two Deployments and Services in the namespace, and a disruption budget only where a component has several pods", () => {
        for (const { title, tenant: tenantSpec, values, objects } of cases) {
            const expected = [
                `Deployment/${tenantSpec.name}-backend`,
                `Deployment/${tenantSpec.name}-frontend`,
                `Service/${tenantSpec.name}-backend`,
                `Service/${tenantSpec.name}-frontend`,
                ...(["backend", "frontend"] as const)
                    .filter((component) => values[component].replicas > 1)
                    .map((component) => `PodDisruptionBudget/${tenantSpec.name}-${component}`),
            ].sort();
            assert.deepEqual(
                objects.map((object) => `${object.kind}/${object.metadata.name}`).sort(),
                expected,
                title,
            );
            for (const object of objects)
                assert.equal(
                    object.metadata.namespace,
                    tenantSpec.name,
                    `${title}: ${object.kind}/${object.metadata.name} namespace`,
                );
        }
    });

    it("names and exposes the Services exactly as the Ingress routes to them, selecting the Deployments' pods", () => {
        for (const { title, tenant: tenantSpec, settings, host, objects } of cases) {
            const [routes] = ingressSpec({
                tenant: tenantSpec,
                kubernetes: settings.kubernetes!,
                host,
            }).rules as any[];
            for (const route of routes.http.paths) {
                const { name, port } = route.backend.service;
                const service = byKind(objects, "Service", name);
                const servicePort = service.spec.ports.find(
                    (candidate: any) => candidate.port === port.number,
                );
                assert.ok(servicePort, `${title}: Service ${name} has no port ${port.number}`);
                const deployment = byKind(objects, "Deployment", name);
                const podLabels = deployment.spec.template.metadata.labels;
                for (const [label, value] of Object.entries(service.spec.selector))
                    assert.equal(podLabels[label], value, `${title}: ${name} selector`);
                assert.deepEqual(deployment.spec.selector.matchLabels, service.spec.selector);
                const container = deployment.spec.template.spec.containers[0];
                assert.deepEqual(
                    container.ports,
                    [{ name: servicePort.targetPort, containerPort: port.number, protocol: "TCP" }],
                    `${title}: ${name} container port`,
                );
            }
            assert.equal(
                byKind(objects, "Service", `${tenantSpec.name}-frontend`).spec.ports[0].port,
                FRONTEND_PORT,
            );
            assert.equal(
                byKind(objects, "Service", `${tenantSpec.name}-backend`).spec.ports[0].port,
                BACKEND_PORT,
            );
        }
    });

    describe("agrees with the app contract (components/vocabulary/app-contract.ts), which the ECS task follows", () => {
        it("keeps the same defaults in values.yaml: user, init commands, cache folder", () => {
            assert.deepEqual(CHART_DEFAULTS.securityContext, {
                runAsUser: APP_USER.uid,
                runAsGroup: APP_USER.gid,
            });
            assert.deepEqual(CHART_DEFAULTS.backend.migrate.command, MIGRATE_COMMAND);
            assert.deepEqual(CHART_DEFAULTS.backend.bootstrap.command, BOOTSTRAP_COMMAND);
            assert.equal(CHART_DEFAULTS.frontend.cacheDir, NEXT_CACHE_PATH);
        });

        it("renders the same container names, users, ports and scratch folder", () => {
            const withCore = cases.find(
                (testCase) => testCase.values.backend.bootstrapReady.enabled,
            );
            assert.ok(withCore, "some case has a core, and so the bootstrap-ready container");
            for (const { title, tenant: tenantSpec, objects } of cases) {
                const pods = {
                    frontend: byKind(objects, "Deployment", `${tenantSpec.name}-frontend`),
                    backend: byKind(objects, "Deployment", `${tenantSpec.name}-backend`),
                };
                for (const deployment of Object.values(pods)) {
                    const { securityContext } = deployment.spec.template.spec;
                    assert.equal(securityContext.runAsUser, APP_USER.uid, title);
                    assert.equal(securityContext.runAsGroup, APP_USER.gid, title);
                    for (const container of allContainers(deployment)) {
                        assert.equal(container.securityContext.runAsUser, APP_USER.uid, title);
                        assert.equal(container.securityContext.runAsGroup, APP_USER.gid, title);
                        assert.ok(
                            container.volumeMounts.some(
                                (mount: { mountPath: string }) => mount.mountPath === SCRATCH_PATH,
                            ),
                            `${title}: ${container.name} has no scratch folder`,
                        );
                    }
                }
                const names = (deployment: K8sObject) =>
                    allContainers(deployment).map((container) => container.name);
                assert.deepEqual(names(pods.frontend), [CONTAINERS.frontend], title);
                assert.deepEqual(
                    names(pods.backend).filter((name) => name !== CONTAINERS.bootstrapReady),
                    [CONTAINERS.migrate, CONTAINERS.bootstrap, CONTAINERS.backend],
                    title,
                );
                const port = (deployment: K8sObject) =>
                    deployment.spec.template.spec.containers[0].ports[0].containerPort;
                assert.equal(port(pods.frontend), FRONTEND_PORT, title);
                assert.equal(port(pods.backend), BACKEND_PORT, title);
                const frontend = pods.frontend.spec.template.spec.containers[0];
                assert.equal(envOf(frontend, "PORT").value, String(FRONTEND_PORT), title);
                assert.match(
                    envOf(frontend, "BACKEND_INTERNAL_URL").value,
                    new RegExp(`:${BACKEND_PORT}$`),
                    title,
                );
            }
            assert.ok(
                allContainers(
                    byKind(withCore.objects, "Deployment", `${withCore.tenant.name}-backend`),
                ).some((container) => container.name === CONTAINERS.bootstrapReady),
            );
        });
    });

    it("migrates, then bootstraps, then calls the core back (only with a core), before the backend starts", () => {
        for (const { title, values, tenant: tenantSpec, settings, objects } of cases) {
            const pod = byKind(objects, "Deployment", `${tenantSpec.name}-backend`).spec.template
                .spec;
            const withCore = values.backend.bootstrapReady.enabled;
            assert.deepEqual(
                pod.initContainers.map((container: any) => container.name),
                ["migrate", "bootstrap", ...(withCore ? ["bootstrap-ready"] : [])],
                title,
            );
            const [migrate, bootstrap, callback] = pod.initContainers;
            assert.deepEqual(migrate.command, ["python", "manage.py", "migrate", "--noinput"]);
            assert.deepEqual(bootstrap.command, ["python", "manage.py", "bootstrap_tenant"]);
            if (withCore) {
                assert.equal(
                    envOf(callback, "CORE_BOOTSTRAP_READY_URL")?.value,
                    `${settings.core?.url}/api/auth/tenant-bootstrap-ready/`,
                    title,
                );
                assert.deepEqual(
                    callback.command,
                    ["python", "-c", `${BOOTSTRAP_READY_SCRIPT.trim()}\n`],
                    title,
                );
                assert.equal(
                    envOf(callback, "BOOTSTRAP_READY_ATTEMPTS")?.value,
                    String(values.backend.bootstrapReady.attempts),
                );
                assert.equal(
                    envOf(callback, "BOOTSTRAP_READY_DEADLINE_SECONDS")?.value,
                    String(values.backend.bootstrapReady.deadlineSeconds),
                );
                assert.deepEqual(
                    envOf(callback, "TENANT_BOOTSTRAP_SECRET")?.valueFrom.secretKeyRef,
                    { name: coreSecretName(tenantSpec.name), key: "bootstrap-secret" },
                );
            } else {
                assert.equal(envOf(bootstrap, "CORE_BOOTSTRAP_READY_URL"), undefined, title);
            }
            for (const container of allContainers({
                spec: { template: { spec: pod } },
            } as K8sObject)) {
                assert.equal(
                    container.image,
                    `${values.backend.image.repository}:${values.backend.image.tag}`,
                );
            }
        }
    });

    it("reads SECRET_KEY and the database credentials from the one Secret Pulumi creates, and nothing else from a Secret", () => {
        for (const { title, tenant: tenantSpec, settings, host, objects } of cases) {
            const backend = byKind(objects, "Deployment", `${tenantSpec.name}-backend`);
            for (const container of allContainers(backend)) {
                const at = `${title}: ${container.name}`;
                assert.deepEqual(
                    envOf(container, "SECRET_KEY").valueFrom.secretKeyRef,
                    { name: databaseSecretName(tenantSpec.name), key: "secret-key" },
                    at,
                );
                assert.deepEqual(
                    envOf(container, "DB_USER").valueFrom.secretKeyRef,
                    { name: databaseSecretName(tenantSpec.name), key: "username" },
                    at,
                );
                assert.deepEqual(
                    envOf(container, "DB_PASSWORD").valueFrom.secretKeyRef,
                    { name: databaseSecretName(tenantSpec.name), key: "password" },
                    at,
                );
                assert.equal(envOf(container, "DB_HOST").value, settings.database.appHost, at);
                assert.equal(
                    envOf(container, "DB_PORT").value,
                    String(settings.database.appPort),
                    at,
                );
                assert.equal(
                    envOf(container, "TENANT_DB_NAME").value,
                    `tenant_${tenantSpec.name.replace(/-/g, "_")}`,
                    at,
                );
                assert.equal(envOf(container, "TENANT_SUBDOMAIN").value, tenantSpec.name, at);
                assert.deepEqual(
                    envOf(container, "ALLOWED_HOSTS").value.split(","),
                    [host, `${tenantSpec.name}-backend`],
                    at,
                );
            }
            const frontend = byKind(objects, "Deployment", `${tenantSpec.name}-frontend`).spec
                .template.spec.containers[0];
            assert.equal(envOf(frontend, "PUBLIC_URL").value, `https://${host}`);
            assert.equal(
                envOf(frontend, "BACKEND_INTERNAL_URL").value,
                `http://${tenantSpec.name}-backend:8000`,
            );
            const referenced = (
                JSON.stringify(objects).match(/"secretKeyRef":\{[^}]*\}/g) ?? []
            ).map(
                (text) =>
                    (JSON.parse(`{${text}}`) as { secretKeyRef: { name: string } }).secretKeyRef
                        .name,
            );
            assert.deepEqual(
                [...new Set(referenced)].sort(),
                [
                    ...(settings.core ? [coreSecretName(tenantSpec.name)] : []),
                    databaseSecretName(tenantSpec.name),
                ],
                title,
            );
        }
    });

    it("reads an adopted school's SECRET_KEY from its own Django secret and its credentials from its database secret", () => {
        const adopted = spec({ name: "riverside-high", plan: "small", adopt: ["sit"] });
        const testCase = caseOf("adopted", adopted, settingsOf("sit", [adopted]));
        const backend = byKind(
            render(testCase, requireTool("helm")),
            "Deployment",
            "riverside-high-backend",
        );
        for (const container of allContainers(backend)) {
            assert.deepEqual(
                ["SECRET_KEY", "DB_USER", "DB_PASSWORD"].map(
                    (variable) => envOf(container, variable).valueFrom.secretKeyRef,
                ),
                [
                    { name: djangoSecretName("riverside-high"), key: "secret-key" },
                    { name: databaseSecretName("riverside-high"), key: "username" },
                    { name: databaseSecretName("riverside-high"), key: "password" },
                ],
                container.name,
            );
            assert.equal(envOf(container, "TENANT_DB_NAME").value, "tenant_riverside-high");
        }
    });

    it("gives the backend the core's contract, secrets only from the tenant's core Secret, and the frontend the API's URL", () => {
        for (const { title, tenant: tenantSpec, settings, objects } of cases) {
            const backend = byKind(objects, "Deployment", `${tenantSpec.name}-backend`);
            for (const container of allContainers(backend)) {
                const at = `${title}: ${container.name}`;
                const core = settings.core;
                if (!core) {
                    assert.equal(envOf(container, "USE_REMOTE_MEDIA").value, "false", at);
                    assert.equal(envOf(container, "CORE_DB_HOST"), undefined, at);
                    continue;
                }
                const plain = (name: string) => envOf(container, name)?.value;
                const secretRef = (name: string) => envOf(container, name)?.valueFrom?.secretKeyRef;
                assert.equal(plain("CORE_DB_HOST"), core.database.host, at);
                assert.equal(plain("CORE_DB_PORT"), String(core.database.port), at);
                assert.equal(plain("CORE_DB_NAME"), core.database.name, at);
                assert.equal(plain("CORE_DB_USER"), core.database.user, at);
                assert.equal(
                    plain("CORE_BOOTSTRAP_READY_URL"),
                    `${core.url}/api/auth/tenant-bootstrap-ready/`,
                    at,
                );
                assert.equal(plain("TENANT_SCHOOL_ID"), tenantSpec.schoolId, at);
                assert.equal(plain("USE_REMOTE_MEDIA"), "true", at);
                assert.equal(plain("OBJECT_STORAGE_BUCKET"), core.objectStorage?.bucket, at);
                assert.equal(plain("OBJECT_STORAGE_REGION"), core.objectStorage?.region, at);
                assert.equal(plain("OBJECT_STORAGE_PREFIX"), `tenants/${tenantSpec.name}`, at);
                const secret = coreSecretName(tenantSpec.name);
                assert.deepEqual(
                    secretRef("CORE_DB_PASSWORD"),
                    { name: secret, key: "core-db-password" },
                    at,
                );
                assert.deepEqual(
                    secretRef("TENANT_BOOTSTRAP_SECRET"),
                    { name: secret, key: "bootstrap-secret" },
                    at,
                );
                assert.deepEqual(
                    secretRef("OBJECT_STORAGE_ACCESS_KEY_ID"),
                    { name: secret, key: "object-storage-access-key-id" },
                    at,
                );
                assert.deepEqual(
                    secretRef("OBJECT_STORAGE_SECRET_ACCESS_KEY"),
                    { name: secret, key: "object-storage-secret-access-key" },
                    at,
                );
                for (const name of [
                    "CORE_DB_PASSWORD",
                    "TENANT_BOOTSTRAP_SECRET",
                    "OBJECT_STORAGE_SECRET_ACCESS_KEY",
                ]) {
                    assert.equal(plain(name), undefined, `${at}: ${name} is never a value`);
                }
            }
            const frontend = byKind(objects, "Deployment", `${tenantSpec.name}-frontend`).spec
                .template.spec.containers[0];
            assert.equal(
                envOf(frontend, "NEXT_PUBLIC_API_BASE_URL").value,
                `http://${tenantSpec.name}-backend:8000/api`,
                title,
            );
        }
    });

    it("runs the plan's replicas while active and none while suspended or offboarding", () => {
        for (const { title, tenant: tenantSpec, objects } of cases) {
            const plan = PLANS[tenantSpec.plan].kubernetes;
            const running = tenantSpec.status === "active";
            assert.equal(
                byKind(objects, "Deployment", `${tenantSpec.name}-frontend`).spec.replicas,
                running ? plan.frontendReplicas : 0,
                title,
            );
            assert.equal(
                byKind(objects, "Deployment", `${tenantSpec.name}-backend`).spec.replicas,
                running ? plan.backendReplicas : 0,
                title,
            );
        }
    });

    it("runs every container as non-root, unprivileged, read-only, without capabilities or an API token", () => {
        for (const { title, objects } of cases) {
            for (const deployment of objects.filter((object) => object.kind === "Deployment")) {
                const pod = deployment.spec.template.spec;
                assert.equal(
                    pod.automountServiceAccountToken,
                    false,
                    `${title}: ${deployment.metadata.name}`,
                );
                assert.equal(pod.securityContext.runAsNonRoot, true);
                assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
                const tmp = pod.volumes.find((volume: any) => volume.name === "tmp");
                assert.ok(
                    tmp?.emptyDir,
                    `${title}: ${deployment.metadata.name} has an emptyDir for /tmp`,
                );
                for (const container of allContainers(deployment)) {
                    const at = `${title}: ${deployment.metadata.name}/${container.name}`;
                    const context = container.securityContext;
                    assert.equal(context.runAsNonRoot, true, at);
                    assert.ok(Number.isInteger(context.runAsUser) && context.runAsUser > 0, at);
                    assert.equal(context.allowPrivilegeEscalation, false, at);
                    assert.equal(context.privileged, false, at);
                    assert.equal(context.readOnlyRootFilesystem, true, at);
                    assert.deepEqual(context.capabilities, { drop: ["ALL"] }, at);
                    assert.deepEqual(context.seccompProfile, { type: "RuntimeDefault" }, at);
                    assert.ok(
                        container.volumeMounts.some(
                            (mount: any) => mount.name === "tmp" && mount.mountPath === "/tmp",
                        ),
                        at,
                    );
                }
            }
        }
    });

    it("gives every container the plan's CPU and memory, within the namespace's LimitRange, and its component's local disk", () => {
        for (const { title, tenant: tenantSpec, objects } of cases) {
            const [limitRange] = limitRangeSpec(PLANS[tenantSpec.plan].kubernetes).limits as any[];
            for (const deployment of objects.filter((object) => object.kind === "Deployment")) {
                const disk = CHART_DEFAULTS[componentOf(deployment)].ephemeralStorage;
                for (const container of allContainers(deployment)) {
                    assert.deepEqual(
                        container.resources,
                        {
                            requests: {
                                ...limitRange.defaultRequest,
                                "ephemeral-storage": disk.request,
                            },
                            limits: { ...limitRange.max, "ephemeral-storage": disk.limit },
                        },
                        `${title}: ${container.name}`,
                    );
                }
            }
        }
    });

    it("gives every pod the local disk its emptyDirs (at their size limit) and its containers' logs can take", () => {
        for (const { title, objects } of cases) {
            for (const deployment of objects.filter((object) => object.kind === "Deployment")) {
                const pod = deployment.spec.template.spec;
                const at = `${title}: ${deployment.metadata.name}`;
                const disk = (container: any, bound: "requests" | "limits") =>
                    mebibytes(container.resources[bound]["ephemeral-storage"]);
                for (const container of allContainers(deployment))
                    assert.ok(disk(container, "requests") <= disk(container, "limits"), at);
                // The kubelet evicts a pod whose emptyDirs and logs outgrow this (init containers run one at a time, before the others).
                const podLimit = Math.max(
                    ...(pod.initContainers ?? []).map((container: any) =>
                        disk(container, "limits"),
                    ),
                    pod.containers.reduce(
                        (sum: number, container: any) => sum + disk(container, "limits"),
                        0,
                    ),
                );
                const emptyDirs = pod.volumes
                    .filter((volume: any) => volume.emptyDir)
                    .reduce(
                        (sum: number, volume: any) => sum + mebibytes(volume.emptyDir.sizeLimit),
                        0,
                    );
                assert.ok(
                    emptyDirs + CONTAINER_LOGS_MIB * allContainers(deployment).length <= podLimit,
                    `${at}: ${podLimit}Mi of local disk cannot hold its emptyDirs (${emptyDirs}Mi) and its containers' logs`,
                );
            }
        }
    });

    it("pulls every image on each pod start (imagePullPolicy Always), as the chart does by default", () => {
        const defaults = renderRelease(
            { name: "school1", namespace: "school1", chartPath: CHART, values: {} },
            requireTool("helm"),
        );
        const defaultObjects = (yaml.loadAll(defaults) as K8sObject[]).filter(
            (object) => object?.kind === "Deployment",
        );
        assert.equal(defaultObjects.length, 2);
        for (const { title, objects } of [
            ...cases,
            { title: "chart defaults", objects: defaultObjects },
        ]) {
            for (const deployment of objects.filter((object) => object.kind === "Deployment")) {
                for (const container of allContainers(deployment)) {
                    assert.equal(
                        container.imagePullPolicy,
                        "Always",
                        `${title}: ${deployment.metadata.name}/${container.name}`,
                    );
                }
            }
        }
    });

    it("checks liveness with a slower TCP connect, never with the readiness request", () => {
        for (const { title, objects } of cases) {
            for (const deployment of objects.filter((object) => object.kind === "Deployment")) {
                const component = componentOf(deployment);
                const [container] = deployment.spec.template.spec.containers;
                const at = `${title}: ${deployment.metadata.name}`;
                assert.equal(
                    container.readinessProbe.httpGet.path,
                    CHART_DEFAULTS[component].probePath,
                    at,
                );
                assert.equal(container.readinessProbe.httpGet.port, "http", at);
                assert.deepEqual(
                    container.livenessProbe,
                    {
                        tcpSocket: { port: "http" },
                        timeoutSeconds: 5,
                        ...CHART_DEFAULTS[component].livenessProbe,
                    },
                    at,
                );
                assert.ok(
                    container.livenessProbe.periodSeconds > container.readinessProbe.periodSeconds,
                    at,
                );
                for (const init of deployment.spec.template.spec.initContainers ?? [])
                    assert.equal(init.livenessProbe ?? init.readinessProbe, undefined, at);
            }
        }
    });

    it("prefers a node without another pod of the component when it has several pods, and says nothing otherwise", () => {
        for (const { title, values, objects } of cases) {
            for (const deployment of objects.filter((object) => object.kind === "Deployment")) {
                const expected =
                    values[componentOf(deployment)].replicas > 1
                        ? {
                              podAntiAffinity: {
                                  preferredDuringSchedulingIgnoredDuringExecution: [
                                      {
                                          weight: 100,
                                          podAffinityTerm: {
                                              topologyKey: "kubernetes.io/hostname",
                                              labelSelector: {
                                                  matchLabels: deployment.spec.selector.matchLabels,
                                              },
                                          },
                                      },
                                  ],
                              },
                          }
                        : undefined;
                assert.deepEqual(
                    deployment.spec.template.spec.affinity,
                    expected,
                    `${title}: ${deployment.metadata.name}`,
                );
            }
        }
        assert.ok(
            cases.some(({ values }) => values.backend.replicas > 1) &&
                cases.some(({ values }) => values.backend.replicas === 1),
        );
    });

    it("pulls with the registry secret only when the stack has registry credentials", () => {
        for (const { title, tenant: tenantSpec, settings, objects } of cases) {
            const expected = settings.kubernetes?.registry
                ? [{ name: imagePullSecretName(tenantSpec.name) }]
                : undefined;
            for (const deployment of objects.filter((object) => object.kind === "Deployment")) {
                assert.deepEqual(
                    deployment.spec.template.spec.imagePullSecrets,
                    expected,
                    `${title}: ${deployment.metadata.name}`,
                );
            }
        }
        assert.ok(
            cases.some((testCase) => testCase.settings.kubernetes?.registry),
            "some case has a registry",
        );
    });

    describe("values.schema.json", () => {
        const valid = () => {
            const settings = settingsOf("sit", [spec({ name: "school1" })]);
            return tenantChartValues(
                spec({ name: "school1" }),
                settings,
                settings.kubernetes!,
                "school1.sit.aims.example.org",
            );
        };

        it("fails helm template on a replica count that is not a number", () => {
            startMocks("sit");
            const values = { ...valid(), backend: { ...valid().backend, replicas: "two" } };
            assert.throws(
                () =>
                    renderRelease(
                        { name: "school1", namespace: "school1", chartPath: CHART, values },
                        requireTool("helm"),
                    ),
                /helm template school1 charts\/tenant failed: .*\/backend\/replicas': got string, want integer/s,
            );
        });

        it("fails helm template on an unknown pull policy, a disk size in other units, or a liveness period of zero", () => {
            startMocks("sit");
            const frontend = valid().frontend;
            const render = (overrides: object) => () =>
                renderRelease(
                    {
                        name: "school1",
                        namespace: "school1",
                        chartPath: CHART,
                        values: { ...valid(), frontend: { ...frontend, ...overrides } },
                    },
                    requireTool("helm"),
                );
            assert.throws(
                render({ image: { ...frontend.image, pullPolicy: "Sometimes" } }),
                /\/frontend\/image\/pullPolicy/,
            );
            assert.throws(
                render({ ephemeralStorage: { request: "1GB", limit: "1Gi" } }),
                /\/frontend\/ephemeralStorage\/request/,
            );
            assert.throws(
                render({ livenessProbe: { periodSeconds: 0 } }),
                /\/frontend\/livenessProbe\/periodSeconds/,
            );
        });

        it("renders an adopted school's database name, hyphen included, and refuses one that is not a PostgreSQL name", () => {
            startMocks("sit");
            const withDatabase = (name: string) => () =>
                renderRelease(
                    {
                        name: "school1",
                        namespace: "school1",
                        chartPath: CHART,
                        values: { ...valid(), database: { ...valid().database, name } },
                    },
                    requireTool("helm"),
                );
            assert.doesNotThrow(withDatabase("tenant_riverside-high"));
            for (const bad of ["Tenant", "tenant name", "tenant;drop", "1tenant"])
                assert.throws(withDatabase(bad), /\/database\/name/, bad);
        });

        it("fails helm template on an unknown value", () => {
            startMocks("sit");
            const values = { ...valid(), frontend: { ...valid().frontend, replica: 2 } };
            assert.throws(
                () =>
                    renderRelease(
                        { name: "school1", namespace: "school1", chartPath: CHART, values },
                        requireTool("helm"),
                    ),
                /additional properties 'replica' not allowed/,
            );
        });
    });
});

describe("helm-template", () => {
    it("says what failed when helm cannot run", () => {
        assert.throws(
            () =>
                renderRelease(
                    { name: "x", namespace: "x", chartPath: CHART, values: {} },
                    "/nonexistent/helm",
                ),
            /helm template x charts\/tenant failed: .*ENOENT/,
        );
    });
});

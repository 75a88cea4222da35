import { strict as assert } from "node:assert";
import { CONTAINERS } from "../components/vocabulary/app-contract";
import {
    containerDefinitions,
    ContainerValues,
    secretKeyReference,
} from "../components/aws/containers";
import { desiredCount } from "../components/aws/ecs-service";
import { hashedListenerPriority } from "../components/stack/aws-priority";
import { recoveryWindowInDays } from "../components/aws/secrets";
import { TenantService, TenantServiceArgs } from "../components/aws/service";
import * as naming from "../components/vocabulary/naming";
import type { TenantSpec } from "../components/tenant-files/registry";
import { Tenant } from "../components/tenant";
import { TENANT_TYPE } from "../components/vocabulary/type-tokens";
import { ENVIRONMENTS } from "../components/vocabulary/words";
import { iamWildcardViolations } from "../policy/iam";
import {
    AWS,
    awsSpec,
    childrenOf,
    container,
    containerDefinitionsOf,
    deployAws,
    secretArnOf,
    taskPolicyOf,
} from "./support/aws";
import {
    reveal,
    Secret,
    settingsOf,
    spec,
    stackConfig,
    startMocks,
    valueOf,
} from "./support/mocks";

const DEV_LISTENER =
    "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/aims-dev/50dc6c495c0c9181/f2f7dc8efc522ab1";
const DEV_FILE_SYSTEM = "fs-0d1e5a7b3c9ff1a1b";
const devAws = JSON.parse(stackConfig("dev").config["aims:aws"]);

/** Every custom resource the TenantService of tenant `t` creates, as `type name`. */
const expectedChildren = (t: string) =>
    [
        `${AWS.logGroup} ${t}-logs`,
        `${AWS.ecsService} ${t}-service`,
        `${AWS.taskDefinition} ${t}-task`,
        `${AWS.accessPoint} ${t}-media`,
        `${AWS.role} ${t}-task-role`,
        `${AWS.rolePolicy} ${t}-task-policy`,
        `${AWS.listenerRule} ${t}-api-rule`,
        `${AWS.listenerRule} ${t}-web-rule`,
        `${AWS.targetGroup} ${t}-api`,
        `${AWS.targetGroup} ${t}-web`,
        `${AWS.secret} ${t}-db-credentials`,
        `${AWS.secret} ${t}-core`,
        `${AWS.secretVersion} ${t}-db-credentials-value`,
        `${AWS.secretVersion} ${t}-core-value`,
    ].sort();

describe("AWS tenant (TenantService)", () => {
    describe("resources and wiring", () => {
        it("creates exactly its fourteen resources as children of one TenantService under the Tenant", async () => {
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            const tenant = mocks.get(TENANT_TYPE, "greenfield");
            const service = mocks.get(AWS.service, "greenfield");
            assert.equal(service.parent, tenant.urn);
            assert.deepEqual(childrenOf(mocks, service), expectedChildren("greenfield"));
            // Nothing AWS outside the component: the Tenant's own children are the shared pieces.
            assert.deepEqual(
                mocks
                    .descendantsOf(tenant)
                    .filter((r) => r.type.startsWith("aws:") && r.parent !== service.urn),
                [],
            );
        });

        it("gives each tenant its own set, and a Kubernetes tenant none", async () => {
            const { mocks } = await deployAws("dev", [
                awsSpec({ name: "greenfield" }),
                awsSpec({ name: "hillcrest" }),
                spec({ name: "school1", platform: "kubernetes" }),
            ]);
            for (const type of [AWS.secret, AWS.secretVersion])
                assert.equal(mocks.ofType(type).length, 4, type);
            for (const type of [AWS.targetGroup, AWS.listenerRule])
                assert.equal(mocks.ofType(type).length, 4, type);
            for (const type of [
                AWS.accessPoint,
                AWS.logGroup,
                AWS.role,
                AWS.rolePolicy,
                AWS.taskDefinition,
                AWS.ecsService,
                AWS.service,
            ])
                assert.equal(mocks.ofType(type).length, 2, type);
            assert.deepEqual(
                childrenOf(mocks, mocks.get(AWS.service, "hillcrest")),
                expectedChildren("hillcrest"),
            );
            const school1 = mocks.get(TENANT_TYPE, "school1");
            assert.deepEqual(
                mocks.descendantsOf(school1).filter((r) => r.type.startsWith("aws:")),
                [],
            );
        });

        it("refuses a tenant whose shard or aws block the settings lack, naming the files", () => {
            startMocks("dev");
            const settings = settingsOf("dev", []);
            const args = (s: TenantSpec) =>
                ({
                    tenant: s,
                    settings,
                    aws: settings.aws,
                    host: "x.example.org",
                    secretKey: "k",
                    database: { databaseName: "d", roleName: "r", password: "p" },
                    protection: { protect: false, retainOnDelete: false },
                }) as unknown as TenantServiceArgs;
            assert.throws(
                () => new TenantService("x", args(awsSpec({ name: "x", aws: { shard: 4 } }))),
                /^Error: tenants\/x\.yaml: aws\.shard: there is no shard 4 in aims:aws\.listeners$/,
            );
            // The settings refuse such a stack first; the Tenant checks the block once, for its platform part.
            const { aws: _aws, ...withoutAws } = settings;
            assert.throws(
                () => new Tenant("y", { tenant: awsSpec({ name: "y" }), settings: withoutAws }),
                /^Error: tenants\/y\.yaml: runs on aws but Pulumi\.dev\.yaml has no aims:aws block$/,
            );
        });

        it("exposes the ECS service name as a Tenant output", async () => {
            const { tenants } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            assert.ok(tenants[0].serviceName);
            assert.equal(await valueOf(tenants[0].serviceName!), "greenfield");
            assert.equal(tenants[0].namespace, undefined);
        });
    });

    describe("region and provider per stack", () => {
        for (const [stack, region, account] of [
            ["dev", "eu-west-1", "111111111111"],
            ["sit", "eu-west-1", "111111111111"],
            ["prod", "af-south-1", "222222222222"],
        ]) {
            it(`creates every AWS resource of ${stack} through the stack's provider in ${region}`, async () => {
                const { mocks } = await deployAws(stack, [awsSpec({ name: "greenfield" })]);
                const providers = mocks.ofType(AWS.provider);
                assert.deepEqual(
                    providers.map((p) => p.name),
                    ["aws"],
                );
                assert.equal(providers[0].inputs.region, region);
                assert.deepEqual(JSON.parse(providers[0].inputs.allowedAccountIds), [account]);
                const awsResources = mocks.resources.filter((r) => r.type.startsWith("aws:"));
                assert.equal(awsResources.length, 14);
                for (const resource of awsResources)
                    assert.ok(
                        resource.provider?.startsWith(`${providers[0].urn}::`),
                        `${resource.name}: ${resource.provider}`,
                    );
                const definitions = containerDefinitionsOf(mocks, "greenfield");
                assert.ok(
                    definitions.every(
                        (d) => d.logConfiguration.options["awslogs-region"] === region,
                    ),
                );
                assert.match(
                    secretArnOf(mocks, "greenfield", "db-credentials"),
                    new RegExp(
                        `^arn:aws:secretsmanager:${region}:${account}:secret:${stack}-greenfield-db-credentials-`,
                    ),
                );
            });
        }
    });

    describe("names", () => {
        it("derives every AWS name from the environment and the tenant name", async () => {
            const { mocks } = await deployAws("sit", [awsSpec({ name: "riverside-high" })]);
            const name = (type: string, resource: string) => mocks.get(type, resource).inputs.name;
            assert.equal(
                name(AWS.secret, "riverside-high-db-credentials"),
                "sit-riverside-high-db-credentials",
            );
            assert.equal(name(AWS.secret, "riverside-high-core"), "sit-riverside-high-core");
            assert.equal(name(AWS.role, "riverside-high-task-role"), "sit-riverside-high-task");
            assert.equal(name(AWS.logGroup, "riverside-high-logs"), "/ecs/sit-riverside-high");
            assert.equal(name(AWS.targetGroup, "riverside-high-api"), "sit-riverside-high-api");
            assert.equal(name(AWS.targetGroup, "riverside-high-web"), "sit-riverside-high-web");
            assert.equal(name(AWS.ecsService, "riverside-high-service"), "riverside-high");
            assert.equal(
                mocks.get(AWS.taskDefinition, "riverside-high-task").inputs.family,
                "sit-riverside-high",
            );
        });

        it("keeps every name within its AWS limit for the longest valid tenant name, in every environment", async () => {
            const longest = "a".repeat(naming.MAX_TENANT_NAME_LENGTH);
            for (const env of ENVIRONMENTS) {
                for (const role of ["web", "api"] as const) {
                    const group = naming.targetGroupName(env, longest, role);
                    assert.ok(
                        group.length <= 32 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(group),
                        group,
                    );
                }
                assert.ok(naming.taskRoleName(env, longest).length <= 64);
                assert.ok(naming.dbCredentialsSecretName(env, longest).length <= 512);
                assert.ok(naming.logGroupName(env, longest).length <= 512);
                assert.ok(naming.taskFamilyName(env, longest).length <= 255);
                assert.ok(naming.ecsServiceName(longest).length <= 255);
            }
            const { mocks } = await deployAws("prod", [awsSpec({ name: longest })]);
            for (const group of mocks.ofType(AWS.targetGroup))
                assert.ok(group.inputs.name.length <= 32, group.inputs.name);
            assert.equal(
                mocks.get(AWS.role, `${longest}-task-role`).inputs.name.length,
                5 + naming.MAX_TENANT_NAME_LENGTH + 5,
            );
        });

        it("gives two long names sharing a prefix four distinct, deterministic target group names", () => {
            const north = "the-international-school-of-cape-town-north";
            const south = "the-international-school-of-cape-town-south";
            const names = [north, south].flatMap((t) => [
                naming.targetGroupName("prod", t, "web"),
                naming.targetGroupName("prod", t, "api"),
            ]);
            assert.equal(new Set(names).size, 4, names.join(" "));
            assert.ok(
                names.every((n) => n.length <= 32 && n.startsWith("prod-the-international-sc")),
                names.join(" "),
            );
            assert.equal(naming.targetGroupName("prod", north, "api"), names[1]);
        });

        it("ends the role after the tenant, so tenant a's api group is not tenant a-api's", () => {
            assert.equal(naming.targetGroupName("dev", "a", "api"), "dev-a-api");
            assert.equal(naming.targetGroupName("dev", "a-api", "web"), "dev-a-api-web");
            assert.notEqual(
                naming.targetGroupName("dev", "a", "api"),
                naming.targetGroupName("dev", "a-api", "web"),
            );
        });
    });

    describe("secrets", () => {
        it("stores the tenant role's credentials and the Tenant's SECRET_KEY as JSON, secret, with the AWS database host and port", async () => {
            const { mocks, tenants } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            const version = mocks.get(AWS.secretVersion, "greenfield-db-credentials-value");
            assert.ok(version.inputs.secretString instanceof Secret);
            assert.deepEqual(JSON.parse(reveal(version.inputs.secretString)), {
                username: "tenant_greenfield",
                password: await valueOf(tenants[0].databasePassword),
                host: "aims-dev.cluster-c1a2b3.eu-west-1.rds.amazonaws.com",
                port: 5432,
                database: "tenant_greenfield",
                secret_key: await valueOf(tenants[0].secretKey),
            });
            assert.equal(
                mocks.get(AWS.secret, "greenfield-db-credentials").inputs.description,
                "PostgreSQL credentials and Django SECRET_KEY of tenant greenfield",
            );
            assert.equal(
                version.inputs.secretId,
                secretArnOf(mocks, "greenfield", "db-credentials"),
            );
        });

        it("falls back to the admin host of aims:database, and takes aims:aws.databasePort when set", async () => {
            const { databaseHost: _host, ...withoutHost } = devAws;
            const database = JSON.parse(stackConfig("dev").config["aims:database"]);
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })], {
                "aims:aws": { ...withoutHost, databasePort: 6543 },
                "aims:database": { ...database, host: "admin.db.example.org" },
            });
            const credentials = JSON.parse(
                reveal(
                    mocks.get(AWS.secretVersion, "greenfield-db-credentials-value").inputs
                        .secretString,
                ),
            );
            assert.equal(credentials.host, "admin.db.example.org");
            assert.equal(credentials.port, 6543);
            const backend = container(
                containerDefinitionsOf(mocks, "greenfield"),
                CONTAINERS.backend,
            );
            assert.deepEqual(
                backend.environment.filter((e) => e.name.startsWith("DB_")),
                [
                    { name: "DB_HOST", value: "admin.db.example.org" },
                    { name: "DB_PORT", value: "6543" },
                ],
            );
        });

        it("keeps SECRET_KEY in no secret of its own: two secrets per tenant with a core, one without", async () => {
            const withCore = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            assert.deepEqual(
                withCore.mocks.ofType(AWS.secret).map((secret) => secret.inputs.name),
                ["dev-greenfield-db-credentials", "dev-greenfield-core"],
            );
            const withoutCore = await deployAws("dev", [awsSpec({ name: "greenfield" })], {
                "aims:core": undefined,
            });
            assert.deepEqual(
                withoutCore.mocks.ofType(AWS.secretVersion).map((version) => version.name),
                ["greenfield-db-credentials-value"],
            );
            const secretKey = await valueOf(withoutCore.tenants[0].secretKey);
            const holding = withoutCore.mocks
                .ofType(AWS.secretVersion)
                .filter((version) => reveal(version.inputs.secretString).includes(secretKey));
            assert.deepEqual(
                holding.map((version) => version.name),
                ["greenfield-db-credentials-value"],
            );
        });

        it("lets a deleted secret go at once outside prod and keeps it 30 days where data is protected", async () => {
            const dev = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            for (const secret of dev.mocks.ofType(AWS.secret))
                assert.equal(secret.inputs.recoveryWindowInDays, 0);
            const prod = await deployAws("prod", [awsSpec({ name: "greenfield" })]);
            for (const secret of prod.mocks.ofType(AWS.secret))
                assert.equal(secret.inputs.recoveryWindowInDays, 30);
            assert.equal(recoveryWindowInDays({ protectData: true }), 30);
            assert.equal(recoveryWindowInDays({ protectData: false }), 0);
        });
    });

    describe("containers", () => {
        it("runs migrate, then bootstrap, then Django, and Next.js, with the images of the stack or the tenant's tag", async () => {
            const { mocks } = await deployAws("sit", [
                awsSpec({ name: "greenfield" }),
                awsSpec({ name: "riverside-high", image: { tag: "2.3.1" } }),
            ]);
            const definitions = containerDefinitionsOf(mocks, "greenfield");
            assert.deepEqual(
                definitions.map((d) => [d.name, d.essential, d.dependsOn ?? []]),
                [
                    ["migrate", false, []],
                    ["bootstrap", false, [{ containerName: "migrate", condition: "SUCCESS" }]],
                    [
                        "bootstrap-ready",
                        false,
                        [{ containerName: "bootstrap", condition: "SUCCESS" }],
                    ],
                    ["backend", true, [{ containerName: "bootstrap-ready", condition: "SUCCESS" }]],
                    ["frontend", true, []],
                ],
            );
            assert.deepEqual(container(definitions, "migrate").command, [
                "python",
                "manage.py",
                "migrate",
                "--noinput",
            ]);
            assert.deepEqual(container(definitions, "bootstrap").command, [
                "python",
                "manage.py",
                "bootstrap_tenant",
            ]);
            assert.equal(
                container(definitions, "backend").image,
                "registry.example.org/aims/backend:2.4.0",
            );
            assert.equal(
                container(definitions, "frontend").image,
                "registry.example.org/aims/frontend:2.4.0",
            );
            const pinned = containerDefinitionsOf(mocks, "riverside-high");
            assert.deepEqual(
                pinned.map((d) => d.image),
                ["backend", "backend", "backend", "backend", "frontend"].map(
                    (app) => `registry.example.org/aims/${app}:2.3.1`,
                ),
            );
            assert.deepEqual(
                container(definitions, "backend").portMappings.map((p) => p.containerPort),
                [8000],
            );
            assert.deepEqual(
                container(definitions, "frontend").portMappings.map((p) => p.containerPort),
                [3000],
            );
        });

        it("gives them the Kubernetes environment, with the tenant's host and database", async () => {
            const { mocks } = await deployAws("sit", [
                awsSpec({ name: "riverside-high", domain: "portal.riverside-high.example.org" }),
            ]);
            const definitions = containerDefinitionsOf(mocks, "riverside-high");
            const backendEnvironment = [
                { name: "TENANT_SUBDOMAIN", value: "riverside-high" },
                { name: "ALLOWED_HOSTS", value: "portal.riverside-high.example.org,localhost" },
                {
                    name: "CSRF_TRUSTED_ORIGINS",
                    value: "https://portal.riverside-high.example.org",
                },
                { name: "DB_HOST", value: "aims-sit.cluster-c1a2b3.eu-west-1.rds.amazonaws.com" },
                { name: "DB_PORT", value: "5432" },
                { name: "TENANT_DB_NAME", value: "tenant_riverside_high" },
                { name: "HOME", value: "/tmp" },
                { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
                { name: "CORE_DB_HOST", value: "aimsgodb.database.svc.cluster.local" },
                { name: "CORE_DB_PORT", value: "5432" },
                { name: "CORE_DB_NAME", value: "aimsgodb" },
                { name: "CORE_DB_USER", value: "aims_tenant" },
                {
                    name: "CORE_BOOTSTRAP_READY_URL",
                    value: "https://core.sit.aims.example.org/api/auth/tenant-bootstrap-ready/",
                },
                { name: "TENANT_SCHOOL_ID", value: "1001" },
                { name: "USE_REMOTE_MEDIA", value: "true" },
                { name: "OBJECT_STORAGE_BUCKET", value: "aims-sit-media" },
                { name: "OBJECT_STORAGE_REGION", value: "eu-west-1" },
                { name: "OBJECT_STORAGE_PREFIX", value: "tenants/riverside-high" },
            ];
            for (const name of ["migrate", "bootstrap", "backend"])
                assert.deepEqual(
                    container(definitions, name).environment,
                    backendEnvironment,
                    name,
                );
            assert.deepEqual(container(definitions, "bootstrap-ready").environment, [
                ...backendEnvironment,
                { name: "BOOTSTRAP_READY_ATTEMPTS", value: "8" },
                { name: "BOOTSTRAP_READY_DEADLINE_SECONDS", value: "300" },
            ]);
            assert.deepEqual(container(definitions, "bootstrap-ready").command?.slice(0, 2), [
                "python",
                "-c",
            ]);
            assert.deepEqual(container(definitions, "frontend").environment, [
                { name: "TENANT_SUBDOMAIN", value: "riverside-high" },
                { name: "PUBLIC_URL", value: "https://portal.riverside-high.example.org" },
                { name: "BACKEND_INTERNAL_URL", value: "http://localhost:8000" },
                { name: "NEXT_PUBLIC_API_BASE_URL", value: "/api" },
                { name: "PORT", value: "3000" },
                { name: "HOSTNAME", value: "0.0.0.0" },
                { name: "NEXT_TELEMETRY_DISABLED", value: "1" },
            ]);
        });

        it("injects the secrets as Secrets Manager ARNs of the tenant's own secrets, never as values", async () => {
            const { mocks, tenants } = await deployAws("dev", [
                awsSpec({ name: "greenfield" }),
                awsSpec({ name: "hillcrest" }),
            ]);
            const credentials = secretArnOf(mocks, "greenfield", "db-credentials");
            const definitions = containerDefinitionsOf(mocks, "greenfield");
            const core = secretArnOf(mocks, "greenfield", "core");
            for (const name of ["migrate", "bootstrap", "bootstrap-ready", "backend"]) {
                assert.deepEqual(
                    container(definitions, name).secrets,
                    [
                        { name: "DB_USER", valueFrom: `${credentials}:username::` },
                        { name: "DB_PASSWORD", valueFrom: `${credentials}:password::` },
                        { name: "SECRET_KEY", valueFrom: `${credentials}:secret_key::` },
                        // Media in AWS S3: the task role, not access keys.
                        { name: "CORE_DB_PASSWORD", valueFrom: `${core}:core-db-password::` },
                        {
                            name: "TENANT_BOOTSTRAP_SECRET",
                            valueFrom: `${core}:bootstrap-secret::`,
                        },
                    ],
                    name,
                );
            }
            assert.deepEqual(container(definitions, "frontend").secrets, []);
            // The definitions are a plain string input (they render in synth) holding no secret value at all.
            const text = mocks.get(AWS.taskDefinition, "greenfield-task").inputs
                .containerDefinitions;
            assert.equal(typeof text, "string");
            for (const tenant of tenants) {
                for (const secret of [
                    await valueOf(tenant.secretKey),
                    await valueOf(tenant.databasePassword),
                ]) {
                    assert.ok(secret.length >= 32);
                    assert.ok(
                        !text.includes(secret),
                        "a secret value is part of the container definitions",
                    );
                }
            }
            const environmentNames = definitions.flatMap((d) => d.environment.map((e) => e.name));
            assert.deepEqual(
                environmentNames.filter((n) => /SECRET|PASSWORD|TOKEN|KEY|CREDENTIAL/.test(n)),
                [],
            );
            assert.ok(
                !text.includes(
                    secretArnOf(mocks, "hillcrest", "db-credentials").split(":secret:")[1],
                ),
                "refers to another tenant's secret",
            );
        });

        it("runs every container as the non-root app user, unprivileged, on a read-only root filesystem", async () => {
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            for (const definition of containerDefinitionsOf(mocks, "greenfield")) {
                assert.equal(definition.user, "10001:10001", definition.name);
                assert.equal(definition.readonlyRootFilesystem, true);
                assert.equal(definition.privileged, false);
                assert.deepEqual(definition.linuxParameters.capabilities.drop, ["ALL"]);
                assert.deepEqual(definition.logConfiguration, {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": "/ecs/dev-greenfield",
                        "awslogs-region": "eu-west-1",
                        "awslogs-stream-prefix": definition.name,
                    },
                });
                assert.ok(
                    definition.mountPoints.some(
                        (m) => m.containerPath === "/tmp" && m.sourceVolume === "tmp",
                    ),
                    definition.name,
                );
            }
        });

        it("builds the same definitions from resolved values alone (the exported pure function)", () => {
            const values: ContainerValues = {
                tenant: "a",
                host: "a.example.org",
                frontendImage: "f:1",
                backendImage: "b:1",
                database: { host: "db.example.org", port: 5432, name: "tenant_a" },
                databaseCredentialsArn:
                    "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev-a-db-credentials-AbCdEf",
                logGroup: "/ecs/dev-a",
                region: "eu-west-1",
            };
            const definitions = containerDefinitions(values);
            assert.deepEqual(
                definitions.map((d) => d.name),
                ["migrate", "bootstrap", "backend", "frontend"],
            );
            assert.equal(
                secretKeyReference(values.databaseCredentialsArn, "password"),
                `${values.databaseCredentialsArn}:password::`,
            );
            assert.deepEqual(container(definitions, "backend").mountPoints, [
                { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
                { sourceVolume: "media", containerPath: "/app/media", readOnly: false },
            ]);
        });
    });

    describe("task definition", () => {
        it("is a Fargate task of the plan's size with the tenant's role and the shared execution role", async () => {
            const { mocks } = await deployAws("dev", [
                awsSpec({ name: "greenfield", plan: "small" }),
                awsSpec({ name: "hillcrest", plan: "large" }),
            ]);
            const small = mocks.get(AWS.taskDefinition, "greenfield-task").inputs;
            assert.deepEqual([small.cpu, small.memory], ["512", "1024"]);
            assert.deepEqual(
                [
                    mocks.get(AWS.taskDefinition, "hillcrest-task").inputs.cpu,
                    mocks.get(AWS.taskDefinition, "hillcrest-task").inputs.memory,
                ],
                ["2048", "4096"],
            );
            assert.deepEqual(small.requiresCompatibilities, ["FARGATE"]);
            assert.equal(small.networkMode, "awsvpc");
            assert.deepEqual(small.runtimePlatform, {
                operatingSystemFamily: "LINUX",
                cpuArchitecture: "X86_64",
            });
            assert.equal(
                small.executionRoleArn,
                "arn:aws:iam::111111111111:role/aims-dev-ecs-execution",
            );
            assert.equal(small.taskRoleArn, "arn:aws:iam::111111111111:role/dev-greenfield-task");
        });

        it("mounts the tenant's EFS access point with transit encryption and IAM authorisation", async () => {
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            const volumes = mocks.get(AWS.taskDefinition, "greenfield-task").inputs.volumes;
            const accessPointArn = taskPolicyOf(mocks, "greenfield").Statement[1].Condition!
                .StringEquals["elasticfilesystem:AccessPointArn"];
            const accessPointId = accessPointArn.split("/").pop();
            assert.match(accessPointId!, /^fsap-[0-9a-f]{17}$/);
            assert.deepEqual(volumes, [
                {
                    name: "media",
                    efsVolumeConfiguration: {
                        fileSystemId: DEV_FILE_SYSTEM,
                        transitEncryption: "ENABLED",
                        authorizationConfig: { accessPointId, iam: "ENABLED" },
                    },
                },
                { name: "tmp" },
                { name: "next-cache" },
            ]);
        });
    });

    describe("EFS access point", () => {
        it("roots the tenant at /tenants/<name>, created 0755 for the app user, whom it enforces", async () => {
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            assert.deepEqual(mocks.get(AWS.accessPoint, "greenfield-media").inputs, {
                fileSystemId: DEV_FILE_SYSTEM,
                posixUser: { uid: 10001, gid: 10001 },
                rootDirectory: {
                    path: "/tenants/greenfield",
                    creationInfo: { ownerUid: 10001, ownerGid: 10001, permissions: "0755" },
                },
                tags: {
                    "aims:tenant": "greenfield",
                    "aims:status": "active",
                    "aims:data-retained": "false",
                },
            });
        });
    });

    describe("log group", () => {
        it("is /ecs/<env>-<name> with the stack's retention", async () => {
            const dev = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            assert.deepEqual(
                [
                    dev.mocks.get(AWS.logGroup, "greenfield-logs").inputs.name,
                    dev.mocks.get(AWS.logGroup, "greenfield-logs").inputs.retentionInDays,
                ],
                ["/ecs/dev-greenfield", 14],
            );
            const prod = await deployAws("prod", [awsSpec({ name: "greenfield" })]);
            assert.equal(
                prod.mocks.get(AWS.logGroup, "greenfield-logs").inputs.retentionInDays,
                365,
            );
        });

        it("is retained on delete in prod, offboarding or not, so that removing or moving the tenant keeps its logs", async () => {
            for (const status of ["active", "offboarding"] as const) {
                const prod = await deployAws("prod", [awsSpec({ name: "greenfield", status })]);
                assert.equal(
                    prod.mocks.get(AWS.logGroup, "greenfield-logs").retainOnDelete,
                    true,
                    status,
                );
            }
            const dev = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            assert.equal(dev.mocks.get(AWS.logGroup, "greenfield-logs").retainOnDelete, false);
        });
    });

    describe("IAM", () => {
        it("lets only ECS tasks of the stack's account and region assume the task role", async () => {
            const { mocks } = await deployAws("prod", [awsSpec({ name: "greenfield" })]);
            assert.deepEqual(
                JSON.parse(mocks.get(AWS.role, "greenfield-task-role").inputs.assumeRolePolicy),
                {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "ecs-tasks.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: {
                                StringEquals: { "aws:SourceAccount": "222222222222" },
                                ArnLike: {
                                    "aws:SourceArn": "arn:aws:ecs:af-south-1:222222222222:*",
                                },
                            },
                        },
                    ],
                },
            );
        });

        it("allows reading exactly its two secrets, mounting the file system through its own access point, and its own media prefix only", async () => {
            const { mocks } = await deployAws("dev", [
                awsSpec({ name: "greenfield" }),
                awsSpec({ name: "hillcrest" }),
            ]);
            const rolePolicy = mocks.get(AWS.rolePolicy, "greenfield-task-policy");
            assert.equal(rolePolicy.inputs.role, "dev-greenfield-task");
            const policy = taskPolicyOf(mocks, "greenfield");
            const accessPointArn =
                policy.Statement[1].Condition!.StringEquals["elasticfilesystem:AccessPointArn"];
            assert.match(
                accessPointArn,
                /^arn:aws:elasticfilesystem:eu-west-1:111111111111:access-point\/fsap-[0-9a-f]{17}$/,
            );
            assert.deepEqual(policy, {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ReadOwnSecrets",
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue"],
                        Resource: [
                            secretArnOf(mocks, "greenfield", "db-credentials"),
                            secretArnOf(mocks, "greenfield", "core"),
                        ],
                    },
                    {
                        Sid: "MountOwnAccessPoint",
                        Effect: "Allow",
                        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                        Resource: `arn:aws:elasticfilesystem:eu-west-1:111111111111:file-system/${DEV_FILE_SYSTEM}`,
                        Condition: {
                            StringEquals: { "elasticfilesystem:AccessPointArn": accessPointArn },
                        },
                    },
                    {
                        Sid: "OwnMediaObjects",
                        Effect: "Allow",
                        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                        Resource: "arn:aws:s3:::aims-dev-media/tenants/greenfield/*",
                    },
                    {
                        Sid: "ListOwnMedia",
                        Effect: "Allow",
                        Action: ["s3:ListBucket"],
                        Resource: "arn:aws:s3:::aims-dev-media",
                        Condition: { StringLike: { "s3:prefix": "tenants/greenfield/*" } },
                    },
                ],
            });
            assert.deepEqual(iamWildcardViolations(policy), []);
            const withoutCore = await deployAws("dev", [awsSpec({ name: "greenfield" })], {
                "aims:core": undefined,
            });
            assert.ok(
                !withoutCore.mocks
                    .get(AWS.rolePolicy, "greenfield-task-policy")
                    .inputs.policy.includes("*"),
                "a wildcard in the task policy without media",
            );
            const other = taskPolicyOf(mocks, "hillcrest");
            assert.notEqual(
                other.Statement[1].Condition!.StringEquals["elasticfilesystem:AccessPointArn"],
                accessPointArn,
            );
            assert.ok(!JSON.stringify(other).includes("greenfield"));
        });
    });

    describe("load balancing", () => {
        it("creates an api and a web target group for the tenant's containers in the stack's VPC", async () => {
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            const common = {
                targetType: "ip",
                protocol: "HTTP",
                protocolVersion: "HTTP1",
                vpcId: "vpc-0d1e5a7b3c9f20001",
                deregistrationDelay: 30,
                tags: {
                    "aims:tenant": "greenfield",
                    "aims:status": "active",
                    "aims:data-retained": "false",
                },
            };
            const check = {
                enabled: true,
                protocol: "HTTP",
                port: "traffic-port",
                interval: 15,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            };
            assert.deepEqual(mocks.get(AWS.targetGroup, "greenfield-web").inputs, {
                ...common,
                name: "dev-greenfield-web",
                port: 3000,
                healthCheck: { ...check, path: "/", matcher: "200-399" },
            });
            assert.deepEqual(mocks.get(AWS.targetGroup, "greenfield-api").inputs, {
                ...common,
                name: "dev-greenfield-api",
                port: 8000,
                healthCheck: { ...check, path: "/api/health/", matcher: "200-299" },
            });
        });

        it("checks the health paths the stack configures", async () => {
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })], {
                "aims:aws": {
                    ...devAws,
                    frontendHealthCheckPath: "/healthz",
                    backendHealthCheckPath: "/api/healthz/",
                },
            });
            assert.equal(
                mocks.get(AWS.targetGroup, "greenfield-web").inputs.healthCheck.path,
                "/healthz",
            );
            assert.equal(
                mocks.get(AWS.targetGroup, "greenfield-api").inputs.healthCheck.path,
                "/api/healthz/",
            );
        });

        it("routes the tenant's host on its shard: /api/*, /admin/*, /static/* and /media/* to Django at P, the rest to Next.js at P + 1", async () => {
            const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            const priority = hashedListenerPriority("greenfield");
            const api = mocks.get(AWS.listenerRule, "greenfield-api-rule").inputs;
            const web = mocks.get(AWS.listenerRule, "greenfield-web-rule").inputs;
            const host = { hostHeader: { values: ["greenfield.dev.aims.example.org"] } };
            assert.deepEqual([api.listenerArn, api.priority], [DEV_LISTENER, priority]);
            assert.deepEqual([web.listenerArn, web.priority], [DEV_LISTENER, priority + 1]);
            assert.deepEqual(api.conditions, [
                host,
                { pathPattern: { values: ["/api/*", "/admin/*", "/static/*", "/media/*"] } },
            ]);
            assert.deepEqual(web.conditions, [host]);
            assert.deepEqual(api.actions, [
                { type: "forward", targetGroupArn: api.actions[0].targetGroupArn },
            ]);
            assert.match(
                api.actions[0].targetGroupArn,
                /^arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup\/dev-greenfield-api\/[0-9a-f]{16}$/,
            );
            assert.match(web.actions[0].targetGroupArn, /:targetgroup\/dev-greenfield-web\//);
            // ALB's limit: five condition values per rule.
            assert.equal(
                api.conditions.flatMap(
                    (c: Record<string, { values: string[] }>) => Object.values(c)[0].values,
                ).length,
                5,
            );
        });

        it("matches the tenant's own domain when it has one, and uses the listener of its shard", async () => {
            const second =
                "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/aims-dev-2/60dc6c495c0c9181/a2f7dc8efc522ab1";
            const { mocks } = await deployAws(
                "dev",
                [
                    awsSpec({
                        name: "greenfield",
                        domain: "portal.greenfield.example.org",
                        aws: { shard: 1, listenerPriority: 300 },
                    }),
                ],
                {
                    "aims:aws": { ...devAws, listeners: [...devAws.listeners, { arn: second }] },
                },
            );
            const web = mocks.get(AWS.listenerRule, "greenfield-web-rule").inputs;
            assert.deepEqual(web.conditions, [
                { hostHeader: { values: ["portal.greenfield.example.org"] } },
            ]);
            assert.deepEqual(
                [
                    web.listenerArn,
                    web.priority,
                    mocks.get(AWS.listenerRule, "greenfield-api-rule").inputs.priority,
                ],
                [second, 301, 300],
            );
        });
    });

    describe("ECS service", () => {
        it("runs the plan's task count on the shared cluster, in private subnets, behind both target groups", async () => {
            const { mocks } = await deployAws("dev", [
                awsSpec({ name: "greenfield", plan: "standard" }),
            ]);
            const service = mocks.get(AWS.ecsService, "greenfield-service").inputs;
            const groups = (role: string) =>
                mocks.get(AWS.listenerRule, `greenfield-${role}-rule`).inputs.actions[0]
                    .targetGroupArn;
            assert.deepEqual(service, {
                name: "greenfield",
                cluster: "arn:aws:ecs:eu-west-1:111111111111:cluster/aims-dev",
                launchType: "FARGATE",
                platformVersion: "LATEST",
                taskDefinition:
                    "arn:aws:ecs:eu-west-1:111111111111:task-definition/dev-greenfield:1",
                desiredCount: 2,
                networkConfiguration: {
                    subnets: devAws.subnetIds,
                    securityGroups: devAws.securityGroupIds,
                    assignPublicIp: false,
                },
                loadBalancers: [
                    {
                        targetGroupArn: groups("web"),
                        containerName: "frontend",
                        containerPort: 3000,
                    },
                    {
                        targetGroupArn: groups("api"),
                        containerName: "backend",
                        containerPort: 8000,
                    },
                ],
                healthCheckGracePeriodSeconds: 300,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                enableExecuteCommand: false,
                waitForSteadyState: true,
                tags: {
                    "aims:tenant": "greenfield",
                    "aims:status": "active",
                    "aims:data-retained": "false",
                },
            });
        });
    });

    describe("suspended and offboarding tenants", () => {
        for (const status of ["suspended", "offboarding"] as const) {
            it(`scales the tenant to zero when ${status} and answers 503 on both rules, keeping its data`, async () => {
                const { mocks } = await deployAws("dev", [awsSpec({ name: "greenfield", status })]);
                assert.equal(
                    mocks.get(AWS.ecsService, "greenfield-service").inputs.desiredCount,
                    0,
                );
                for (const role of ["api", "web"]) {
                    const [action] = mocks.get(AWS.listenerRule, `greenfield-${role}-rule`).inputs
                        .actions;
                    assert.equal(action.type, "fixed-response", role);
                    assert.equal(action.targetGroupArn, undefined);
                    assert.equal(action.fixedResponse.statusCode, "503");
                    assert.equal(action.fixedResponse.contentType, "text/plain");
                    assert.match(
                        action.fixedResponse.messageBody,
                        status === "suspended" ? /suspended/ : /closed/,
                    );
                }
                // An offboarding tenant also gets its backup (test/offboarding.test.ts).
                const backup =
                    status === "offboarding"
                        ? [
                              `${AWS.role} greenfield-backup-role`,
                              `${AWS.rolePolicy} greenfield-backup-policy`,
                              `${AWS.taskDefinition} greenfield-backup-task`,
                              "command:local:Command greenfield-offboarding-backup",
                          ]
                        : [];
                assert.deepEqual(
                    childrenOf(mocks, mocks.get(AWS.service, "greenfield")),
                    [...expectedChildren("greenfield"), ...backup].sort(),
                );
                assert.equal(
                    mocks.get(AWS.secret, "greenfield-db-credentials").inputs.tags["aims:status"],
                    status,
                );
            });
        }

        it("serves only active tenants", () => {
            assert.deepEqual(
                ["active", "suspended", "offboarding"].map((status) =>
                    desiredCount({ plan: "large", status: status as "active" }),
                ),
                [3, 0, 0],
            );
        });
    });

    describe("data protection", () => {
        const DATA = [
            [AWS.secret, "db-credentials"],
            [AWS.secretVersion, "db-credentials-value"],
            [AWS.accessPoint, "media"],
            ["postgresql:index/role:Role", "db-role"],
            ["postgresql:index/database:Database", "db"],
        ] as const;

        it("protects and retains the secrets, the access point and the database in prod, set on each resource", async () => {
            const { mocks } = await deployAws("prod", [awsSpec({ name: "greenfield" })]);
            for (const [type, role] of DATA) {
                const resource = mocks.get(type, `greenfield-${role}`);
                assert.deepEqual(
                    [resource.protect, resource.retainOnDelete],
                    [true, true],
                    resource.name,
                );
            }
            assert.equal(mocks.get(AWS.service, "greenfield").protect, false);
            for (const type of [
                AWS.ecsService,
                AWS.taskDefinition,
                AWS.targetGroup,
                AWS.listenerRule,
                AWS.role,
                AWS.logGroup,
            ]) {
                assert.ok(
                    mocks.ofType(type).every((r) => !r.protect),
                    type,
                );
            }
        });

        it("neither protects nor retains in dev, and lifts protection of an offboarding tenant in prod, still retaining", async () => {
            const dev = await deployAws("dev", [awsSpec({ name: "greenfield" })]);
            for (const [type, role] of DATA)
                assert.deepEqual(
                    [
                        dev.mocks.get(type, `greenfield-${role}`).protect,
                        dev.mocks.get(type, `greenfield-${role}`).retainOnDelete,
                    ],
                    [false, false],
                );
            const prod = await deployAws("prod", [
                awsSpec({ name: "greenfield", status: "offboarding" }),
            ]);
            for (const [type, role] of DATA)
                assert.deepEqual(
                    [
                        prod.mocks.get(type, `greenfield-${role}`).protect,
                        prod.mocks.get(type, `greenfield-${role}`).retainOnDelete,
                    ],
                    [false, true],
                );
        });
    });
});

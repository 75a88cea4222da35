import { strict as assert } from "node:assert";
import { ValidationError } from "../components/support/errors";
import { readStackSettings, StackSettings, tenantsOfStack } from "../components/stack/settings";
import { configSource } from "../components/stack/stack-file";
import { isSecret, spec, stackConfig, startMocks, valueOf } from "./support/mocks";

const kubernetesTenant = spec({ name: "school1" });
const awsTenant = spec({ name: "greenfield", platform: "aws" });

function read(
    stack: string,
    overrides: Record<string, unknown> = {},
    tenants = [kubernetesTenant],
): StackSettings {
    return readStackSettings(configSource(stackConfig(stack, overrides)), stack, tenants);
}

function problems(
    stack: string,
    overrides: Record<string, unknown>,
    tenants = [kubernetesTenant],
): string[] {
    try {
        read(stack, overrides, tenants);
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return [...err.problems];
    }
    assert.fail("expected the settings to be rejected");
}

const database = JSON.parse(stackConfig("dev").config["aims:database"]);
const kubernetesBlock = JSON.parse(stackConfig("dev").config["aims:kubernetes"]);

describe("stack settings", () => {
    beforeEach(() => startMocks("dev"));

    it("reads the dev stack: environment, kubernetes default, base domain, no data protection", () => {
        const settings = read("dev", {}, [kubernetesTenant, awsTenant]);
        assert.equal(settings.environment, "dev");
        assert.equal(settings.platform, "kubernetes");
        assert.equal(settings.baseDomain, "dev.aims.example.org");
        assert.equal(settings.protectData, false);
        assert.equal(settings.database.appHost, "pgbouncer.database.svc.cluster.local");
        assert.equal(settings.kubernetes?.ingressClass, "traefik");
        assert.equal(settings.aws?.region, "eu-west-1");
    });

    it("reads prod: protected data, AWS in af-south-1", () => {
        const settings = read("prod", {}, [kubernetesTenant, awsTenant]);
        assert.equal(settings.protectData, true);
        assert.equal(settings.aws?.region, "af-south-1");
        assert.equal(settings.baseDomain, "aims.example.org");
    });

    it("keeps the database password secret", async () => {
        const settings = read("dev");
        assert.equal(await isSecret(settings.database.password), true);
        assert.ok((await valueOf(settings.database.password)).length > 0);
    });

    it("defaults the environment to the stack name and rejects a stack name that is not one", () => {
        assert.equal(read("sit", { "aims:environment": undefined }).environment, "sit");
        assert.deepEqual(problems("dev", { "aims:environment": "staging" }), [
            'Pulumi.dev.yaml: aims:environment: must be one of dev, sit, prod (got "staging"); set it when the stack name is not an environment',
        ]);
    });

    it("defaults the platform to kubernetes and rejects an unknown one", () => {
        assert.equal(read("dev", { "aims:platform": undefined }).platform, "kubernetes");
        assert.deepEqual(problems("dev", { "aims:platform": "gcp" }), [
            'Pulumi.dev.yaml: aims:platform: must be one of kubernetes, aws (got "gcp")',
        ]);
    });

    it("requires a lowercase base domain", () => {
        assert.deepEqual(problems("dev", { "aims:baseDomain": undefined }), [
            "Pulumi.dev.yaml: aims:baseDomain: is required",
        ]);
        assert.match(
            problems("dev", { "aims:baseDomain": "Dev Example" })[0],
            /aims:baseDomain: must be a lowercase domain/,
        );
    });

    it("protects data unless the stack turns it off explicitly", () => {
        assert.equal(read("dev", { "aims:protectData": undefined }).protectData, true);
        assert.deepEqual(problems("dev", { "aims:protectData": "yes" }), [
            'Pulumi.dev.yaml: aims:protectData: must be true or false (got "yes")',
        ]);
    });

    it("requires the images and each of their fields", () => {
        assert.deepEqual(problems("dev", { "aims:images": undefined }), [
            "Pulumi.dev.yaml: aims:images: is required",
        ]);
        assert.deepEqual(problems("dev", { "aims:images": { frontend: "r/f", backend: "r/b" } }), [
            "Pulumi.dev.yaml: aims:images.tag: is required: it is the app version of every tenant of a stack without aims:rings",
        ]);
    });

    it("requires the database connection, the password as a secret, valid port and sslmode", () => {
        assert.deepEqual(problems("dev", { "aims:database": undefined }), [
            "Pulumi.dev.yaml: aims:database: is required",
        ]);
        const { password: _password, ...withoutPassword } = database;
        assert.deepEqual(problems("dev", { "aims:database": withoutPassword }), [
            "Pulumi.dev.yaml: aims:database.password: is required; set it once with: pulumi config set --secret --path aims:database.password --stack dev",
        ]);
        assert.deepEqual(
            problems("dev", {
                "aims:database": { ...database, port: 70000, sslmode: "maybe", colour: 1 },
            }),
            [
                "Pulumi.dev.yaml: aims:database.colour: unknown key; allowed: host, port, username, sslmode, password, appHost, appPort",
                "Pulumi.dev.yaml: aims:database.port: must be a whole number from 1 to 65535 (got 70000)",
                'Pulumi.dev.yaml: aims:database.sslmode: must be one of disable, require, verify-ca, verify-full (got "maybe")',
            ],
        );
    });

    it("never quotes a secret in a problem", () => {
        assert.deepEqual(
            problems("dev", { "aims:database": { ...database, password: ["s3cr3t-value"] } }),
            [
                "Pulumi.dev.yaml: aims:database.password: must be a non-empty string (the value is a secret and is not shown)",
            ],
        );
    });

    it("requires a platform block only when a tenant of the stack runs there", () => {
        assert.equal(read("dev", { "aims:aws": undefined }, [kubernetesTenant]).aws, undefined);
        assert.deepEqual(
            problems("dev", { "aims:aws": undefined }, [kubernetesTenant, awsTenant]),
            [
                "Pulumi.dev.yaml: aims:aws: is required: tenants of this stack run on aws (greenfield)",
            ],
        );
        // A tenant enabled only in another environment does not need the block here.
        assert.equal(
            read("dev", { "aims:aws": undefined }, [
                kubernetesTenant,
                spec({ name: "x", platform: "aws", environments: ["prod"] }),
            ]).aws,
            undefined,
        );
        assert.deepEqual(
            problems("dev", { "aims:kubernetes": undefined, "aims:platform": "kubernetes" }, [
                kubernetesTenant,
            ]),
            [
                "Pulumi.dev.yaml: aims:kubernetes: is required: tenants of this stack run on kubernetes (school1)",
            ],
        );
    });

    it("rejects a block that is not a mapping", () => {
        assert.deepEqual(problems("dev", { "aims:kubernetes": "traefik" }), [
            "Pulumi.dev.yaml: aims:kubernetes: must be a mapping of keys",
            "Pulumi.dev.yaml: aims:kubernetes: is required: tenants of this stack run on kubernetes (school1)",
        ]);
    });

    it("reads the deletion guard's confirmations and limit, defaulting to none and 1", () => {
        const defaults = read("prod");
        assert.deepEqual(defaults.allowTenantRemoval, []);
        assert.equal(defaults.maxTenantRemovals, 1);
        const set = read("prod", {
            "aims:allowTenantRemoval": ["old-school"],
            "aims:maxTenantRemovals": 3,
        });
        assert.deepEqual(set.allowTenantRemoval, ["old-school"]);
        assert.equal(set.maxTenantRemovals, 3);
        assert.deepEqual(
            problems("prod", {
                "aims:allowTenantRemoval": "old-school",
                "aims:maxTenantRemovals": -1,
            }),
            [
                'Pulumi.prod.yaml: aims:allowTenantRemoval: must be a list of tenant names (got "old-school")',
                "Pulumi.prod.yaml: aims:maxTenantRemovals: must be a whole number from 0 to 1000 (got -1)",
            ],
        );
    });

    it("accepts an empty confirmation list, the default Pulumi.yaml gives", () => {
        assert.deepEqual(read("prod", { "aims:allowTenantRemoval": [] }).allowTenantRemoval, []);
    });

    it("reads a whole number or a boolean written as a string inside a block", () => {
        const settings = read("dev", {
            "aims:database": { ...database, port: "6432" },
            "aims:kubernetes": { ...kubernetesBlock, waitForReady: "false" },
        });
        assert.equal(settings.database.port, 6432);
        assert.equal(settings.kubernetes?.waitForReady, false);
        assert.deepEqual(problems("dev", { "aims:database": { ...database, port: "64x" } }), [
            'Pulumi.dev.yaml: aims:database.port: must be a whole number from 1 to 65535 (got "64x")',
        ]);
    });

    it("rejects an aims: key it does not know, listing the known ones", () => {
        assert.match(
            problems("dev", { "aims:protectdata": false })[0],
            /^Pulumi\.dev\.yaml: aims:protectdata: unknown key; allowed: aims:environment, aims:stackShard, aims:maxTenantsPerStack, aims:platform, aims:baseDomain, aims:protectData, /,
        );
    });

    it("reads the removal force, platform move confirmations and the lost-history escape hatch, defaulting to none and off", () => {
        const defaults = read("prod");
        assert.deepEqual(
            [
                defaults.forceTenantRemoval,
                defaults.allowPlatformMove,
                defaults.acceptMissingTenantHistory,
            ],
            [[], [], false],
        );
        const set = read("prod", {
            "aims:forceTenantRemoval": ["old-school"],
            "aims:allowPlatformMove": ["school1"],
            "aims:acceptMissingTenantHistory": true,
        });
        assert.deepEqual(
            [set.forceTenantRemoval, set.allowPlatformMove, set.acceptMissingTenantHistory],
            [["old-school"], ["school1"], true],
        );
        assert.deepEqual(
            problems("prod", {
                "aims:forceTenantRemoval": [""],
                "aims:allowPlatformMove": "school1",
                "aims:acceptMissingTenantHistory": "yes",
            }),
            [
                'Pulumi.prod.yaml: aims:forceTenantRemoval: must be a list of tenant names (got [""])',
                'Pulumi.prod.yaml: aims:allowPlatformMove: must be a list of tenant names (got "school1")',
                'Pulumi.prod.yaml: aims:acceptMissingTenantHistory: must be true or false (got "yes")',
            ],
        );
    });

    it("refuses aims:protectData: false in prod, whatever the stack is called", () => {
        const refusal =
            "aims:protectData: must be true in prod: prod's databases, roles, secrets and namespaces are protected and retained on delete; remove the key or set it to true";
        for (const value of [false, "false"]) {
            assert.deepEqual(problems("prod", { "aims:protectData": value }), [
                `Pulumi.prod.yaml: ${refusal}`,
            ]);
            assert.deepEqual(
                problems("dev", { "aims:environment": "prod", "aims:protectData": value }),
                [`Pulumi.dev.yaml: ${refusal}`],
            );
        }
        assert.equal(read("prod", { "aims:protectData": undefined }).protectData, true);
        assert.equal(read("sit", { "aims:protectData": false }).protectData, false);
    });

    it("refuses a Kubernetes tenant named like the ingress controller's namespace", () => {
        const kubernetes = JSON.parse(stackConfig("dev").config["aims:kubernetes"]);
        const edge = spec({ name: "edge" });
        assert.equal(read("dev", {}, [edge]).kubernetes?.ingressNamespace, "traefik");
        assert.deepEqual(
            problems("dev", { "aims:kubernetes": { ...kubernetes, ingressNamespace: "edge" } }, [
                edge,
            ]),
            [
                'tenants/edge.yaml: name: "edge" is the ingress controller\'s namespace (aims:kubernetes.ingressNamespace in Pulumi.dev.yaml); choose another name',
            ],
        );
    });

    describe("tenants named like a namespace the stack relies on", () => {
        const kubernetes = JSON.parse(stackConfig("dev").config["aims:kubernetes"]);
        const backup = JSON.parse(stackConfig("dev").config["aims:backup"]);
        const core = JSON.parse(stackConfig("dev").config["aims:core"]);
        const refused: Record<string, [string, Record<string, unknown>, string]> = {
            "the ingress namespace, on AWS too": [
                "edge",
                { "aims:kubernetes": { ...kubernetes, ingressNamespace: "edge" } },
                "the ingress controller's namespace (aims:kubernetes.ingressNamespace",
            ],
            "the namespace of the apps' database host": [
                "pg-shared",
                {
                    "aims:database": {
                        ...database,
                        appHost: "pgbouncer.pg-shared.svc.cluster.local",
                    },
                },
                "the namespace of a service the stack uses (aims:database.appHost",
            ],
            "the namespace of a short .svc database host": [
                "pg-shared",
                { "aims:database": { ...database, appHost: "pgbouncer.pg-shared.svc" } },
                "(aims:database.appHost",
            ],
            "the namespace of an upper-case database host with a final dot": [
                "pg-shared",
                { "aims:database": { ...database, host: "PG.PG-SHARED.SVC.CLUSTER.LOCAL." } },
                "(aims:database.host",
            ],
            "the namespace of the core site": [
                "school-core",
                { "aims:core": { ...core, url: "https://core.school-core.svc.cluster.local" } },
                "(aims:core.url",
            ],
            "the namespace of the core database": [
                "core-db",
                {
                    "aims:core": {
                        ...core,
                        database: { ...core.database, host: "aimsgodb.core-db.svc" },
                    },
                },
                "(aims:core.database.host",
            ],
            "the namespace of in-cluster media storage": [
                "media",
                {
                    "aims:core": {
                        ...core,
                        objectStorage: {
                            ...core.objectStorage,
                            endpoint: "https://minio.media.svc.cluster.local",
                        },
                    },
                },
                "(aims:core.objectStorage.endpoint",
            ],
            "the namespace of in-cluster backup storage": [
                "objects",
                {
                    "aims:backup": {
                        ...backup,
                        endpoint: "https://minio.objects.svc.cluster.local",
                    },
                },
                "(aims:backup.endpoint",
            ],
            "a namespace the stack reserves": [
                "observability",
                {
                    "aims:kubernetes": {
                        ...kubernetes,
                        reservedNamespaces: ["vault", "observability"],
                    },
                },
                "a namespace the stack reserves (aims:kubernetes.reservedNamespaces",
            ],
        };
        for (const [label, [name, overrides, message]] of Object.entries(refused)) {
            it(`refuses a tenant named like ${label}`, () => {
                const tenants = [
                    spec({ name }),
                    spec({ name: "aws-one", platform: "aws" }),
                    spec({ name: `${name}-x`, platform: "aws" }),
                ];
                const awsNamed = spec({ name, platform: "aws" });
                for (const named of [tenants[0], awsNamed]) {
                    const found = problems("dev", overrides, [named, tenants[1], tenants[2]]);
                    assert.equal(found.length, 1, found.join("\n"));
                    assert.ok(
                        found[0].startsWith(`tenants/${name}.yaml: name: "${name}" is `) &&
                            found[0].includes(message),
                        found[0],
                    );
                    assert.ok(
                        found[0].endsWith(" in Pulumi.dev.yaml); choose another name"),
                        found[0],
                    );
                }
            });
        }
        it("accepts tenants clear of every namespace of the stack", () => {
            const settings = read(
                "dev",
                {
                    "aims:kubernetes": { ...kubernetes, reservedNamespaces: ["vault"] },
                    "aims:core": { ...core, url: "https://core.school-core.svc.cluster.local" },
                    "aims:database": {
                        ...database,
                        appHost: "pgbouncer.pg-shared.svc.cluster.local",
                    },
                },
                [spec({ name: "school1" }), spec({ name: "pg-shared-school" })],
            );
            assert.deepEqual(settings.kubernetes?.reservedNamespaces, ["vault"]);
        });
        it("requires reservedNamespaces to be namespace names", () => {
            assert.deepEqual(
                problems("dev", {
                    "aims:kubernetes": {
                        ...kubernetes,
                        reservedNamespaces: ["ok", "Bad_NS", "a.b"],
                    },
                }),
                [
                    'Pulumi.dev.yaml: aims:kubernetes.reservedNamespaces: must list namespace names: lowercase letters, digits and \'-\', at most 63 characters (got "Bad_NS", "a.b")',
                ],
            );
            assert.match(
                problems("dev", {
                    "aims:kubernetes": { ...kubernetes, reservedNamespaces: "vault" },
                })[0],
                /reservedNamespaces: must be a non-empty list of strings/,
            );
        });
    });

    it("reports every problem of a stack at once", () => {
        const found = problems("dev", {
            "aims:platform": "gcp",
            "aims:baseDomain": undefined,
            "aims:images": undefined,
            "aims:database": undefined,
        });
        assert.equal(found.length, 4, found.join("\n"));
    });

    it("deploys only the tenants enabled in the stack's environment", () => {
        const settings = read("prod", {}, [kubernetesTenant, awsTenant]);
        const devOnly = spec({ name: "devonly", environments: ["dev"] });
        assert.deepEqual(
            tenantsOfStack([kubernetesTenant, devOnly], settings).map((t) => t.name),
            ["school1"],
        );
    });

    describe("shard stacks", () => {
        const fleet = (count: number, shard = 1) =>
            Array.from({ length: count }, (_, i) =>
                spec({ name: `school${i + 1}`, stackShard: { prod: shard } }),
            );

        it("is shard 1 with a limit of 50 tenants unless the stack file says otherwise", () => {
            const settings = read("prod", {}, fleet(50));
            assert.equal(settings.stackShard, 1);
            assert.equal(settings.maxTenantsPerStack, 50);
            const second = read("prod", { "aims:stackShard": 2, "aims:maxTenantsPerStack": 5 });
            assert.equal(second.stackShard, 2);
            assert.equal(second.maxTenantsPerStack, 5);
        });

        it("deploys only the tenants of its environment's shard", () => {
            const onTwo = spec({ name: "ontwo", stackShard: { prod: 2, dev: 1 } });
            const tenants = [kubernetesTenant, onTwo];
            const first = read("prod", {}, tenants);
            const second = read("prod", { "aims:stackShard": 2 }, tenants);
            assert.deepEqual(
                tenantsOfStack(tenants, first).map((t) => t.name),
                ["school1"],
            );
            assert.deepEqual(
                tenantsOfStack(tenants, second).map((t) => t.name),
                ["ontwo"],
            );
        });

        it("refuses more tenants than aims:maxTenantsPerStack, before any resource, saying to add a shard stack", () => {
            for (const [count, overrides] of [
                [51, {}],
                [4, { "aims:maxTenantsPerStack": 3 }],
                [2, { "aims:maxTenantsPerStack": 1, "aims:stackShard": 2 }],
            ] as const) {
                const shard = "aims:stackShard" in overrides ? overrides["aims:stackShard"] : 1;
                const limit =
                    "aims:maxTenantsPerStack" in overrides
                        ? overrides["aims:maxTenantsPerStack"]
                        : 50;
                assert.deepEqual(problems("prod", overrides, fleet(count, shard)), [
                    `Pulumi.prod.yaml: aims:maxTenantsPerStack: the stack would deploy ${count} tenants, more than its limit of ${limit}. ` +
                        'Add a shard stack of prod (a stack file with the same aims:environment and a new aims:stackShard, README.md, "Shard stacks") ' +
                        "and let `npm run tenant -- add` put new tenants there; moving a deployed tenant to another shard is a removal, which the deletion guard refuses",
                ]);
            }
        });

        it("counts only the stack's own shard against the limit", () => {
            const tenants = [
                ...fleet(3, 1),
                ...fleet(3, 2).map((t) => ({ ...t, name: `${t.name}b` })),
            ];
            assert.equal(read("prod", { "aims:maxTenantsPerStack": 3 }, tenants).stackShard, 1);
        });

        it("rejects a shard or a limit that is not a positive whole number", () => {
            for (const bad of [0, -1, 1.5, 100, "two"]) {
                const found = problems("prod", { "aims:stackShard": bad });
                assert.equal(found.length, 1, found.join("\n"));
                assert.match(found[0], /^Pulumi\.prod\.yaml: aims:stackShard: /);
            }
            for (const bad of [0, 2.5, 1001, "fifty"]) {
                const found = problems("prod", { "aims:maxTenantsPerStack": bad });
                assert.equal(found.length, 1, found.join("\n"));
                assert.match(found[0], /^Pulumi\.prod\.yaml: aims:maxTenantsPerStack: /);
            }
        });
    });
});

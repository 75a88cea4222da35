import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkpointSidecarVerdict } from "../scripts/lib/recover/checkpoint";
import { decide, Candidate } from "../scripts/lib/recover/decision";
import {
    fileBackendFolder,
    LockContext,
    lockVerdict,
    parseLockHolder,
    readFileBackendLocks,
} from "../scripts/lib/recover/lock";
import {
    databaseOwnershipProblem,
    helmReleaseVerdict,
    kubernetesOwnershipProblem,
    roleOwnershipProblem,
    RoleFacts,
} from "../scripts/lib/recover/ownership";
import { physicalIdentity, UNKNOWN_VALUE } from "../scripts/lib/recover/physical-id";
import {
    parseStackExport,
    stackOutputs,
    tenantOfResource,
    tenantsInState,
} from "../scripts/lib/recover/state";

const OURS = {
    "aims.example.org/tenant": "school1",
    "aims.example.org/environment": "dev",
    "aims.example.org/plan": "small",
    "app.kubernetes.io/managed-by": "pulumi",
};
const OWNER = { tenant: "school1", environment: "dev" };

describe("recover: physical ids", () => {
    it("finds a namespace by its name, cluster-wide", () => {
        assert.deepEqual(
            physicalIdentity("kubernetes:core/v1:Namespace", { metadata: { name: "school1" } }),
            {
                kind: "kubernetes",
                id: "school1",
                apiPath: "/api/v1/namespaces/school1",
                name: "school1",
            },
        );
    });

    it("finds namespaced objects as <namespace>/<name>, under their API group", () => {
        const quota = physicalIdentity("kubernetes:core/v1:ResourceQuota", {
            metadata: { name: "tenant-quota", namespace: "school1" },
        });
        assert.equal(quota.kind === "kubernetes" && quota.id, "school1/tenant-quota");
        assert.equal(
            quota.kind === "kubernetes" && quota.apiPath,
            "/api/v1/namespaces/school1/resourcequotas/tenant-quota",
        );
        const policy = physicalIdentity("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
            metadata: { name: "tenant-isolation", namespace: "school1" },
        });
        assert.equal(
            policy.kind === "kubernetes" && policy.apiPath,
            "/apis/networking.k8s.io/v1/namespaces/school1/networkpolicies/tenant-isolation",
        );
    });

    it("finds a Helm release by its namespace and name", () => {
        assert.deepEqual(
            physicalIdentity("kubernetes:helm.sh/v3:Release", {
                name: "school1",
                namespace: "school1",
                chart: "./charts/tenant",
            }),
            {
                kind: "helm-release",
                id: "school1/school1",
                namespace: "school1",
                name: "school1",
            },
        );
    });

    it("finds databases and roles by their name", () => {
        assert.deepEqual(
            physicalIdentity("postgresql:index/database:Database", {
                name: "tenant_school1",
                owner: "tenant_school1",
            }),
            {
                kind: "postgres-database",
                id: "tenant_school1",
                name: "tenant_school1",
            },
        );
        assert.deepEqual(
            physicalIdentity("postgresql:index/role:Role", { name: "tenant_school1" }),
            {
                kind: "postgres-role",
                id: "tenant_school1",
                name: "tenant_school1",
            },
        );
    });

    it("looks for nothing behind random values, grants, memberships, providers and commands (the core cleanup, the rollout check)", () => {
        for (const type of [
            "random:index/randomPassword:RandomPassword",
            "postgresql:index/grant:Grant",
            "postgresql:index/grantRole:GrantRole",
            "pulumi:providers:kubernetes",
            "command:local:Command",
        ])
            assert.equal(physicalIdentity(type, {}).kind, "recreated", type);
    });

    it("refuses to guess: an unknown type, a missing, unknown or secret name", () => {
        assert.equal(
            physicalIdentity("kubernetes:apps/v1:Deployment", {
                metadata: { name: "x", namespace: "y" },
            }).kind,
            "unknown",
        );
        assert.equal(physicalIdentity("aws:s3/bucket:Bucket", { bucket: "x" }).kind, "unknown");
        assert.equal(
            physicalIdentity("kubernetes:core/v1:Secret", { metadata: { name: "s" } }).kind,
            "unknown",
        );
        assert.equal(
            physicalIdentity("kubernetes:core/v1:Secret", {
                metadata: { name: "s", namespace: UNKNOWN_VALUE },
            }).kind,
            "unknown",
        );
        assert.equal(
            physicalIdentity("postgresql:index/role:Role", {
                name: {
                    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                    ciphertext: "x",
                },
            }).kind,
            "unknown",
        );
        assert.equal(physicalIdentity("postgresql:index/database:Database", {}).kind, "unknown");
    });

    it("escapes names in API paths, so a hostile name cannot reach another object", () => {
        const identity = physicalIdentity("kubernetes:core/v1:Secret", {
            metadata: { name: "../../secrets/x", namespace: "school1" },
        });
        assert.equal(
            identity.kind === "kubernetes" && identity.apiPath,
            "/api/v1/namespaces/school1/secrets/..%2F..%2Fsecrets%2Fx",
        );
    });
});

describe("recover: stale locks", () => {
    const now = new Date("2026-01-10T12:00:00Z");
    const context = (overrides: Partial<LockContext> = {}): LockContext => ({
        now,
        hostname: "runner-a",
        username: "runner",
        processOnThisHost: () => "none",
        deployJob: false,
        maxUpdateMinutes: 360,
        ...overrides,
    });
    const lock = (hostname: string, minutesAgo: number, username = "runner") => ({
        file: "lock.json",
        holder: {
            pid: 4242,
            username,
            hostname,
            timestamp: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
        },
    });

    it("clears a lock taken on this host by a process that is gone", () => {
        assert.equal(lockVerdict(lock("runner-a", 1), context()).stale, true);
    });

    it("clears a lock whose process id now belongs to another program", () => {
        assert.equal(
            lockVerdict(lock("runner-a", 1), context({ processOnThisHost: () => "other" })).stale,
            true,
        );
    });

    it("refuses a lock whose Pulumi process on this host still runs, however old", () => {
        const verdict = lockVerdict(
            lock("runner-a", 10_000),
            context({ processOnThisHost: () => "pulumi" }),
        );
        assert.equal(verdict.stale, false);
        assert.match(verdict.reason, /still running/);
    });

    it("refuses a young lock from another host, unless a deploy job of the same user took it", () => {
        assert.equal(lockVerdict(lock("runner-b", 5), context()).stale, false);
        assert.equal(lockVerdict(lock("runner-b", 5), context({ deployJob: true })).stale, true);
        const person = lockVerdict(lock("laptop", 5, "alice"), context({ deployJob: true }));
        assert.equal(person.stale, false);
        assert.match(person.reason, /another user/);
    });

    it("clears a lock from another host once it is older than any update runs", () => {
        assert.equal(lockVerdict(lock("laptop", 361, "alice"), context()).stale, true);
        assert.equal(lockVerdict(lock("laptop", 359, "alice"), context()).stale, false);
    });

    it("refuses a lock from the future (a skewed clock) and one it cannot read", () => {
        assert.equal(lockVerdict(lock("runner-b", -30), context()).stale, false);
        assert.equal(lockVerdict({ file: "x.json" }, context({ deployJob: true })).stale, false);
        const broken = {
            file: "x",
            holder: { pid: 1, username: "runner", hostname: "b", timestamp: "yesterday" },
        };
        assert.equal(lockVerdict(broken, context()).stale, false);
    });

    it("reads only what Pulumi writes as a lock", () => {
        assert.deepEqual(
            parseLockHolder(
                '{"pid":7,"username":"u","hostname":"h","timestamp":"2026-01-01T00:00:00Z"}',
            ),
            {
                pid: 7,
                username: "u",
                hostname: "h",
                timestamp: "2026-01-01T00:00:00Z",
            },
        );
        for (const text of [
            "",
            "not json",
            "[]",
            "null",
            '{"pid":"7","username":"u","hostname":"h","timestamp":"t"}',
            '{"pid":7}',
        ])
            assert.equal(parseLockHolder(text), undefined, text);
    });

    it("finds the locks of one stack in a file backend, not those of another stack or project", () => {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), "recover-locks-"));
        const write = (relative: string) => {
            fs.mkdirSync(path.join(folder, ".pulumi", "locks", path.dirname(relative)), {
                recursive: true,
            });
            fs.writeFileSync(
                path.join(folder, ".pulumi", "locks", relative),
                '{"pid":1,"username":"u","hostname":"h","timestamp":"2026-01-01T00:00:00Z"}',
            );
        };
        try {
            write("organization/aims/dev/a.json");
            write("organization/aims/dev-2/b.json");
            write("organization/other/dev/c.json");
            const found = readFileBackendLocks(folder, "aims", "dev").map((l) =>
                path.basename(l.file),
            );
            assert.deepEqual(found, ["a.json"]);
            assert.deepEqual(
                readFileBackendLocks(folder, "aims", "organization/dev-2").map((l) =>
                    path.basename(l.file),
                ),
                ["b.json"],
            );
        } finally {
            fs.rmSync(folder, { recursive: true, force: true });
        }
    });

    it("reads a file backend's folder from its URL, and no other backend's", () => {
        assert.equal(fileBackendFolder("file:///srv/state", "/home/u"), "/srv/state");
        assert.equal(fileBackendFolder("file://~", "/home/u"), "/home/u");
        assert.equal(fileBackendFolder("s3://bucket", "/home/u"), undefined);
        assert.equal(fileBackendFolder("https://api.pulumi.com", "/home/u"), undefined);
    });
});

describe("recover: never adopts what the program did not make", () => {
    it("accepts an object with the program's labels for the tenant and environment", () => {
        assert.equal(kubernetesOwnershipProblem(OURS, OWNER), undefined);
    });

    it("refuses the right name without the program's labels", () => {
        assert.match(kubernetesOwnershipProblem(undefined, OWNER)!, /none of the program's labels/);
        assert.match(kubernetesOwnershipProblem({}, OWNER)!, /tenant is missing/);
        assert.match(
            kubernetesOwnershipProblem({ app: "school1" }, OWNER)!,
            /managed-by is missing/,
        );
    });

    it("refuses labels of another tenant, another environment (another stack) or another manager", () => {
        assert.match(
            kubernetesOwnershipProblem({ ...OURS, "aims.example.org/tenant": "school2" }, OWNER)!,
            /"school2", not "school1"/,
        );
        assert.match(
            kubernetesOwnershipProblem({ ...OURS, "aims.example.org/environment": "prod" }, OWNER)!,
            /environment is "prod"/,
        );
        assert.match(
            kubernetesOwnershipProblem({ ...OURS, "app.kubernetes.io/managed-by": "Helm" }, OWNER)!,
            /"Helm"/,
        );
    });

    it("refuses look-alike values and shapes", () => {
        for (const labels of [
            { ...OURS, "aims.example.org/tenant": "School1" },
            { ...OURS, "aims.example.org/tenant": "school1 " },
            { ...OURS, "aims.example.org/environment": ["dev"] },
            JSON.parse(
                '{"__proto__": {"aims.example.org/tenant": "school1"}, "aims.example.org/environment": "dev", "app.kubernetes.io/managed-by": "pulumi"}',
            ),
            Object.assign(Object.create({ "aims.example.org/tenant": "school1" }), {
                "aims.example.org/environment": "dev",
                "app.kubernetes.io/managed-by": "pulumi",
            }),
            [OURS],
            "aims.example.org/tenant=school1",
        ])
            assert.notEqual(
                kubernetesOwnershipProblem(labels, OWNER),
                undefined,
                JSON.stringify(labels),
            );
    });

    const revision = (version: number, status: string, name = "school1", owner = "helm") => ({
        secret: `sh.helm.release.v1.${name}.v${version}`,
        labels: { owner, name, version: String(version), status },
    });

    it("imports a Helm release only in the program's namespace, deployed", () => {
        assert.deepEqual(helmReleaseVerdict("school1", undefined, [revision(1, "deployed")]), {
            kind: "ours",
        });
        assert.deepEqual(
            helmReleaseVerdict("school1", undefined, [
                revision(1, "superseded"),
                revision(2, "deployed"),
            ]),
            {
                kind: "ours",
            },
        );
        const foreign = helmReleaseVerdict("school1", "tenant is missing", [
            revision(1, "deployed"),
        ]);
        assert.equal(
            foreign.kind === "not-ours" && /namespace is not the program's/.test(foreign.reason),
            true,
        );
        const stranger = helmReleaseVerdict("school1", undefined, [
            revision(1, "deployed", "other"),
            revision(1, "deployed", "school1", "someone"),
        ]);
        assert.equal(stranger.kind === "not-ours" && /no revision/.test(stranger.reason), true);
    });

    it("forgets the record of a cut-off first install only, and refuses a cut-off upgrade", () => {
        assert.deepEqual(
            helmReleaseVerdict("school1", undefined, [revision(1, "pending-install")]),
            {
                kind: "first-install-cut-off",
                records: ["sh.helm.release.v1.school1.v1"],
            },
        );
        const upgrade = helmReleaseVerdict("school1", undefined, [
            revision(1, "deployed"),
            revision(2, "pending-upgrade"),
        ]);
        assert.equal(
            upgrade.kind === "not-ours" && /revision 2 is "pending-upgrade"/.test(upgrade.reason),
            true,
        );
        const foreignInstall = helmReleaseVerdict("school1", "tenant is missing", [
            revision(1, "pending-install"),
        ]);
        assert.equal(foreignInstall.kind, "not-ours");
    });

    const role: RoleFacts = {
        canLogin: true,
        superuser: false,
        createDatabase: false,
        createRole: false,
        connectionLimit: 20,
        ownedDatabases: ["tenant_school1"],
    };
    const declaredRole = {
        name: "tenant_school1",
        login: true,
        superuser: false,
        createDatabase: false,
        createRole: false,
        connectionLimit: 20,
    };

    it("imports a role with exactly the declared attributes and no database but its own", () => {
        assert.equal(roleOwnershipProblem(role, declaredRole), undefined);
        assert.equal(
            roleOwnershipProblem({ ...role, ownedDatabases: [] }, declaredRole),
            undefined,
        );
    });

    it("refuses a role that differs: superuser, createdb, no login, another limit, other databases", () => {
        assert.match(
            roleOwnershipProblem({ ...role, superuser: true }, declaredRole)!,
            /superuser is true/,
        );
        assert.match(
            roleOwnershipProblem({ ...role, createDatabase: true }, declaredRole)!,
            /createdb/,
        );
        assert.match(
            roleOwnershipProblem({ ...role, canLogin: false }, declaredRole)!,
            /login is false/,
        );
        assert.match(
            roleOwnershipProblem({ ...role, connectionLimit: -1 }, declaredRole)!,
            /connection limit is -1/,
        );
        assert.match(
            roleOwnershipProblem(
                { ...role, ownedDatabases: ["tenant_school1", "billing"] },
                declaredRole,
            )!,
            /other databases \(billing\)/,
        );
    });

    it("imports an empty database owned by the declared role, and refuses a used or foreign one", () => {
        const declared = { name: "tenant_school1", owner: "tenant_school1" };
        assert.equal(
            databaseOwnershipProblem({ owner: "tenant_school1", userRelations: 0 }, declared),
            undefined,
        );
        assert.match(
            databaseOwnershipProblem({ owner: "postgres", userRelations: 0 }, declared)!,
            /owner is postgres/,
        );
        assert.match(
            databaseOwnershipProblem({ owner: "tenant_school1", userRelations: 3 }, declared)!,
            /3 tables/,
        );
        assert.match(
            databaseOwnershipProblem(
                { owner: "tenant_school1", userRelations: Infinity },
                declared,
            )!,
            /has been used/,
        );
    });
});

describe("recover: what it does with each resource", () => {
    const quota: Candidate = {
        urn: "urn:pulumi:dev::aims::aims:index:Tenant$aims:kubernetes:TenantWorkload$kubernetes:core/v1:ResourceQuota::school1-quota",
        type: "kubernetes:core/v1:ResourceQuota",
        inputs: { metadata: { name: "tenant-quota", namespace: "school1" } },
        origin: "pending-create",
    };
    const identity = physicalIdentity(quota.type, quota.inputs);

    it("imports a pending create whose object exists and is the program's", () => {
        assert.deepEqual(decide(quota, identity, { kind: "kubernetes", labels: OURS }, OWNER), {
            kind: "import",
            id: "school1/tenant-quota",
            reason: "school1/tenant-quota exists and is the program's",
        });
    });

    it("clears a pending create whose object does not exist, and one with nothing outside the state", () => {
        assert.equal(decide(quota, identity, { kind: "absent" }, OWNER).kind, "clear");
        const password = {
            ...quota,
            type: "random:index/randomPassword:RandomPassword",
            inputs: { length: 32 },
        };
        assert.equal(
            decide(password, physicalIdentity(password.type, password.inputs), undefined, OWNER)
                .kind,
            "clear",
        );
    });

    it("leaves a missing resource whose object does not exist to the next update", () => {
        assert.equal(
            decide({ ...quota, origin: "missing-from-state" }, identity, { kind: "absent" }, OWNER)
                .kind,
            "none",
        );
    });

    it("refuses an existing object without the program's labels, or outside any tenant of the state", () => {
        assert.equal(
            decide(
                quota,
                identity,
                { kind: "kubernetes", labels: { ...OURS, "aims.example.org/tenant": "evil" } },
                OWNER,
            ).kind,
            "refuse",
        );
        assert.equal(
            decide(quota, identity, { kind: "kubernetes", labels: OURS }, undefined).kind,
            "refuse",
        );
    });

    it("forgets a cut-off first install of the program's release, and refuses one in a foreign namespace", () => {
        const release: Candidate = {
            urn: "urn:pulumi:dev::aims::aims:index:Tenant$aims:kubernetes:TenantWorkload$kubernetes:helm.sh/v3:Release::school1-release",
            type: "kubernetes:helm.sh/v3:Release",
            inputs: { name: "school1", namespace: "school1" },
            origin: "pending-create",
        };
        const identity = physicalIdentity(release.type, release.inputs);
        const cutOff = {
            kind: "helm-release" as const,
            namespaceLabels: OURS,
            revisions: [
                {
                    secret: "sh.helm.release.v1.school1.v1",
                    labels: {
                        owner: "helm",
                        name: "school1",
                        version: "1",
                        status: "pending-install",
                    },
                },
            ],
        };
        const action = decide(release, identity, cutOff, OWNER);
        assert.equal(action.kind, "forget-helm-record");
        assert.deepEqual(action.kind === "forget-helm-record" && action.records, [
            "sh.helm.release.v1.school1.v1",
        ]);
        assert.equal(
            decide(
                release,
                identity,
                { ...cutOff, namespaceLabels: { ...OURS, "aims.example.org/environment": "prod" } },
                OWNER,
            ).kind,
            "refuse",
        );
    });

    it("waits for the owner role before judging a database, and refuses a pending create it cannot place", () => {
        const database: Candidate = {
            urn: "urn:pulumi:dev::aims::aims:index:Tenant$aims:index:TenantDatabase$postgresql:index/database:Database::school1-db",
            type: "postgresql:index/database:Database",
            inputs: { name: "tenant_school1", owner: UNKNOWN_VALUE },
            origin: "missing-from-state",
        };
        const found = {
            kind: "postgres-database" as const,
            facts: { owner: "tenant_school1", userRelations: 0 },
        };
        assert.equal(
            decide(database, physicalIdentity(database.type, database.inputs), found, OWNER).kind,
            "defer",
        );
        const secret = {
            ...quota,
            type: "kubernetes:core/v1:Secret",
            inputs: { metadata: { name: "x" } },
        };
        assert.equal(
            decide(secret, physicalIdentity(secret.type, secret.inputs), undefined, OWNER).kind,
            "refuse",
        );
        assert.equal(
            decide(
                { ...secret, origin: "missing-from-state" },
                physicalIdentity(secret.type, secret.inputs),
                undefined,
                OWNER,
            ).kind,
            "defer",
        );
    });
});

describe("recover: reading the state", () => {
    const exported = JSON.stringify({
        version: 3,
        deployment: {
            resources: [
                {
                    urn: "urn:pulumi:dev::aims::pulumi:pulumi:Stack::aims-dev",
                    type: "pulumi:pulumi:Stack",
                    outputs: { aimsStack: { outputsVersion: 1 } },
                },
                {
                    urn: "urn:pulumi:dev::aims::aims:index:Tenant::school-a",
                    type: "aims:index:Tenant",
                },
                {
                    urn: "urn:pulumi:dev::aims::aims:index:Tenant::school-a-b",
                    type: "aims:index:Tenant",
                },
            ],
            pending_operations: [
                {
                    type: "creating",
                    resource: { urn: "u", type: "random:index/randomPassword:RandomPassword" },
                },
            ],
        },
    });

    it("reads the tenants, the outputs and the pending operations", () => {
        const state = parseStackExport(exported);
        assert.deepEqual(tenantsInState(state), ["school-a", "school-a-b"]);
        assert.deepEqual(stackOutputs(state), { aimsStack: { outputsVersion: 1 } });
        assert.equal(state.pendingOperations.length, 1);
        assert.throws(() => parseStackExport("{}"), /no deployment/);
    });

    it("tells a resource's tenant by the longest tenant name that prefixes it, under a Tenant only", () => {
        const tenants = new Set(["school-a", "school-a-b"]);
        const urn = (
            name: string,
            chain = "aims:index:Tenant$aims:kubernetes:TenantWorkload$kubernetes:core/v1:Namespace",
        ) => `urn:pulumi:dev::aims::${chain}::${name}`;
        assert.equal(tenantOfResource(urn("school-a-b-namespace"), tenants), "school-a-b");
        assert.equal(tenantOfResource(urn("school-a-namespace"), tenants), "school-a");
        assert.equal(tenantOfResource(urn("school-c-namespace"), tenants), undefined);
        assert.equal(
            tenantOfResource(urn("school-a-namespace", "kubernetes:core/v1:Namespace"), tenants),
            undefined,
        );
    });
});

describe("recover: a checkpoint whose attributes a kill left empty", () => {
    const backend = (checkpoint: string, attrs: string | undefined): string => {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aims-checkpoint-"));
        const stacks = path.join(folder, ".pulumi", "stacks", "aims");
        fs.mkdirSync(stacks, { recursive: true });
        fs.writeFileSync(path.join(stacks, "dev.json"), checkpoint);
        if (attrs !== undefined) fs.writeFileSync(path.join(stacks, "dev.json.attrs"), attrs);
        return folder;
    };

    it("removes an empty attributes file beside a whole checkpoint, naming it", () => {
        const folder = backend('{"version":3,"checkpoint":{}}', "");
        const verdict = checkpointSidecarVerdict(folder, "aims", "organization/dev");
        assert.equal(verdict.action, "remove");
        assert.ok(verdict.action === "remove" && verdict.file.endsWith("dev.json.attrs"));
    });

    it("leaves attributes that hold something, and a checkpoint without them, alone", () => {
        assert.deepEqual(checkpointSidecarVerdict(backend("{}", '{"md5":"x"}'), "aims", "dev"), {
            action: "none",
        });
        assert.deepEqual(checkpointSidecarVerdict(backend("{}", undefined), "aims", "dev"), {
            action: "none",
        });
        assert.deepEqual(checkpointSidecarVerdict(backend("{}", ""), "other", "prod"), {
            action: "none",
        });
    });

    it("refuses when the checkpoint itself is not whole: a person restores it", () => {
        for (const broken of ["", '{"version":3,"checkpoint":', "not json"]) {
            const verdict = checkpointSidecarVerdict(backend(broken, ""), "aims", "dev");
            assert.equal(verdict.action, "refuse", JSON.stringify(broken));
            assert.match(
                verdict.action === "refuse" ? verdict.reason : "",
                /restore it from .*dev\.json\.bak/,
            );
        }
    });
});

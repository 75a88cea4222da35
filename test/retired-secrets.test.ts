import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/support/project-root";
import { RETIRED_TYPES, retiredResources, StateResource } from "../scripts/lib/retired-secrets";
import {
    TENANT_SERVICE_TYPE,
    TENANT_TYPE,
    TENANT_WORKLOAD_TYPE,
} from "../components/vocabulary/type-tokens";

const PREFIX = "urn:pulumi:prod::aims::";
const tenantUrn = (tenant: string) => `${PREFIX}${TENANT_TYPE}::${tenant}`;
const partUrn = (tenant: string, part: string) => `${PREFIX}${TENANT_TYPE}$${part}::${tenant}`;

/** A tenant's resource as `pulumi stack export` lists it. */
function child(
    tenant: string,
    type: string,
    name: string,
    options: Partial<StateResource> & { part?: string } = {},
): StateResource {
    const { part, ...rest } = options;
    const parent = part ? partUrn(tenant, part) : tenantUrn(tenant);
    const chain = part ? `${TENANT_TYPE}$${part}$${type}` : `${TENANT_TYPE}$${type}`;
    return { urn: `${PREFIX}${chain}::${name}`, type, parent, ...rest };
}

const tenant = (name: string): StateResource => ({
    urn: tenantUrn(name),
    type: TENANT_TYPE,
    parent: `${PREFIX}pulumi:pulumi:Stack::aims-prod`,
});
const part = (name: string, type: string): StateResource => ({
    urn: partUrn(name, type),
    type,
    parent: tenantUrn(name),
});
const secretKey = (name: string) =>
    child(name, RETIRED_TYPES.randomPassword, `${name}-secret-key`, { protect: true });
const kubernetesSecret = (name: string, suffix: string, objectName: string) =>
    child(name, RETIRED_TYPES.kubernetesSecret, `${name}-${suffix}`, {
        part: TENANT_WORKLOAD_TYPE,
        protect: true,
        retainOnDelete: true,
        inputs: { metadata: { name: objectName, namespace: name } },
    });
const awsChild = (name: string, type: string, resource: string, inputs = {}) =>
    child(name, type, resource, {
        part: TENANT_SERVICE_TYPE,
        protect: true,
        retainOnDelete: true,
        inputs,
    });

/** A Kubernetes tenant as the program before the merge deployed it. */
const oldKubernetesTenant = (name: string) => [
    tenant(name),
    secretKey(name),
    part(name, TENANT_WORKLOAD_TYPE),
    kubernetesSecret(name, "django-secret", `${name}-django-secret`),
    kubernetesSecret(name, "database-secret", `${name}-database`),
];
/** An AWS tenant as the program before the merge deployed it. */
const oldAwsTenant = (name: string) => [
    tenant(name),
    secretKey(name),
    part(name, TENANT_SERVICE_TYPE),
    awsChild(name, RETIRED_TYPES.awsSecret, `${name}-db-credentials`),
    awsChild(name, RETIRED_TYPES.awsSecretVersion, `${name}-db-credentials-value`),
    awsChild(name, RETIRED_TYPES.awsSecret, `${name}-secret-key`, {
        name: `prod-${name}-secret-key`,
    }),
    awsChild(name, RETIRED_TYPES.awsSecretVersion, `${name}-secret-key-value`),
];
const summary = (resources: readonly StateResource[]) =>
    retiredResources(resources).map(
        (r) => `${r.tenant} ${r.change} ${r.urn.slice(r.urn.lastIndexOf("::") + 2)}`,
    );

describe("retired secrets: what the move to one secret per tenant deletes or replaces", () => {
    it("lists a Kubernetes tenant's Django secret, protected and retained, with the command that removes it afterwards", () => {
        const [retired] = retiredResources(oldKubernetesTenant("school1"));
        assert.deepEqual(retired, {
            urn: `${PREFIX}${TENANT_TYPE}$${TENANT_WORKLOAD_TYPE}$${RETIRED_TYPES.kubernetesSecret}::school1-django-secret`,
            tenant: "school1",
            change: "delete",
            protect: true,
            retainOnDelete: true,
            removeByHand: "kubectl -n school1 delete secret school1-django-secret",
        });
        assert.equal(retiredResources(oldKubernetesTenant("school1")).length, 1);
    });

    it("never lists an adopted school's Django secret: the program generated no SECRET_KEY for it", () => {
        const adopted = oldKubernetesTenant("riverside-high").filter(
            (r) => r.type !== RETIRED_TYPES.randomPassword,
        );
        assert.deepEqual(summary(adopted), []);
        assert.deepEqual(summary([...adopted, ...oldKubernetesTenant("school1")]), [
            "school1 delete school1-django-secret",
        ]);
    });

    it("attributes a resource to the Tenant it belongs to, not to a name that looks like one", () => {
        const other = oldKubernetesTenant("school1").map((r) =>
            r.type === RETIRED_TYPES.kubernetesSecret
                ? { ...r, urn: r.urn.replace("::school1-", "::school2-") }
                : r,
        );
        assert.deepEqual(summary(other), [], "school2-django-secret is not school1's");
        const orphan = { ...kubernetesSecret("school1", "django-secret", "x"), parent: undefined };
        assert.deepEqual(summary([secretKey("school1"), orphan]), []);
    });

    it("lists an AWS tenant's SECRET_KEY secret and version, and the credentials version that is replaced", () => {
        assert.deepEqual(summary(oldAwsTenant("greenfield")), [
            "greenfield replace greenfield-db-credentials-value",
            "greenfield delete greenfield-secret-key",
            "greenfield delete greenfield-secret-key-value",
        ]);
        const secret = retiredResources(oldAwsTenant("greenfield")).find(
            (r) => r.change === "delete" && r.urn.endsWith("::greenfield-secret-key"),
        );
        assert.equal(
            secret?.removeByHand,
            "aws secretsmanager delete-secret --secret-id prod-greenfield-secret-key",
        );
    });

    it("finds nothing once the tenants have moved: no old secret, and the credentials version stays", () => {
        const moved = [
            ...oldKubernetesTenant("school1").filter((r) => !r.urn.endsWith("-django-secret")),
            ...oldAwsTenant("greenfield").filter((r) => !/-secret-key(-value)?$/.test(r.urn)),
        ];
        assert.deepEqual(summary(moved), []);
    });

    it("says what is not protected and not retained, as outside prod", () => {
        const dev = oldKubernetesTenant("school1").map((r) => ({
            ...r,
            protect: undefined,
            retainOnDelete: undefined,
        }));
        const [retired] = retiredResources(dev);
        assert.equal(retired.protect, false);
        assert.equal(retired.retainOnDelete, false);
        assert.equal(retired.removeByHand, undefined, "pulumi up deletes it");
    });
});

describe("npm run retired-secrets", function () {
    this.timeout(60_000);
    let bin: string;
    beforeEach(() => {
        // A stand-in for the Pulumi CLI: it prints a state and records the commands it is given.
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "aims-fake-pulumi-"));
        const state = JSON.stringify({
            deployment: {
                resources: [...oldKubernetesTenant("school1"), ...oldAwsTenant("greenfield")],
            },
        });
        fs.writeFileSync(path.join(bin, "state.json"), state);
        fs.writeFileSync(
            path.join(bin, "pulumi"),
            [
                "#!/bin/sh",
                `echo "$*" >> "${bin}/calls"`,
                `if [ "$1 $2" = "stack export" ]; then cat "${bin}/state.json"; fi`,
            ].join("\n"),
            { mode: 0o755 },
        );
    });
    afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

    const run = (...args: string[]) =>
        spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "scripts/retired-secrets.ts", ...args],
            {
                cwd: PROJECT_ROOT,
                encoding: "utf8",
                env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
            },
        );
    const calls = () => fs.readFileSync(path.join(bin, "calls"), "utf8").trim().split("\n");

    it("lists the stack's protected resources of the old layout and changes nothing", () => {
        const result = run("--stack", "prod");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /stack prod: 4 resources of the old secret layout:/);
        assert.match(
            result.stdout,
            /school1 {2}delete {2}protected {2}urn:\S+::school1-django-secret/,
        );
        assert.match(result.stdout, /run again with --unprotect first/);
        assert.deepEqual(calls(), ["stack export --stack prod --non-interactive"]);
    });

    it("unprotects exactly those with --unprotect, and says what to remove by hand afterwards", () => {
        const result = run("--stack", "prod", "--unprotect");
        assert.equal(result.status, 0, result.stderr);
        const unprotect = calls()[1].split(" ");
        assert.deepEqual(unprotect.slice(0, 5), ["state", "unprotect", "--stack", "prod", "--yes"]);
        assert.deepEqual(
            unprotect.slice(5, -1).map((urn) => urn.slice(urn.lastIndexOf("::") + 2)),
            [
                "school1-django-secret",
                "greenfield-db-credentials-value",
                "greenfield-secret-key",
                "greenfield-secret-key-value",
            ],
        );
        assert.match(result.stdout, /Unprotected 4 resources/);
        assert.match(result.stdout, /kubectl -n school1 delete secret school1-django-secret/);
        assert.match(
            result.stdout,
            /aws secretsmanager delete-secret --secret-id prod-greenfield-secret-key/,
        );
    });

    it("refuses to run without a stack, with its usage", () => {
        const result = run();
        assert.equal(result.status, 1);
        assert.match(result.stderr, /usage: npm run retired-secrets -- --stack STACK/);
        assert.equal(fs.existsSync(path.join(bin, "calls")), false, "pulumi was not run");
    });
});

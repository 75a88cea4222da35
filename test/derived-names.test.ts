/**
 * Names of things that already exist: two tenants whose derived names meet, and tenants named
 * like a namespace the stack relies on. The list of derived names is checked against every
 * resource a tenant registers, so a new resource cannot slip past the collision check.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    derivedNameCollisions,
    derivedNames,
    RESOURCE_NAME_SUFFIXES,
    resourceName,
} from "../components/tenant-files/derived-names";
import { ValidationError } from "../components/support/errors";
import { loadTenants } from "../components/tenant-files/registry";
import { awsSpec, deployAws } from "./support/aws";
import { deployTenant } from "./support/kubernetes";
import { spec } from "./support/mocks";
import { copyProject } from "./support/project";

const tenant = (name: string) => ({ name, file: `tenants/${name}.yaml` });

describe("derived names: two tenants", () => {
    const colliding: Array<[string, string]> = [
        ["school1", "school1-backup"],
        ["a", "a-backup"],
        ["riverside-high", "riverside-high-backup"],
        ["x1", "x1-backup"],
    ];
    for (const [first, second] of colliding) {
        it(`refuses ${first} next to ${second}, naming the shared name`, () => {
            const problems = derivedNameCollisions([tenant(first), tenant(second)]);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0],
                new RegExp(
                    `^tenants/${second}\\.yaml: name: its ECS task family "dev-${second}" is also the ECS task family "dev-${second}" of tenant ${first} \\(tenants/${first}\\.yaml\\); rename one of the two tenants$`,
                ),
            );
        });
        it(`refuses ${second} next to ${first} in either order`, () => {
            assert.equal(derivedNameCollisions([tenant(second), tenant(first)]).length, 1);
        });
    }

    for (const pair of [
        ["riverside", "riverside-high"],
        ["school1", "school1-backups"],
        ["school1", "backup-school1"],
        ["school1", "school10"],
        ["a-b", "a-b-c"],
    ]) {
        it(`accepts ${pair.join(" next to ")}`, () => {
            assert.deepEqual(derivedNameCollisions(pair.map(tenant)), []);
        });
    }

    it("accepts the example tenants", () => {
        assert.deepEqual(
            derivedNameCollisions(
                ["greenfield", "riverside-high", "school1"].map((name) => spec({ name })),
            ),
            [],
        );
    });

    it("refuses the pair from the tenant files, before any stack is read", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "aims-names-"));
        const dir = path.join(root, "tenants");
        fs.mkdirSync(dir);
        fs.writeFileSync(
            path.join(dir, "school1.yaml"),
            "name: school1\ndisplayName: School One\nplan: small\nstatus: offboarding\n",
        );
        fs.writeFileSync(
            path.join(dir, "school1-backup.yaml"),
            "name: school1-backup\ndisplayName: School One Backup\nplan: small\n",
        );
        try {
            assert.throws(
                () => loadTenants(dir),
                (err: unknown) => {
                    assert.ok(err instanceof ValidationError);
                    assert.equal(err.problems.length, 1, err.problems.join("\n"));
                    assert.match(
                        err.problems[0],
                        /^tenants\/school1\.yaml: name: its ECS task family "dev-school1-backup" is also the ECS task family "dev-school1-backup" of tenant school1-backup \(tenants\/school1-backup\.yaml\)/,
                    );
                    return true;
                },
            );
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("tenant add: refuses a name that collides with an existing tenant's, writing nothing", () => {
        const project = copyProject();
        try {
            const result = project.run("tenant", "add", "school1-backup");
            assert.equal(result.status, 1);
            assert.match(
                result.stderr,
                /^tenants\/school1-backup\.yaml: name: its ECS task family "dev-school1-backup" is also/m,
            );
            assert.equal(
                fs.existsSync(path.join(project.dir, "tenants", "school1-backup.yaml")),
                false,
            );
        } finally {
            project.remove();
        }
    });
});

describe("derived names: the list covers every resource of a tenant", () => {
    const NAME = "zz";
    const known = new Set(derivedNames(NAME).map(({ name }) => name));
    const physicalNameOf = (inputs: Record<string, any>): unknown =>
        inputs.metadata?.name ?? inputs.name ?? inputs.family;

    async function recorded() {
        const kubernetes = await deployTenant(
            "dev",
            { name: NAME, status: "offboarding" },
            {
                "aims:kubernetes": {
                    clusterIssuer: "letsencrypt-prod",
                    ingressNamespace: "traefik",
                    registry: { server: "registry.example.org", username: "u", password: "p" },
                },
            },
        );
        const aws = await deployAws("dev", [awsSpec({ name: NAME, status: "offboarding" })]);
        return [...kubernetes.mocks.resources, ...aws.mocks.resources].filter(
            (r) => !r.type.startsWith("pulumi:providers:"),
        );
    }

    it("lists the Pulumi name of every resource a Kubernetes and an AWS tenant register, offboarding with every option", async () => {
        const missing = (await recorded()).filter(
            (r) =>
                !(RESOURCE_NAME_SUFFIXES[r.type] ?? []).some(
                    (suffix) => resourceName(NAME, suffix) === r.name,
                ),
        );
        assert.deepEqual(
            missing.map((r) => `${r.type} ${r.name}`),
            [],
        );
    });

    it("lists every cloud and cluster name derived from the tenant's name", async () => {
        const derived = (await recorded())
            .map((r) => physicalNameOf(r.inputs))
            .filter((name): name is string => typeof name === "string" && name.includes(NAME));
        assert.ok(derived.length > 10, derived.join(", "));
        assert.deepEqual(
            derived.filter((name) => !known.has(name)),
            [],
        );
    });
});

/**
 * Hostnames cannot be taken over: a custom domain is refused when it is an IP address, a
 * wildcard, a name inside the cluster, another tenant's domain in another spelling, or on, under
 * or above any stack's base domain; a tenant's own host may not be another stack's base domain.
 * Checked in the tenant files, in the program for every stack file of the project, and in
 * `npm run tenant -- validate`.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ruleConditions } from "../components/aws/load-balancing";
import { awsPlacementProblems } from "../components/stack/aws-placement";
import { ValidationError } from "../components/support/errors";
import { hostProblems, StackDomain } from "../components/tenant-files/hosts";
import { crossTenantProblems, parseTenantFile } from "../components/tenant-files/registry";
import { settingsOf, spec, startMocks } from "./support/mocks";
import { copyProject, ProjectCopy } from "./support/project";
import { loadProgram } from "../scripts/lib/program";

const STACKS: StackDomain[] = [
    { file: "Pulumi.dev.yaml", baseDomain: "dev.aims.example.org" },
    { file: "Pulumi.sit.yaml", baseDomain: "sit.aims.example.org" },
    { file: "Pulumi.prod.yaml", baseDomain: "aims.example.org" },
];

function domainProblems(domain: string): string[] {
    return parseTenantFile(
        "tenants/school1.yaml",
        `name: school1\ndisplayName: School One\nplan: small\ndomain: "${domain}"\n`,
    ).problems;
}

describe("hosts: a custom domain on its own", () => {
    const refused: Record<string, [string, RegExp]> = {
        "an IPv4 address": ["10.0.0.1", /not an IP address/],
        "a public IPv4 address": ["203.0.113.7", /not an IP address/],
        "an IPv6 address": ["::1", /not an IP address/],
        "a bracketed IPv6 address": ["[2001:db8::1]", /not an IP address/],
        "an IPv4-mapped IPv6 address": ["::ffff:10.0.0.1", /not an IP address/],
        "a short numeric address": ["127.1", /not an IP address/],
        "a hex address": ["0x7f.0.0.1", /not an IP address/],
        "a wildcard": ["*.example.org", /not a wildcard/],
        "an ALB single-character wildcard": ["portal?.example.org", /not a wildcard/],
        localhost: ["localhost", /not a name inside the cluster/],
        "a name under localhost": ["portal.localhost", /not a name inside the cluster/],
        "a service name": ["pgbouncer.database.svc", /not a name inside the cluster/],
        "a cluster-local name": [
            "core.aims-core.svc.cluster.local",
            /not a name inside the cluster/,
        ],
        "an mDNS name": ["printer.local", /not a name inside the cluster/],
        "an internal name": ["metadata.google.internal", /not a name inside the cluster/],
        "upper case": [
            "Portal.School1.Example.org",
            /lowercase, without a final dot: portal\.school1\.example\.org$/,
        ],
        "a final dot": [
            "portal.school1.example.org.",
            /lowercase, without a final dot: portal\.school1\.example\.org$/,
        ],
    };
    for (const [label, [domain, message]] of Object.entries(refused)) {
        it(`refuses ${label} (${domain}) with one message naming the field`, () => {
            const problems = domainProblems(domain);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.ok(problems[0].startsWith("tenants/school1.yaml: domain: "), problems[0]);
            assert.match(problems[0], message);
        });
    }
    for (const good of [
        "portal.school1.org",
        "school1.example.org",
        "www.riverside-high.example.org",
        "a.b.c.example.org",
    ]) {
        it(`accepts ${good}`, () => assert.deepEqual(domainProblems(good), []));
    }
});

describe("hosts: against every tenant and stack", () => {
    const withDomain = (name: string, domain: string) => spec({ name, domain });
    const refused: Record<string, [string, RegExp]> = {
        "another tenant's host in prod": [
            "school1.aims.example.org",
            /is the host of tenant school1 \(tenants\/school1\.yaml\) under the base domain aims\.example\.org of Pulumi\.prod\.yaml/,
        ],
        "another tenant's host in dev": [
            "school1.dev.aims.example.org",
            /is the host of tenant school1 .* under the base domain dev\.aims\.example\.org of Pulumi\.dev\.yaml/,
        ],
        "a future tenant's host": [
            "newschool.sit.aims.example.org",
            /is a host under the base domain sit\.aims\.example\.org of Pulumi\.sit\.yaml; hosts under a base domain belong to the platform/,
        ],
        "a reserved host": [
            "www.aims.example.org",
            /is the reserved host www under the base domain aims\.example\.org/,
        ],
        "the reserved api host of dev": [
            "api.dev.aims.example.org",
            /is the reserved host api under the base domain dev\.aims\.example\.org/,
        ],
        "a base domain": ["sit.aims.example.org", /is the base domain of Pulumi\.sit\.yaml$/],
        "the prod base domain": ["aims.example.org", /is the base domain of Pulumi\.prod\.yaml$/],
        "a parent of every base domain": [
            "example.org",
            /is above the base domain .* could set cookies/,
        ],
        "a deeper host under another environment": [
            "a.b.dev.aims.example.org",
            /under the base domain dev\.aims\.example\.org/,
        ],
    };
    for (const [label, [domain, message]] of Object.entries(refused)) {
        it(`refuses ${label} (${domain})`, () => {
            const problems = hostProblems(
                [spec({ name: "school1" }), withDomain("hillcrest", domain)],
                STACKS,
            );
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.ok(problems[0].startsWith("tenants/hillcrest.yaml: domain: "), problems[0]);
            assert.match(problems[0], message);
        });
    }

    it("refuses a tenant whose own host is another stack's base domain", () => {
        assert.deepEqual(hostProblems([spec({ name: "sit" }), spec({ name: "school1" })], STACKS), [
            "tenants/sit.yaml: name: its host sit.aims.example.org in Pulumi.prod.yaml is the base domain sit.aims.example.org of Pulumi.sit.yaml; choose another name",
        ]);
        assert.match(
            hostProblems(
                [spec({ name: "aims" })],
                [...STACKS, { file: "Pulumi.edge.yaml", baseDomain: "example.org" }],
            )[0],
            /its host aims\.example\.org in Pulumi\.edge\.yaml is the base domain/,
        );
    });

    it("compares with a base domain without regard to case or a final dot", () => {
        assert.equal(
            hostProblems(
                [withDomain("hillcrest", "school1.aims.example.org")],
                [{ file: "Pulumi.prod.yaml", baseDomain: "AIMS.Example.org." }],
            ).length,
            1,
        );
    });

    it("accepts custom domains outside every base domain, and the example tenants", () => {
        assert.deepEqual(
            hostProblems(
                [
                    withDomain("a", "portal.a.example.org"),
                    withDomain("b", "b.org"),
                    spec({ name: "school1" }),
                ],
                STACKS,
            ),
            [],
        );
    });

    it("refuses two tenants' domains that differ only by case or a final dot", () => {
        const problems = crossTenantProblems([
            withDomain("a", "portal.example.org"),
            withDomain("b", "Portal.Example.org."),
        ]);
        assert.deepEqual(problems, [
            'tenants/b.yaml: domain: "Portal.Example.org." is also the domain of tenants/a.yaml',
        ]);
    });
});

describe("hosts: where the check runs", () => {
    let project: ProjectCopy;
    afterEach(() => project?.remove());
    const tenantFile =
        'name: hillcrest\ndisplayName: Hillcrest\nschoolId: "1004"\nplan: small\nenvironments: [dev]\ndomain: school1.aims.example.org\n';

    it("the program refuses a domain under another environment's base domain, from the stack files next to it", async () => {
        project = copyProject({
            "school1.yaml": 'name: school1\ndisplayName: S\nschoolId: "1001"\nplan: small\n',
            "hillcrest.yaml": tenantFile,
        });
        const mocks = startMocks("dev");
        const program = loadProgram(project.dir);
        await assert.rejects(program(), (err: unknown) => {
            assert.ok(err instanceof ValidationError);
            assert.deepEqual(
                err.problems.map((p) => p.split(" under ")[0]),
                [
                    "tenants/hillcrest.yaml: domain: school1.aims.example.org is the host of tenant school1 (tenants/school1.yaml)",
                ],
            );
            return true;
        });
        await mocks.settled();
        assert.deepEqual(mocks.resources, []);
    });

    it("the program checks its own stack when it is the only stack file", async () => {
        project = copyProject({
            "school1.yaml": 'name: school1\ndisplayName: S\nschoolId: "1001"\nplan: small\n',
            "hillcrest.yaml": tenantFile.replace("school1.aims", "school1.dev.aims"),
        });
        for (const other of ["Pulumi.sit.yaml", "Pulumi.prod.yaml"])
            fs.rmSync(path.join(project.dir, other));
        const mocks = startMocks("dev");
        const program = loadProgram(project.dir);
        await assert.rejects(
            program(),
            /tenants\/hillcrest\.yaml: domain: school1\.dev\.aims\.example\.org is the host of tenant school1/,
        );
        await mocks.settled();
        assert.deepEqual(mocks.resources, []);
    });

    it("tenant validate refuses it too, once", () => {
        project = copyProject({
            "school1.yaml": 'name: school1\ndisplayName: S\nschoolId: "1001"\nplan: small\n',
            "hillcrest.yaml": tenantFile,
        });
        const result = project.run("tenant", "validate");
        assert.equal(result.status, 1);
        assert.equal(
            result.stderr.match(
                /^tenants\/hillcrest\.yaml: domain: school1\.aims\.example\.org is the host of tenant school1/gm,
            )?.length,
            1,
            result.stderr,
        );
    });
});

describe("hosts: AWS listener rules", () => {
    // Host-header conditions match exactly (case-insensitively) unless the value holds * or ?.
    // Tenant hosts are single, distinct hosts, so no tenant's rule can match a request for another
    // tenant's host, whatever the priorities; the platform's rules keep 1-99 ahead of every tenant.
    it("builds conditions on exactly one host, and refuses a pattern", () => {
        assert.deepEqual(ruleConditions("web", "school1.aims.example.org"), [
            { hostHeader: { values: ["school1.aims.example.org"] } },
        ]);
        for (const pattern of ["*.aims.example.org", "school?.aims.example.org", "*"]) {
            assert.throws(() => ruleConditions("api", pattern), /one exact host, not a pattern/);
        }
    });

    for (const priority of [1, 50, 99]) {
        it(`refuses an explicit listenerPriority of ${priority}, ahead of the platform's rules`, () => {
            startMocks("dev");
            const tenant = spec({
                name: "greenfield",
                platform: "aws",
                aws: { listenerPriority: priority },
            });
            const aws = settingsOf("dev", [spec({ name: "greenfield", platform: "aws" })]).aws!;
            assert.deepEqual(awsPlacementProblems([tenant], aws), [
                `tenants/greenfield.yaml: aws.listenerPriority: must be at least 100: priorities 1 to 99 are the platform's own rules (maintenance, redirects, blocks for every host), which a tenant's rules must never be evaluated ahead of (got ${priority})`,
            ]);
        });
    }
});

/**
 * The end-to-end suite's aims-core stand-in (test/e2e/support/core-standin.ts), driven by the real
 * callers: the chart's bootstrap-ready script, run as the chart runs it (`python3 -c`), and the
 * cleanup's delete-tenant script, run as the cleanup command runs it (`node -e`). It accepts and
 * records what the real core accepts, and refuses what the real core refuses, with its status.
 */
import { strict as assert } from "node:assert";
import { BOOTSTRAP_READY_SCRIPT } from "../components/core-contract";
import { DELETE_TENANT_SCRIPT } from "../components/core-cleanup";
import { bootstrapReadyUrl, deleteTenantUrl } from "../components/stack/core";
import { CoreStandin, describeCalls, startCoreStandin } from "./e2e/support/core-standin";
import { serverCertificate, testCa } from "./e2e/support/test-ca";
import { runProgram } from "./support/loopback";

const BOOTSTRAP_SECRET = "standin-bootstrap-secret-0000";
const ADMIN_KEY = "standin-admin-key-0000";

describe("the aims-core stand-in of the end-to-end suite", () => {
    let core: CoreStandin;
    beforeEach(async () => {
        core = await startCoreStandin({
            host: "127.0.0.1",
            bootstrapSecret: BOOTSTRAP_SECRET,
            adminApiKey: ADMIN_KEY,
            schools: { alpha: "101" },
        });
    });
    afterEach(() => core.close());

    const bootstrapReady = (overrides: Record<string, string> = {}) =>
        runProgram("python3", ["-c", BOOTSTRAP_READY_SCRIPT], {
            CORE_BOOTSTRAP_READY_URL: bootstrapReadyUrl(core),
            TENANT_BOOTSTRAP_SECRET: BOOTSTRAP_SECRET,
            TENANT_SUBDOMAIN: "alpha",
            TENANT_SCHOOL_ID: "101",
            BOOTSTRAP_READY_ATTEMPTS: "1",
            ...overrides,
        });
    const deleteTenant = (overrides: Record<string, string> = {}) =>
        runProgram(process.execPath, ["-e", DELETE_TENANT_SCRIPT], {
            CORE_DELETE_TENANT_URL: deleteTenantUrl(core),
            CORE_ADMIN_API_KEY: ADMIN_KEY,
            TENANT_SUBDOMAIN: "alpha",
            CORE_CLEANUP_ATTEMPTS: "1",
            ...overrides,
        });

    it("serves at the advertised host, the bound one by default", async () => {
        assert.equal(core.url, `http://127.0.0.1:${core.port}`);
        const advertised = await startCoreStandin({
            host: "127.0.0.1",
            advertisedHost: "10.88.0.1",
            bootstrapSecret: BOOTSTRAP_SECRET,
            adminApiKey: ADMIN_KEY,
        });
        try {
            assert.equal(advertised.url, `http://10.88.0.1:${advertised.port}`);
            assert.notEqual(advertised.port, 0);
        } finally {
            await advertised.close();
        }
    });

    it("accepts the bootstrap-ready callback of a known school, every time, and records it", async () => {
        const before = Date.now();
        for (let run = 0; run < 2; run++) {
            const result = await bootstrapReady();
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /core accepted tenant alpha \(school 101\).*HTTP 200/);
        }
        const call = await core.waitForCall(
            (c) => c.endpoint === "bootstrap-ready" && c.subdomain === "alpha",
            1000,
        );
        assert.equal(call.schoolId, "101");
        assert.equal(call.status, 200);
        assert.equal(call.outcome, "accepted");
        assert.equal(call.method, "POST");
        assert.equal(call.path, "/api/auth/tenant-bootstrap-ready/");
        assert.ok(call.receivedAt.getTime() >= before && call.receivedAt.getTime() <= Date.now());
        assert.equal(core.calls.length, 2);
    });

    it("waits for a call still to come", async () => {
        const waiting = core.waitForCall((c) => c.subdomain === "beta", 10_000);
        core.addSchool("beta", "202");
        await bootstrapReady({ TENANT_SUBDOMAIN: "beta", TENANT_SCHOOL_ID: "202" });
        assert.deepEqual(
            { ...(await waiting), receivedAt: undefined },
            {
                receivedAt: undefined,
                endpoint: "bootstrap-ready",
                method: "POST",
                path: "/api/auth/tenant-bootstrap-ready/",
                subdomain: "beta",
                schoolId: "202",
                status: 200,
                outcome: "accepted",
            },
        );
    });

    it("refuses a wrong bootstrap secret with 403, which fails the script with its hint", async () => {
        const result = await bootstrapReady({ TENANT_BOOTSTRAP_SECRET: "not-the-secret" });
        assert.equal(result.status, 1);
        assert.match(
            result.stderr,
            /HTTP 403 \(TENANT_BOOTSTRAP_SECRET does not match the core's: check aims:core\.bootstrapSecret\)/,
        );
        assert.deepEqual(
            core.calls.map((c) => [c.subdomain, c.status, c.outcome]),
            [["alpha", 403, "wrong bootstrap secret in header"]],
        );
    });

    it("refuses a school id that is not the subdomain's, and an unknown subdomain, with 404", async () => {
        const wrongId = await bootstrapReady({ TENANT_SCHOOL_ID: "999" });
        const unknown = await bootstrapReady({ TENANT_SUBDOMAIN: "gamma" });
        for (const result of [wrongId, unknown]) {
            assert.equal(result.status, 1);
            assert.match(result.stderr, /HTTP 404 \(no such endpoint, or the core has no school/);
        }
        assert.deepEqual(
            core.calls.map((c) => [c.subdomain, c.schoolId, c.status, c.outcome]),
            [
                ["alpha", "999", 404, "school id does not match the subdomain's"],
                ["gamma", "101", 404, "unknown subdomain"],
            ],
        );
    });

    it("deletes a known tenant with the admin key, then knows it no more", async () => {
        const result = await deleteTenant();
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /aims-core cleanup of tenant alpha .*: done \(HTTP 200\)/);
        assert.deepEqual(core.schools(), {});
        const again = await deleteTenant();
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stdout, /no such school \(HTTP 404\), already clean/);
        assert.deepEqual(
            core.calls.map((c) => [c.endpoint, c.subdomain, c.status, c.outcome]),
            [
                ["delete-tenant", "alpha", 200, "deleted"],
                ["delete-tenant", "alpha", 404, "unknown subdomain"],
            ],
        );
    });

    it("refuses a wrong admin key with 403, which fails the cleanup, and keeps the school", async () => {
        const result = await deleteTenant({ CORE_ADMIN_API_KEY: "not-the-key" });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /HTTP 403 \(the admin API key is wrong/);
        assert.deepEqual(core.schools(), { alpha: "101" });
        assert.deepEqual(
            core.calls.map((c) => [c.subdomain, c.status, c.outcome]),
            [["alpha", 403, "wrong admin API key"]],
        );
    });

    it("never records nor describes a secret, and says what it saw when a wait times out", async () => {
        await bootstrapReady({ TENANT_BOOTSTRAP_SECRET: "not-the-secret" });
        await deleteTenant({ CORE_ADMIN_API_KEY: "not-the-key" });
        await bootstrapReady();
        const recorded = JSON.stringify(core.calls) + describeCalls(core.calls);
        for (const secret of [BOOTSTRAP_SECRET, ADMIN_KEY, "not-the-secret", "not-the-key"])
            assert.ok(!recorded.includes(secret), `${secret} is not recorded`);
        await assert.rejects(
            core.waitForCall((c) => c.subdomain === "nobody", 50),
            /no matching call to the core stand-in within 50 ms; calls seen: \S+ POST \/api\/auth\/tenant-bootstrap-ready\/ subdomain=alpha school_id=101: 403 wrong bootstrap secret in header; .* 403 wrong admin API key; .* 200 accepted$/,
        );
    });

    it("answers 404 elsewhere, 405 to another method, 400 to a body that is not JSON", async () => {
        const other = await fetch(`${core.url}/api/elsewhere/`, { method: "POST" });
        const get = await fetch(`${core.url}/api/admin/delete-tenant/`);
        const notJson = await fetch(`${core.url}/api/admin/delete-tenant/`, {
            method: "POST",
            headers: { "X-Admin-API-Key": ADMIN_KEY },
            body: "subdomain=alpha",
        });
        assert.deepEqual([other.status, get.status, notJson.status], [404, 405, 400]);
        assert.deepEqual(core.schools(), { alpha: "101" });
    });
});

describe("the aims-core stand-in over https, with the suite's test CA", () => {
    let core: CoreStandin | undefined;
    afterEach(async () => {
        await core?.close();
        core = undefined;
    });

    const start = async (sans: string[], advertisedHost?: string) => {
        const certificate = serverCertificate(sans);
        core = await startCoreStandin({
            host: "127.0.0.1",
            ...(advertisedHost && { advertisedHost }),
            tls: { cert: certificate.certPem, key: certificate.keyPem },
            bootstrapSecret: BOOTSTRAP_SECRET,
            adminApiKey: ADMIN_KEY,
            schools: { alpha: "101" },
        });
        return core;
    };
    const bootstrapReady = (url: string, trust: Record<string, string>) =>
        runProgram("python3", ["-c", BOOTSTRAP_READY_SCRIPT], {
            CORE_BOOTSTRAP_READY_URL: bootstrapReadyUrl({ url }),
            TENANT_BOOTSTRAP_SECRET: BOOTSTRAP_SECRET,
            TENANT_SUBDOMAIN: "alpha",
            TENANT_SCHOOL_ID: "101",
            BOOTSTRAP_READY_ATTEMPTS: "1",
            ...trust,
        });
    const deleteTenant = (url: string, trust: Record<string, string>) =>
        runProgram(process.execPath, ["-e", DELETE_TENANT_SCRIPT], {
            CORE_DELETE_TENANT_URL: deleteTenantUrl({ url }),
            CORE_ADMIN_API_KEY: ADMIN_KEY,
            TENANT_SUBDOMAIN: "alpha",
            CORE_CLEANUP_ATTEMPTS: "1",
            ...trust,
        });

    it("serves https: the chart's script trusting the CA (SSL_CERT_FILE) is accepted, one that does not is refused by TLS", async () => {
        const { url, port } = await start(["IP:127.0.0.1", "DNS:localhost"]);
        assert.equal(url, `https://127.0.0.1:${port}`);

        const untrusting = await bootstrapReady(url, {});
        assert.equal(untrusting.status, 1);
        assert.match(untrusting.stderr, /CERTIFICATE_VERIFY_FAILED.*unable to get local issuer/);
        assert.equal(core!.calls.length, 0, "no request got through the handshake");

        const trusting = await bootstrapReady(url, { SSL_CERT_FILE: testCa().certFile });
        assert.equal(trusting.status, 0, trusting.stderr);
        assert.match(trusting.stdout, /core accepted tenant alpha \(school 101\).*HTTP 200/);
        assert.deepEqual(
            core!.calls.map((c) => [c.endpoint, c.subdomain, c.schoolId, c.status]),
            [["bootstrap-ready", "alpha", "101", 200]],
        );
    });

    it("serves https: the cleanup's Node fetch trusting the CA (NODE_EXTRA_CA_CERTS) deletes, one that does not is refused by TLS", async () => {
        const { url } = await start(["IP:127.0.0.1", "DNS:localhost"], "localhost");
        assert.match(url, /^https:\/\/localhost:\d+$/);

        const untrusting = await deleteTenant(url, {});
        assert.equal(untrusting.status, 1);
        assert.match(untrusting.stderr, /last answer UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
        assert.deepEqual(core!.schools(), { alpha: "101" });

        const trusting = await deleteTenant(url, { NODE_EXTRA_CA_CERTS: testCa().certFile });
        assert.equal(trusting.status, 0, trusting.stderr);
        assert.match(trusting.stdout, /aims-core cleanup of tenant alpha .*: done \(HTTP 200\)/);
        assert.deepEqual(core!.schools(), {});
    });

    it("is refused, even by clients that trust the CA, at a host its certificate does not name", async () => {
        const { url } = await start(["DNS:core.aims.invalid"], "127.0.0.1");
        const trust = { SSL_CERT_FILE: testCa().certFile, NODE_EXTRA_CA_CERTS: testCa().certFile };

        const python = await bootstrapReady(url, trust);
        assert.equal(python.status, 1);
        assert.match(python.stderr, /CERTIFICATE_VERIFY_FAILED.*IP address mismatch/);
        const node = await deleteTenant(url, trust);
        assert.equal(node.status, 1);
        assert.match(node.stderr, /last answer ERR_TLS_CERT_ALTNAME_INVALID/);
        assert.equal(core!.calls.length, 0);
    });
});

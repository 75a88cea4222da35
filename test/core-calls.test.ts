/**
 * The two calls to the core, run for real against a stand-in core on loopback: the tenant's
 * bootstrap-ready callback (charts/tenant/files/bootstrap-ready.py, which the chart and the ECS task
 * run) and the cleanup on removal (components/core-cleanup/delete-tenant.js, the delete step of the
 * tenant's cleanup command). Each checks method, path, secret and body, retries a failing core
 * with backoff, stops at once on a refusal, and gives up in bounded time when the core is down.
 */
import { strict as assert } from "node:assert";
import { BOOTSTRAP_READY_PATH, DELETE_TENANT_PATH } from "../components/stack/core";
import { BOOTSTRAP_READY_SCRIPT_PATH } from "../components/core-contract";
import { DELETE_TENANT_SCRIPT } from "../components/core-cleanup";
import {
    closedPort,
    Loopback,
    RecordedRequest,
    runProgram,
    startLoopback,
} from "./support/loopback";
import { deployTenant, TYPES } from "./support/kubernetes";
import { Secret } from "./support/mocks";

const BOOTSTRAP_SECRET = "test-bootstrap-secret-0000";
const ADMIN_KEY = "test-admin-key-0000";

/** The core: checks the request as the real one would, then answers `statuses` in turn (the last repeats). */
function coreAnswering(
    path: string,
    authorised: (request: RecordedRequest) => boolean,
    statuses: readonly number[],
) {
    return (request: RecordedRequest, index: number): number => {
        if (request.method !== "POST" || request.path !== path) return 404;
        if (!authorised(request)) return 403;
        return statuses[Math.min(index, statuses.length - 1)];
    };
}

describe("the core's calls, against a core on loopback", () => {
    let core: Loopback | undefined;
    afterEach(async () => {
        await core?.close();
        core = undefined;
    });

    describe("bootstrap-ready callback (python)", () => {
        const bootstrapped = (request: RecordedRequest) => {
            const body = JSON.parse(request.body);
            return (
                request.headers["x-tenant-bootstrap-secret"] === BOOTSTRAP_SECRET &&
                body.bootstrap_secret === BOOTSTRAP_SECRET &&
                request.headers["content-type"] === "application/json"
            );
        };
        const callback = (url: string, overrides: Record<string, string> = {}) =>
            runProgram("python3", [BOOTSTRAP_READY_SCRIPT_PATH], {
                CORE_BOOTSTRAP_READY_URL: url,
                TENANT_BOOTSTRAP_SECRET: BOOTSTRAP_SECRET,
                TENANT_SUBDOMAIN: "hillcrest",
                TENANT_SCHOOL_ID: "2042",
                BOOTSTRAP_READY_ATTEMPTS: "6",
                BOOTSTRAP_READY_DEADLINE_SECONDS: "20",
                BOOTSTRAP_READY_FIRST_DELAY_SECONDS: "0.05",
                ...overrides,
            });

        it("POSTs the secret, subdomain and school id, retrying a failing core until it accepts", async () => {
            core = await startLoopback(
                coreAnswering(BOOTSTRAP_READY_PATH, bootstrapped, [500, 500, 503, 200]),
            );
            const result = await callback(`${core.origin}${BOOTSTRAP_READY_PATH}`);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(core.requests.length, 4);
            for (const request of core.requests) {
                assert.equal(request.method, "POST");
                assert.equal(request.path, BOOTSTRAP_READY_PATH);
                assert.deepEqual(JSON.parse(request.body), {
                    subdomain: "hillcrest",
                    school_id: "2042",
                    bootstrap_secret: BOOTSTRAP_SECRET,
                });
            }
            assert.match(result.stdout, /attempt 1\/6 .*HTTP 500; retrying in 0\.05s/);
            assert.match(result.stdout, /attempt 2\/6 .*retrying in 0\.1s/, "the delay doubles");
            assert.match(
                result.stdout,
                /core accepted tenant hillcrest \(school 2042\) as bootstrapped: HTTP 200/,
            );
            assert.doesNotMatch(
                result.stdout + result.stderr,
                new RegExp(BOOTSTRAP_SECRET),
                "the secret is never printed",
            );
        });

        it("fails at once, saying why, when the core refuses the secret", async () => {
            core = await startLoopback(coreAnswering(BOOTSTRAP_READY_PATH, bootstrapped, [200]));
            const result = await callback(`${core.origin}${BOOTSTRAP_READY_PATH}`, {
                TENANT_BOOTSTRAP_SECRET: "wrong-secret",
            });
            assert.equal(result.status, 1);
            assert.equal(core.requests.length, 1, "a refusal is not retried");
            assert.match(
                result.stderr,
                /the core refused tenant hillcrest \(school 2042\) at .*: HTTP 403 \(TENANT_BOOTSTRAP_SECRET does not match/,
            );
            assert.doesNotMatch(result.stderr, /wrong-secret/);
        });

        it("fails at once on 404 (a wrong URL or an unknown school)", async () => {
            core = await startLoopback(coreAnswering(BOOTSTRAP_READY_PATH, bootstrapped, [200]));
            const result = await callback(`${core.origin}/api/auth/elsewhere/`);
            assert.equal(result.status, 1);
            assert.equal(core.requests.length, 1);
            assert.match(result.stderr, /HTTP 404 \(no such endpoint, or the core has no school/);
        });

        it("gives up after its attempts when the core keeps failing", async () => {
            core = await startLoopback(coreAnswering(BOOTSTRAP_READY_PATH, bootstrapped, [502]));
            const result = await callback(`${core.origin}${BOOTSTRAP_READY_PATH}`, {
                BOOTSTRAP_READY_ATTEMPTS: "3",
            });
            assert.equal(result.status, 1);
            assert.equal(core.requests.length, 3);
            assert.match(
                result.stderr,
                /did not accept tenant hillcrest .* after 3 attempts: last answer HTTP 502/,
            );
        });

        it("gives up within its deadline when the core is down", async () => {
            const port = await closedPort();
            const result = await callback(`http://127.0.0.1:${port}${BOOTSTRAP_READY_PATH}`, {
                BOOTSTRAP_READY_ATTEMPTS: "50",
                BOOTSTRAP_READY_DEADLINE_SECONDS: "2",
                BOOTSTRAP_READY_FIRST_DELAY_SECONDS: "0.2",
            });
            assert.equal(result.status, 1);
            assert.ok(result.seconds < 10, `took ${result.seconds}s`);
            assert.match(
                result.stderr,
                /did not accept tenant hillcrest .* after \d+ attempts: last answer .*refused/i,
            );
        });
    });

    describe("cleanup on removal (node)", () => {
        const admin = (request: RecordedRequest) =>
            request.headers["x-admin-api-key"] === ADMIN_KEY &&
            request.headers["content-type"] === "application/json";
        const cleanup = (url: string, overrides: Record<string, string> = {}) =>
            runProgram(process.execPath, ["-e", DELETE_TENANT_SCRIPT], {
                CORE_DELETE_TENANT_URL: url,
                CORE_ADMIN_API_KEY: ADMIN_KEY,
                TENANT_SUBDOMAIN: "hillcrest",
                CORE_CLEANUP_ATTEMPTS: "5",
                CORE_CLEANUP_DEADLINE_SECONDS: "20",
                CORE_CLEANUP_FIRST_DELAY_SECONDS: "0.05",
                ...overrides,
            });

        it("POSTs the subdomain with the admin key, retrying a failing core until it accepts", async () => {
            core = await startLoopback(coreAnswering(DELETE_TENANT_PATH, admin, [500, 503, 200]));
            const result = await cleanup(`${core.origin}${DELETE_TENANT_PATH}`);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(core.requests.length, 3);
            for (const request of core.requests) {
                assert.equal(request.method, "POST");
                assert.equal(request.path, DELETE_TENANT_PATH);
                assert.deepEqual(JSON.parse(request.body), { subdomain: "hillcrest" });
            }
            assert.match(result.stderr, /attempt 1\/5: HTTP 500; retrying in 0\.05s/);
            assert.match(
                result.stdout,
                /aims-core cleanup of tenant hillcrest .*: done \(HTTP 200\)/,
            );
            assert.doesNotMatch(
                result.stdout + result.stderr,
                new RegExp(ADMIN_KEY),
                "the key is never printed",
            );
        });

        it("counts a 404 as already clean", async () => {
            core = await startLoopback(() => 404);
            const result = await cleanup(`${core.origin}${DELETE_TENANT_PATH}`);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(core.requests.length, 1);
            assert.match(result.stdout, /no such school \(HTTP 404\), already clean/);
        });

        it("fails at once with a clear message when the key is wrong", async () => {
            core = await startLoopback(coreAnswering(DELETE_TENANT_PATH, admin, [200]));
            const result = await cleanup(`${core.origin}${DELETE_TENANT_PATH}`, {
                CORE_ADMIN_API_KEY: "wrong-key",
            });
            assert.equal(result.status, 1);
            assert.equal(core.requests.length, 1);
            assert.match(
                result.stderr,
                /aims-core cleanup of tenant hillcrest .* failed: HTTP 403 \(the admin API key is wrong: check aims:core\.adminApiKey\)\. Nothing else of the tenant was deleted/,
            );
            assert.doesNotMatch(result.stderr, /wrong-key/);
        });

        it("gives up after its attempts when the core keeps failing", async () => {
            core = await startLoopback(coreAnswering(DELETE_TENANT_PATH, admin, [500]));
            const result = await cleanup(`${core.origin}${DELETE_TENANT_PATH}`, {
                CORE_CLEANUP_ATTEMPTS: "3",
            });
            assert.equal(result.status, 1);
            assert.equal(core.requests.length, 3);
            assert.match(
                result.stderr,
                /failed: no success after 3 attempts, last answer HTTP 500/,
            );
        });

        it("gives up within its deadline when the core is down", async () => {
            const port = await closedPort();
            const result = await cleanup(`http://127.0.0.1:${port}${DELETE_TENANT_PATH}`, {
                CORE_CLEANUP_ATTEMPTS: "50",
                CORE_CLEANUP_DEADLINE_SECONDS: "2",
                CORE_CLEANUP_FIRST_DELAY_SECONDS: "0.2",
            });
            assert.equal(result.status, 1);
            assert.ok(result.seconds < 10, `took ${result.seconds}s`);
            assert.match(
                result.stderr,
                /failed: no success after \d+ attempts, last answer ECONNREFUSED/,
            );
        });
    });
});

describe("the cleanup command of a tenant", () => {
    const COMMAND = "command:local:Command";

    it("is a child of the Tenant whose only command is its delete step, the key a secret of its environment", async () => {
        const { mocks, r } = await deployTenant("dev", { name: "school1" });
        const cleanup = mocks.get(COMMAND, "school1-core-cleanup");
        assert.equal(cleanup.parent, r.tenant.urn);
        assert.equal(cleanup.inputs.create, undefined, "nothing runs while the tenant exists");
        assert.equal(
            cleanup.inputs.delete,
            `node -e '${DELETE_TENANT_SCRIPT.replace(/'/g, "'\\''")}'`,
        );
        assert.ok(
            cleanup.inputs.environment instanceof Secret ||
                cleanup.inputs.environment.CORE_ADMIN_API_KEY instanceof Secret,
            "the key is secret",
        );
        const environment =
            cleanup.inputs.environment instanceof Secret
                ? (cleanup.inputs.environment.value as Record<string, unknown>)
                : cleanup.inputs.environment;
        assert.equal(
            environment.CORE_DELETE_TENANT_URL,
            "https://core.dev.aims.example.org/api/admin/delete-tenant/",
        );
        assert.equal(environment.TENANT_SUBDOMAIN, "school1");
        assert.ok(
            !String(cleanup.inputs.delete).includes("offline-placeholder"),
            "no secret on the command line",
        );
        for (const part of [r.namespace, r.release]) {
            assert.ok(
                cleanup.dependencies.includes(part.urn),
                `deleted before ${part.name}, so a refusal leaves the tenant whole`,
            );
        }
        const rollout = mocks.get(COMMAND, "school1-rollout");
        assert.ok(
            !cleanup.dependencies.includes(rollout.urn),
            "not after the rollout check: a tenant whose first rollout failed is cleaned up too",
        );
        assert.equal(cleanup.protect, false);
    });

    it("is protected with the tenant's data in prod, and lifted while offboarding", async () => {
        assert.equal(
            (await deployTenant("prod", { name: "school1" })).mocks.get(
                COMMAND,
                "school1-core-cleanup",
            ).protect,
            true,
        );
        assert.equal(
            (await deployTenant("prod", { name: "school1", status: "offboarding" })).mocks.get(
                COMMAND,
                "school1-core-cleanup",
            ).protect,
            false,
        );
    });

    it("does not exist in a stack without a core", async () => {
        const { mocks } = await deployTenant(
            "dev",
            { name: "school1" },
            { "aims:core": undefined },
        );
        assert.deepEqual(
            mocks.ofType(COMMAND).map((c) => c.name),
            ["school1-rollout"],
            "only the rollout check, no cleanup",
        );
        assert.equal(mocks.ofType(TYPES.workload).length, 1);
    });
});

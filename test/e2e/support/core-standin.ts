/**
 * A stand-in of aims-core for the end-to-end suite: the two endpoints this program and the tenant
 * chart call (docs/core.md, sections 4 and 5), checked as the real core checks them, and a record
 * of every call so a test can say which tenant called back, with which school id, and when.
 *
 * - POST /api/auth/tenant-bootstrap-ready/: the bootstrap secret in the X-Tenant-Bootstrap-Secret
 *   header (401 when missing, 403 when wrong) and in the body (403 when wrong); a known subdomain
 *   whose school id is the registered one (404 otherwise). Accepted as often as a pod restarts.
 * - POST /api/admin/delete-tenant/: the admin key in X-Admin-API-Key (403 otherwise); a known
 *   subdomain (404 otherwise), which it then forgets, as the core deletes the school.
 *
 * Secrets are compared, never recorded nor printed. Given a certificate (one the suite's test CA
 * signed, test-ca.ts), it serves https, as aims:core.url requires.
 */
import { BOOTSTRAP_READY_PATH, DELETE_TENANT_PATH } from "../../../components/stack/core";
import {
    httpOrigin,
    Loopback,
    LoopbackOptions,
    RecordedRequest,
    startLoopback,
} from "../../support/loopback";

export type CoreEndpoint = "bootstrap-ready" | "delete-tenant" | "other";

export interface CoreCall {
    readonly receivedAt: Date;
    readonly endpoint: CoreEndpoint;
    readonly method: string;
    readonly path: string;
    readonly subdomain?: string;
    readonly schoolId?: string;
    /** The HTTP status the stand-in answered. */
    readonly status: number;
    /** Why, in words: `accepted`, `wrong bootstrap secret`, `unknown subdomain`, ... */
    readonly outcome: string;
}

export interface CoreStandinOptions extends LoopbackOptions {
    /** Host name or address the tenants reach the stand-in at, for `url`; default the bound host. */
    readonly advertisedHost?: string;
    readonly bootstrapSecret: string;
    readonly adminApiKey: string;
    /** Known schools: subdomain to school id. */
    readonly schools?: Readonly<Record<string, string>>;
}

export interface CoreStandin {
    /** Base URL for aims:core.url: `https://<advertised host>:<port>` (http without `tls`), no trailing slash. */
    readonly url: string;
    readonly port: number;
    /** Every call so far, in the order received. */
    readonly calls: readonly CoreCall[];
    /** Schools it knows now: delete-tenant removes one. */
    schools(): Record<string, string>;
    addSchool(subdomain: string, schoolId: string): void;
    /** The first call, past or future, that `matches`; rejects after `timeoutMs` listing the calls seen. */
    waitForCall(matches: (call: CoreCall) => boolean, timeoutMs: number): Promise<CoreCall>;
    close(): Promise<void>;
}

interface Answer {
    readonly status: number;
    readonly outcome: string;
    readonly subdomain?: string;
    readonly schoolId?: string;
}

export async function startCoreStandin(options: CoreStandinOptions): Promise<CoreStandin> {
    const schools = new Map(Object.entries(options.schools ?? {}));
    const calls: CoreCall[] = [];
    const waiters = new Set<(call: CoreCall) => void>();

    const answer = (request: RecordedRequest): Answer => {
        const endpoint = endpointOf(request.path);
        if (endpoint === "other") return { status: 404, outcome: "no such endpoint" };
        if (request.method !== "POST") return { status: 405, outcome: "method not allowed" };
        const body = parseBody(request.body);
        if (!body) return { status: 400, outcome: "body is not a JSON object" };
        const subdomain = stringField(body, "subdomain");
        if (endpoint === "bootstrap-ready") {
            const schoolId = stringField(body, "school_id");
            const header = request.headers["x-tenant-bootstrap-secret"];
            const seen = { subdomain, schoolId };
            if (header === undefined)
                return { ...seen, status: 401, outcome: "no bootstrap secret" };
            if (header !== options.bootstrapSecret)
                return { ...seen, status: 403, outcome: "wrong bootstrap secret in header" };
            if (body.bootstrap_secret !== options.bootstrapSecret)
                return { ...seen, status: 403, outcome: "wrong bootstrap secret in body" };
            if (subdomain === undefined || !schools.has(subdomain))
                return { ...seen, status: 404, outcome: "unknown subdomain" };
            if (schools.get(subdomain) !== schoolId)
                return {
                    ...seen,
                    status: 404,
                    outcome: "school id does not match the subdomain's",
                };
            return { ...seen, status: 200, outcome: "accepted" };
        }
        if (request.headers["x-admin-api-key"] !== options.adminApiKey)
            return { subdomain, status: 403, outcome: "wrong admin API key" };
        if (subdomain === undefined || !schools.delete(subdomain))
            return { subdomain, status: 404, outcome: "unknown subdomain" };
        return { subdomain, status: 200, outcome: "deleted" };
    };

    const record = (request: RecordedRequest): number => {
        const { status, outcome, subdomain, schoolId } = answer(request);
        const call: CoreCall = {
            receivedAt: request.receivedAt,
            endpoint: endpointOf(request.path),
            method: request.method,
            path: request.path,
            ...(subdomain !== undefined && { subdomain }),
            ...(schoolId !== undefined && { schoolId }),
            status,
            outcome,
        };
        calls.push(call);
        for (const waiter of waiters) waiter(call);
        return status;
    };

    const server: Loopback = await startLoopback(record, options);
    return {
        url: httpOrigin(
            options.advertisedHost ?? options.host ?? "127.0.0.1",
            server.port,
            options.tls ? "https" : "http",
        ),
        port: server.port,
        calls,
        schools: () => Object.fromEntries(schools),
        addSchool: (subdomain, schoolId) => void schools.set(subdomain, schoolId),
        waitForCall: (matches, timeoutMs) => waitForCall(calls, waiters, matches, timeoutMs),
        close: () => server.close(),
    };
}

function waitForCall(
    calls: readonly CoreCall[],
    waiters: Set<(call: CoreCall) => void>,
    matches: (call: CoreCall) => boolean,
    timeoutMs: number,
): Promise<CoreCall> {
    const past = calls.find(matches);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
        const waiter = (call: CoreCall) => {
            if (!matches(call)) return;
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(call);
        };
        const timer = setTimeout(() => {
            waiters.delete(waiter);
            reject(
                new Error(
                    `no matching call to the core stand-in within ${timeoutMs} ms; calls seen: ${describeCalls(calls)}`,
                ),
            );
        }, timeoutMs);
        waiters.add(waiter);
    });
}

/** One line per call, for failure messages: no secret is ever part of a call. */
export function describeCalls(calls: readonly CoreCall[]): string {
    if (calls.length === 0) return "none";
    return calls
        .map(
            (call) =>
                `${call.receivedAt.toISOString()} ${call.method} ${call.path} subdomain=${call.subdomain ?? "-"} school_id=${call.schoolId ?? "-"}: ${call.status} ${call.outcome}`,
        )
        .join("; ");
}

function endpointOf(path: string): CoreEndpoint {
    const bare = path.split("?")[0];
    if (bare === BOOTSTRAP_READY_PATH) return "bootstrap-ready";
    if (bare === DELETE_TENANT_PATH) return "delete-tenant";
    return "other";
}

function parseBody(body: string): Record<string, unknown> | undefined {
    try {
        const parsed: unknown = JSON.parse(body);
        return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
            ? (parsed as Record<string, unknown>)
            : undefined;
    } catch {
        return undefined;
    }
}

const stringField = (body: Record<string, unknown>, field: string): string | undefined =>
    typeof body[field] === "string" ? body[field] : undefined;

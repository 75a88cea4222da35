/**
 * A real HTTP server for the scripts that call out (by default on 127.0.0.1, any free port) that
 * records every request and answers each with the status its `answer` decides: a script of
 * statuses in test/core-calls.test.ts, the core's own checks in the e2e core stand-in. Given a
 * certificate and its key, it serves https.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { spawn } from "node:child_process";

export interface RecordedRequest {
    readonly method: string;
    readonly path: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
    readonly receivedAt: Date;
}

export interface ListenOn {
    /** Address to bind; default 127.0.0.1. */
    readonly host?: string;
    /** Default 0: any free port. */
    readonly port?: number;
}

export interface TlsIdentity {
    /** PEM of the server certificate. */
    readonly cert: string;
    /** PEM of its private key. */
    readonly key: string;
}

export interface LoopbackOptions extends ListenOn {
    /** Serve https with this certificate; http without. */
    readonly tls?: TlsIdentity;
}

export interface Loopback {
    /** `http://<host>:<port>` (`https://` with TLS), the bound host */
    readonly origin: string;
    readonly port: number;
    readonly requests: RecordedRequest[];
    close(): Promise<void>;
}

/** Starts the server; `answer` decides each response's status from the request and how many came before. */
export async function startLoopback(
    answer: (request: RecordedRequest, index: number) => number,
    { host = "127.0.0.1", port: wanted = 0, tls }: LoopbackOptions = {},
): Promise<Loopback> {
    const requests: RecordedRequest[] = [];
    const handle: http.RequestListener = (req, res) => {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (chunk) => (body += chunk));
        const receivedAt = new Date();
        req.on("end", () => {
            const request = {
                method: req.method ?? "",
                path: req.url ?? "",
                headers: req.headers,
                body,
                receivedAt,
            };
            const status = answer(request, requests.length);
            requests.push(request);
            res.writeHead(status, { "Content-Type": "application/json" }).end(
                JSON.stringify({ status }),
            );
        });
    };
    const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(wanted, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    return {
        origin: httpOrigin(host, port, tls ? "https" : "http"),
        port,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

/** `http://<host>:<port>` (or https), an IPv6 address in brackets. */
export const httpOrigin = (host: string, port: number, scheme: "http" | "https" = "http"): string =>
    `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;

/** A port on `host` where nothing listens: one a server just gave back. */
export async function closedPort(host = "127.0.0.1"): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

export interface ProcessResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

/** Runs a program without blocking the event loop (the server answers from this process), killed after `limitSeconds`. */
export function runProgram(
    command: string,
    args: readonly string[],
    env: Record<string, string>,
    limitSeconds = 30,
): Promise<ProcessResult> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "", ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        const timer = setTimeout(() => child.kill("SIGKILL"), limitSeconds * 1000);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ status: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 });
        });
    });
}

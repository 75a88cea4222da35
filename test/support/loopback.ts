/**
 * A stand-in of the core for the scripts that call it: a real HTTP server on 127.0.0.1 that
 * records every request and answers from a script of statuses (the last one repeats).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { spawn } from "node:child_process";

export interface RecordedRequest {
    readonly method: string;
    readonly path: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface Loopback {
    /** `http://127.0.0.1:<port>` */
    readonly origin: string;
    readonly requests: RecordedRequest[];
    close(): Promise<void>;
}

/** Starts the server; `answer` decides each response's status from the request and how many came before. */
export async function startLoopback(
    answer: (request: RecordedRequest, index: number) => number,
): Promise<Loopback> {
    const requests: RecordedRequest[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const request = {
                method: req.method ?? "",
                path: req.url ?? "",
                headers: req.headers,
                body,
            };
            const status = answer(request, requests.length);
            requests.push(request);
            res.writeHead(status, { "Content-Type": "application/json" }).end(
                JSON.stringify({ status }),
            );
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

/** A port on 127.0.0.1 where nothing listens: one a server just gave back. */
export async function closedPort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
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

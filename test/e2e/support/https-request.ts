/**
 * One https request from the suite to a stand-in, trusting the given CA and no other: Node's
 * fetch takes no CA of its own, and the suite must not trust the test CA process-wide.
 */
import * as https from "node:https";

export interface RequestOptions {
    readonly ca: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: Buffer | string;
    readonly timeoutMs?: number;
}

export interface Answer {
    readonly status: number;
    readonly ok: boolean;
    readonly body: Buffer;
}

export function httpsRequest(url: string, options: RequestOptions): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const request = https.request(
            url,
            {
                method: options.method ?? "GET",
                headers: options.headers,
                ca: options.ca,
                timeout: options.timeoutMs ?? 30_000,
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("error", reject);
                response.on("end", () => {
                    const status = response.statusCode ?? 0;
                    resolve({
                        status,
                        ok: status >= 200 && status < 300,
                        body: Buffer.concat(chunks),
                    });
                });
            },
        );
        request.on("timeout", () => request.destroy(new Error(`no answer from ${url} in time`)));
        request.on("error", reject);
        request.end(options.body);
    });
}

/**
 * A small client of the Kubernetes API, built from a kubeconfig context: enough for `recover` to
 * look for what a killed update left on the cluster, and for the end-to-end suite to look at what
 * the program created from outside the program. It speaks what kind, k3d and the local platform
 * write: a bearer token or a client certificate, and a CA or insecure-skip-tls-verify.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as yaml from "js-yaml";

interface KubeConfigFile {
    clusters?: Array<{ name: string; cluster: Record<string, string | boolean> }>;
    users?: Array<{ name: string; user: Record<string, string> }>;
    contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
    "current-context"?: string;
}

export interface KubeObject {
    metadata: {
        name: string;
        namespace?: string;
        generation?: number;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- objects of every kind
    data?: Record<string, string>;
    status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- objects of every kind
}

export class KubeClient {
    private constructor(
        private readonly server: URL,
        private readonly agent: https.Agent,
        private readonly token?: string,
    ) {}

    static fromKubeconfig(file: string, contextName?: string): KubeClient {
        const config = yaml.load(fs.readFileSync(file, "utf8")) as KubeConfigFile;
        const name = contextName ?? config["current-context"];
        const context = config.contexts?.find((c) => c.name === name)?.context;
        if (!context) throw new Error(`${file}: no context named ${JSON.stringify(name)}`);
        const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster ?? {};
        const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
        const decode = (value: unknown) =>
            typeof value === "string" ? Buffer.from(value, "base64") : undefined;
        const agent = new https.Agent({
            ca:
                decode(cluster["certificate-authority-data"]) ??
                readIfSet(cluster["certificate-authority"]),
            cert: decode(user["client-certificate-data"]) ?? readIfSet(user["client-certificate"]),
            key: decode(user["client-key-data"]) ?? readIfSet(user["client-key"]),
            rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
        });
        return new KubeClient(new URL(String(cluster.server)), agent, user.token);
    }

    /** The object at `path` (`/api/v1/namespaces/x`), or undefined when it does not exist. */
    async get<T = KubeObject>(path: string): Promise<T | undefined> {
        const { status, body } = await this.request(path);
        if (status === 404) return undefined;
        if (status !== 200) throw new Error(`GET ${path}: HTTP ${status}: ${body.slice(0, 300)}`);
        return JSON.parse(body) as T;
    }

    /** Creates `object` in the collection at `path` (`/api/v1/namespaces`). */
    async create(path: string, object: object): Promise<void> {
        const { status, body } = await this.request(path, "POST", JSON.stringify(object));
        if (status !== 201) throw new Error(`POST ${path}: HTTP ${status}: ${body.slice(0, 300)}`);
    }

    /** Deletes the object at `path` and waits until it is gone; nothing when it does not exist. */
    async delete(path: string, timeoutSeconds = 120): Promise<void> {
        const { status, body } = await this.request(path, "DELETE");
        if (status === 404) return;
        if (status !== 200 && status !== 202)
            throw new Error(`DELETE ${path}: HTTP ${status}: ${body.slice(0, 300)}`);
        for (
            const deadline = Date.now() + timeoutSeconds * 1000;
            Date.now() < deadline;
            await new Promise((r) => setTimeout(r, 1000))
        ) {
            if ((await this.get(path)) === undefined) return;
        }
        throw new Error(`DELETE ${path}: still there after ${timeoutSeconds} s`);
    }

    async list(path: string, labelSelector?: string): Promise<KubeObject[]> {
        const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
        const found = await this.get<{ items: KubeObject[] }>(`${path}${query}`);
        return found?.items ?? [];
    }

    private request(
        path: string,
        method = "GET",
        body?: string,
    ): Promise<{ status: number; body: string }> {
        return new Promise((resolve, reject) => {
            const request = https.request(
                new URL(path, this.server),
                {
                    method,
                    agent: this.agent,
                    headers: {
                        Accept: "application/json",
                        ...(body !== undefined && { "Content-Type": "application/json" }),
                        ...(this.token && { Authorization: `Bearer ${this.token}` }),
                    },
                    timeout: 30_000,
                },
                (response) => {
                    let body = "";
                    response.setEncoding("utf8");
                    response.on("data", (chunk) => (body += chunk));
                    response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
                },
            );
            request.on("timeout", () => request.destroy(new Error(`${method} ${path}: timed out`)));
            request.on("error", reject);
            request.end(body);
        });
    }
}

function readIfSet(file: unknown): Buffer | undefined {
    return typeof file === "string" ? fs.readFileSync(file) : undefined;
}

// A read-only connection to the cluster the stack's Kubernetes provider uses: the same kubeconfig
// (KUBECONFIG, else ~/.kube/config; the first file of a list) and context, or the pod's service
// account when it runs in a cluster without a kubeconfig. It speaks what kubeconfigs hold: a
// token or token file, a client certificate, an exec credential plugin (EKS, GKE, AKS), a CA.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const os = require("node:os");
const path = require("node:path");
const yaml = require("js-yaml");

const IN_CLUSTER = "/var/run/secrets/kubernetes.io/serviceaccount";

function kubeconfigFile(env) {
    const listed = (env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean);
    const candidates = listed.length > 0 ? listed : [path.join(os.homedir(), ".kube", "config")];
    return candidates.find((file) => fs.existsSync(file));
}

const decoded = (value) => (value ? Buffer.from(value, "base64") : undefined);
const readIf = (file) => (file ? fs.readFileSync(file) : undefined);

/** What an exec credential plugin returns: {token} or {cert, key}. */
function execCredential(exec, env) {
    const result = spawnSync(exec.command, exec.args ?? [], {
        encoding: "utf8",
        env: { ...env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) },
        timeout: 60_000,
    });
    if (result.error || result.status !== 0)
        throw new Error(
            `the kubeconfig's credential plugin ${exec.command} failed: ${result.error?.message ?? result.stderr.trim()}`,
        );
    const status = JSON.parse(result.stdout).status ?? {};
    return {
        token: status.token,
        cert: status.clientCertificateData,
        key: status.clientKeyData,
    };
}

function fromKubeconfig(file, contextName, env) {
    const config = yaml.load(fs.readFileSync(file, "utf8")) ?? {};
    const name = contextName || config["current-context"];
    const context = (config.contexts ?? []).find((c) => c.name === name)?.context;
    if (!context) throw new Error(`${file}: no context named ${JSON.stringify(name)}`);
    const cluster = (config.clusters ?? []).find((c) => c.name === context.cluster)?.cluster ?? {};
    const user = (config.users ?? []).find((u) => u.name === context.user)?.user ?? {};
    if (user["auth-provider"])
        throw new Error(
            `${file}: user ${context.user} uses an auth-provider, which this check cannot read; use an exec credential plugin`,
        );
    const exec = user.exec ? execCredential(user.exec, env) : {};
    return {
        server: new URL(cluster.server),
        ca:
            decoded(cluster["certificate-authority-data"]) ??
            readIf(cluster["certificate-authority"]),
        cert:
            exec.cert ??
            decoded(user["client-certificate-data"]) ??
            readIf(user["client-certificate"]),
        key: exec.key ?? decoded(user["client-key-data"]) ?? readIf(user["client-key"]),
        token: exec.token ?? user.token ?? readIf(user.tokenFile)?.toString("utf8").trim(),
        insecure: cluster["insecure-skip-tls-verify"] === true,
    };
}

function inCluster(env) {
    return {
        server: new URL(
            `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT ?? 443}`,
        ),
        ca: fs.readFileSync(path.join(IN_CLUSTER, "ca.crt")),
        token: fs.readFileSync(path.join(IN_CLUSTER, "token"), "utf8").trim(),
    };
}

/** {get(path), text(path)} against the cluster; get returns undefined for 404. */
function connect(contextName, env = process.env) {
    const file = kubeconfigFile(env);
    let target;
    if (file) target = fromKubeconfig(file, contextName, env);
    else if (env.KUBERNETES_SERVICE_HOST) target = inCluster(env);
    else
        throw new Error("no kubeconfig found (KUBECONFIG or ~/.kube/config), and not in a cluster");
    const secure = target.server.protocol === "https:";
    const agent = secure
        ? new https.Agent({
              ca: target.ca,
              cert: target.cert,
              key: target.key,
              rejectUnauthorized: !target.insecure,
          })
        : new http.Agent();

    const request = (apiPath) =>
        new Promise((resolve, reject) => {
            const req = (secure ? https : http).request(
                new URL(apiPath, target.server),
                {
                    agent,
                    headers: {
                        Accept: "application/json",
                        ...(target.token && { Authorization: `Bearer ${target.token}` }),
                    },
                    timeout: 30_000,
                },
                (response) => {
                    let body = "";
                    response.setEncoding("utf8");
                    response.on("data", (chunk) => (body += chunk));
                    response.on("end", () => resolve({ status: response.statusCode, body }));
                },
            );
            req.on("timeout", () => req.destroy(new Error(`GET ${apiPath}: timed out`)));
            req.on("error", reject);
            req.end();
        });

    return {
        async get(apiPath) {
            const { status, body } = await request(apiPath);
            if (status === 404) return undefined;
            if (status !== 200)
                throw new Error(`GET ${apiPath}: HTTP ${status}: ${body.slice(0, 300)}`);
            return JSON.parse(body);
        },
        /** A plain-text resource (a log); undefined when the server cannot give it. */
        async text(apiPath) {
            const { status, body } = await request(apiPath);
            return status === 200 ? body : undefined;
        },
    };
}

module.exports = { connect };

// Waits for a tenant's rollout: until its Deployments are done (verdict.js), or until one of its
// pods is stuck in a way waiting cannot fix, and then fails at once, naming the tenant, the pod,
// the container, its reason and the end of its log, instead of waiting out the whole timeout.
// Pulumi runs it after each Helm upgrade of the tenant (components/kubernetes/rollout.ts); its
// exit code fails or passes `pulumi up`. Read-only: it never changes the cluster.
const { connect } = require("./kube-api");
const { rolloutVerdict } = require("./verdict");

const POLL_MS = 2000;
const LOG_LINES = 15;

function settings(env) {
    const missing = [
        "AIMS_ROLLOUT_TENANT",
        "AIMS_ROLLOUT_NAMESPACE",
        "AIMS_ROLLOUT_DEPLOYMENTS",
    ].filter((name) => !env[name]);
    if (missing.length > 0) throw new Error(`${missing.join(", ")} must be set`);
    return {
        tenant: env.AIMS_ROLLOUT_TENANT,
        ring: env.AIMS_ROLLOUT_RING,
        namespace: env.AIMS_ROLLOUT_NAMESPACE,
        deployments: env.AIMS_ROLLOUT_DEPLOYMENTS.split(","),
        context: env.AIMS_ROLLOUT_CONTEXT,
        timeoutSeconds: Number(env.AIMS_ROLLOUT_TIMEOUT_SECONDS || 600),
    };
}

async function observe(api, { namespace, deployments }) {
    const base = `/apis/apps/v1/namespaces/${namespace}`;
    const replicaSets = (await api.get(`${base}/replicasets`))?.items ?? [];
    const pods = (await api.get(`/api/v1/namespaces/${namespace}/pods`))?.items ?? [];
    const observed = [];
    for (const name of deployments) {
        const deployment = await api.get(`${base}/deployments/${name}`);
        if (!deployment) throw new Error(`Deployment ${namespace}/${name} does not exist`);
        observed.push({ deployment, replicaSets, pods });
    }
    return observed;
}

/** The end of a failing container's log, indented; empty when the server has none. */
async function logTail(api, namespace, failure) {
    if (!failure.container) return "";
    const query = (previous) =>
        `/api/v1/namespaces/${namespace}/pods/${failure.pod}/log?container=${encodeURIComponent(failure.container)}&tailLines=${LOG_LINES}${previous ? "&previous=true" : ""}`;
    const log =
        (await api.text(query(failure.previous))) ?? (await api.text(query(!failure.previous)));
    if (!log?.trim()) return "";
    return `\n    last lines of its log:\n${log
        .trimEnd()
        .split("\n")
        .map((line) => `      ${line}`)
        .join("\n")}`;
}

async function main(env = process.env) {
    const s = settings(env);
    const who = `tenant ${s.tenant}${s.ring ? ` (ring ${s.ring})` : ""}`;
    const api = connect(s.context, env);
    const started = Date.now();
    const deadline = started + s.timeoutSeconds * 1000;
    const since = new Map();
    let last = { state: "waiting", waitingFor: ["the first look at the cluster"] };
    let lastError;
    while (Date.now() < deadline) {
        try {
            last = rolloutVerdict(await observe(api, s), since, Date.now());
            lastError = undefined;
        } catch (error) {
            lastError = error.message;
        }
        if (last.state === "ready") {
            console.log(`${who}: rollout done in ${Math.round((Date.now() - started) / 1000)} s`);
            return 0;
        }
        if (last.state === "failed") {
            const details = [];
            for (const failure of last.failures)
                details.push(`  - ${failure.what}${await logTail(api, s.namespace, failure)}`);
            console.error(
                `${who}: the rollout cannot succeed:\n${details.join("\n")}\n` +
                    "Pods of the previous revision keep serving. Fix the cause and run `pulumi up` again.",
            );
            return 1;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const waiting = [...(last.waitingFor ?? []), ...(last.problems ?? []).map((p) => p.what)];
    if (lastError) waiting.push(`last error reading the cluster: ${lastError}`);
    console.error(
        `${who}: the rollout did not finish within ${s.timeoutSeconds} s:\n${waiting.map((w) => `  - ${w}`).join("\n")}`,
    );
    return 1;
}

if (require.main === module)
    main().then(
        (code) => process.exit(code),
        (error) => {
            console.error(
                `rollout check of tenant ${process.env.AIMS_ROLLOUT_TENANT}: ${error.message}`,
            );
            process.exit(1);
        },
    );

module.exports = { main };

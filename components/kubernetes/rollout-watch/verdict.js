// Whether a tenant's rollout is done, still going, or cannot succeed, from what the API server
// says of its Deployments, their newest ReplicaSets and those ReplicaSets' pods. Pure: the caller
// polls and remembers since when each problem has lasted (`since`, keyed by problem).
//
// Done means what `kubectl rollout status` means: the controller saw the newest spec, every pod
// runs it and is available, and no pod of an older revision is left. Cannot succeed means a pod
// of the newest revision is stuck in a state that waiting will not fix: its image cannot be
// pulled, its config cannot be built, a container keeps crashing, it cannot be scheduled, or the
// Deployment cannot create pods at all. A short grace keeps a registry hiccup or a lost race
// between two pods' first migration from failing the rollout.

/** Waiting reasons of a container that retrying does not fix by itself. */
const STUCK_REASONS = new Set([
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
]);
/**
 * Seconds a stuck state must last before the rollout counts as failed. A pod waits for room
 * longer: a cluster autoscaler takes minutes to add a node, and pods still terminating hold
 * their CPU and quota until they are gone.
 */
const GRACE_SECONDS = { stuck: 15, unschedulable: 300, replicaFailure: 60 };
/** A crashing container fails the rollout once it has been restarted this often. */
const CRASH_RESTARTS = 2;
const REVISION = "deployment.kubernetes.io/revision";

const ownedBy = (object, owner) =>
    (object.metadata.ownerReferences ?? []).some((o) => o.uid === owner.metadata.uid);

/** The Deployment's ReplicaSets, and the newest: the one with the Deployment's revision. */
function replicaSetsOf(deployment, replicaSets) {
    const own = replicaSets.filter((rs) => ownedBy(rs, deployment));
    const revision = deployment.metadata.annotations?.[REVISION];
    return { own, newest: own.find((rs) => rs.metadata.annotations?.[REVISION] === revision) };
}

/** The Deployment's pods, terminating ones included: those of its newest revision, and the others. */
function podsOf(deployment, replicaSets, pods) {
    const { own, newest } = replicaSetsOf(deployment, replicaSets);
    const mine = pods.filter((pod) => own.some((rs) => ownedBy(pod, rs)));
    const isNewest = (pod) => newest !== undefined && ownedBy(pod, newest);
    return { newest: mine.filter(isNewest), older: mine.filter((pod) => !isNewest(pod)) };
}

function condition(object, type) {
    return (object.status?.conditions ?? []).find((c) => c.type === type);
}

/**
 * Why the Deployment is not done yet, or undefined when it is. A pod of an older revision still
 * terminating counts: a scaled-down tenant is done only once no pod can write to its database.
 */
function pending(deployment, pods) {
    const name = deployment.metadata.name;
    const wanted = deployment.spec?.replicas ?? 1;
    const status = deployment.status ?? {};
    if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0))
        return `${name}: waiting for the controller to see the new spec`;
    const updated = status.updatedReplicas ?? 0;
    if (updated < wanted) return `${name}: ${updated} of ${wanted} pods at the new revision`;
    if (pods.older.length > 0)
        return `${name}: ${pods.older.length} pods of an older revision still running`;
    if (wanted === 0 && pods.newest.length > 0)
        return `${name}: ${pods.newest.length} pods still stopping`;
    if ((status.availableReplicas ?? 0) < updated)
        return `${name}: ${status.availableReplicas ?? 0} of ${updated} new pods available`;
    return undefined;
}

/** Every container of a pod that is stuck or crashing: {key, grace, what, container?, previous?}. */
function containerProblems(pod) {
    const problems = [];
    const statuses = [
        ...(pod.status?.initContainerStatuses ?? []).map((s) => ({ ...s, kind: "init container" })),
        ...(pod.status?.containerStatuses ?? []).map((s) => ({ ...s, kind: "container" })),
    ];
    for (const s of statuses) {
        const waiting = s.state?.waiting;
        const where = `pod ${pod.metadata.name}, ${s.kind} ${s.name}`;
        // Between restarts the kubelet shows a crashed container as waiting in CrashLoopBackOff,
        // or (an init container, on some versions) still as terminated with its exit code.
        const failedNow = s.state?.terminated?.exitCode > 0 ? s.state.terminated : undefined;
        const crashing = waiting?.reason === "CrashLoopBackOff" || failedNow !== undefined;
        if (crashing && s.restartCount >= CRASH_RESTARTS) {
            const last = failedNow ?? s.lastState?.terminated;
            const exit = last
                ? `exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ""}`
                : "CrashLoopBackOff";
            problems.push({
                key: `${pod.metadata.name}/${s.name}/crash`,
                grace: 0,
                container: s.name,
                pod: pod.metadata.name,
                // The log of the run that failed: the current one while it is still shown as terminated.
                previous: failedNow === undefined,
                what: `${where} keeps failing: ${exit}, restarted ${s.restartCount} times${last?.message ? `: ${last.message.trim()}` : ""}`,
            });
        } else if (waiting && STUCK_REASONS.has(waiting.reason)) {
            problems.push({
                // One key for every stuck reason: a failing pull alternates ErrImagePull and ImagePullBackOff.
                key: `${pod.metadata.name}/${s.name}/stuck`,
                grace: GRACE_SECONDS.stuck,
                what: `${where}: ${waiting.reason}${waiting.message ? `: ${waiting.message.trim()}` : ""}`,
            });
        }
    }
    return problems;
}

function podProblems(pod) {
    const scheduled = condition(pod, "PodScheduled");
    const problems = containerProblems(pod);
    if (scheduled?.status === "False" && scheduled.reason === "Unschedulable")
        problems.push({
            key: `${pod.metadata.name}/unschedulable`,
            grace: GRACE_SECONDS.unschedulable,
            what: `pod ${pod.metadata.name} cannot be scheduled: ${scheduled.message ?? "Unschedulable"}`,
        });
    return problems;
}

function deploymentProblems(deployment) {
    const name = deployment.metadata.name;
    const problems = [];
    const progressing = condition(deployment, "Progressing");
    if (progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded")
        problems.push({
            key: `${name}/progress-deadline`,
            grace: 0,
            what: `Deployment ${name} made no progress: ${progressing.message ?? progressing.reason}`,
        });
    const failure = condition(deployment, "ReplicaFailure");
    if (failure?.status === "True")
        problems.push({
            key: `${name}/replica-failure`,
            grace: GRACE_SECONDS.replicaFailure,
            what: `Deployment ${name} cannot create pods: ${failure.message ?? failure.reason}`,
        });
    return problems;
}

/**
 * observed: [{deployment, replicaSets, pods}] for each Deployment of the tenant.
 * since: Map of problem key to the first time (ms) it was seen; updated in place.
 * Returns {state: "ready"} | {state: "waiting", waitingFor: [...]} | {state: "failed", failures: [...]}.
 */
function rolloutVerdict(observed, since, now) {
    const looked = observed.map(({ deployment, replicaSets, pods }) => ({
        deployment,
        pods: podsOf(deployment, replicaSets, pods),
    }));
    const problems = looked.flatMap(({ deployment, pods }) => [
        ...deploymentProblems(deployment),
        ...pods.newest.flatMap(podProblems),
    ]);
    const current = new Set(problems.map((p) => p.key));
    for (const key of since.keys()) if (!current.has(key)) since.delete(key);
    for (const p of problems) if (!since.has(p.key)) since.set(p.key, now);
    const failures = problems.filter((p) => now - since.get(p.key) >= p.grace * 1000);
    if (failures.length > 0) return { state: "failed", failures };
    const waitingFor = looked
        .map(({ deployment, pods }) => pending(deployment, pods))
        .filter(Boolean);
    return waitingFor.length === 0
        ? { state: "ready" }
        : { state: "waiting", waitingFor, problems };
}

module.exports = { rolloutVerdict };

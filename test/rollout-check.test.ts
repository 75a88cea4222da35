/**
 * The rollout check (components/kubernetes/rollout-watch/): its verdict on what the API server
 * says of a tenant's Deployments and pods, and the script itself against a fake API server,
 * reached through a kubeconfig as the provider would be.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ROLLOUT_CHECK_SCRIPT } from "../components/kubernetes/rollout";
import { PROJECT_ROOT } from "../components/support/project-root";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script Pulumi runs with node
const { rolloutVerdict } = require("../components/kubernetes/rollout-watch/verdict");

const REVISION = "deployment.kubernetes.io/revision";

function deployment(name: string, replicas: number, status: Record<string, unknown>, extra = {}) {
    return {
        metadata: { name, uid: `${name}-uid`, generation: 2, annotations: { [REVISION]: "2" } },
        spec: { replicas },
        status: { observedGeneration: 2, ...status },
        ...extra,
    };
}

function replicaSet(owner: string, revision: string) {
    return {
        metadata: {
            uid: `${owner}-rs-${revision}`,
            annotations: { [REVISION]: revision },
            ownerReferences: [{ uid: `${owner}-uid` }],
        },
    };
}

function pod(name: string, owner: string, revision: string, status: Record<string, unknown> = {}) {
    return {
        metadata: { name, ownerReferences: [{ uid: `${owner}-rs-${revision}` }] },
        status,
    };
}

const READY = { replicas: 1, updatedReplicas: 1, availableReplicas: 1 };
const crashing = (restartCount: number) => ({
    initContainerStatuses: [
        {
            name: "migrate",
            restartCount,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 3, reason: "Error" } },
        },
    ],
});
const pulling = (reason: string) => ({
    containerStatuses: [
        {
            name: "backend",
            restartCount: 0,
            state: { waiting: { reason, message: "no such tag" } },
        },
    ],
});

/** One Deployment `school1-backend` with ReplicaSets of revisions 1 and 2, and these pods. */
const observed = (dep: object, pods: object[]) => [
    {
        deployment: dep,
        replicaSets: [replicaSet("school1-backend", "1"), replicaSet("school1-backend", "2")],
        pods,
    },
];

describe("rollout check", () => {
    describe("verdict", () => {
        const verdict = (dep: object, pods: object[], since = new Map(), now = 0) =>
            rolloutVerdict(observed(dep, pods), since, now);

        it("is ready once every pod runs the newest revision, is available, and no older pod is left", () => {
            const dep = deployment("school1-backend", 1, READY);
            assert.equal(verdict(dep, [pod("new", "school1-backend", "2")]).state, "ready");
            const older = verdict(dep, [
                pod("new", "school1-backend", "2"),
                pod("old", "school1-backend", "1"),
            ]);
            assert.deepEqual(older.waitingFor, [
                "school1-backend: 1 pods of an older revision still running",
            ]);
        });

        it("waits for the controller, for new pods and for their availability", () => {
            const stale = deployment("school1-backend", 1, { ...READY, observedGeneration: 1 });
            assert.deepEqual(verdict(stale, []).waitingFor, [
                "school1-backend: waiting for the controller to see the new spec",
            ]);
            const rolling = deployment("school1-backend", 2, { replicas: 2, updatedReplicas: 1 });
            assert.deepEqual(verdict(rolling, []).waitingFor, [
                "school1-backend: 1 of 2 pods at the new revision",
            ]);
            const starting = deployment("school1-backend", 1, {
                replicas: 1,
                updatedReplicas: 1,
                availableReplicas: 0,
            });
            assert.deepEqual(verdict(starting, [pod("new", "school1-backend", "2")]).waitingFor, [
                "school1-backend: 0 of 1 new pods available",
            ]);
        });

        it("counts a scaled-down tenant done only once its last pod is gone, terminating ones included", () => {
            const suspended = deployment("school1-backend", 0, {});
            const stopping = verdict(suspended, [pod("new", "school1-backend", "2")]);
            assert.deepEqual(stopping.waitingFor, ["school1-backend: 1 pods still stopping"]);
            assert.equal(verdict(suspended, []).state, "ready");
        });

        it("fails at once when a container has crashed twice, naming the pod, the container and the exit code", () => {
            const dep = deployment("school1-backend", 1, { replicas: 1, updatedReplicas: 1 });
            const result = verdict(dep, [
                pod("school1-backend-x", "school1-backend", "2", crashing(2)),
            ]);
            assert.equal(result.state, "failed");
            assert.equal(
                result.failures[0].what,
                "pod school1-backend-x, init container migrate keeps failing: exit code 3 (Error), restarted 2 times",
            );
            assert.equal(result.failures[0].container, "migrate");
            assert.equal(result.failures[0].previous, true);
        });

        it("fails an init container that the kubelet still shows as terminated between restarts, naming its exit code", () => {
            const dep = deployment("school1-backend", 1, { replicas: 1, updatedReplicas: 1 });
            const terminated = (restartCount: number) => ({
                initContainerStatuses: [
                    { name: "migrate", restartCount: 0, state: { terminated: { exitCode: 0 } } },
                    {
                        name: "bootstrap-ready",
                        restartCount,
                        state: { terminated: { exitCode: 1, reason: "Error" } },
                    },
                ],
            });
            assert.equal(
                verdict(dep, [pod("p", "school1-backend", "2", terminated(1))]).state,
                "waiting",
            );
            const result = verdict(dep, [pod("p", "school1-backend", "2", terminated(3))]);
            assert.deepEqual(
                result.failures.map((f: { what: string; previous: boolean }) => [
                    f.what,
                    f.previous,
                ]),
                [
                    [
                        "pod p, init container bootstrap-ready keeps failing: exit code 1 (Error), restarted 3 times",
                        false,
                    ],
                ],
                "its log is the current container's",
            );
        });

        it("lets a container fail once, as the loser of two pods' first migration does", () => {
            const dep = deployment("school1-backend", 1, { replicas: 1, updatedReplicas: 1 });
            const result = verdict(dep, [pod("p", "school1-backend", "2", crashing(1))]);
            assert.equal(result.state, "waiting");
        });

        it("fails an image that cannot be pulled after 15 s, although the kubelet alternates two reasons", () => {
            const dep = deployment("school1-backend", 1, { replicas: 1, updatedReplicas: 1 });
            const since = new Map();
            const at = (seconds: number, reason: string) =>
                verdict(
                    dep,
                    [pod("p", "school1-backend", "2", pulling(reason))],
                    since,
                    seconds * 1000,
                );
            assert.equal(at(0, "ErrImagePull").state, "waiting");
            assert.equal(at(8, "ImagePullBackOff").state, "waiting");
            const failed = at(15, "ErrImagePull");
            assert.equal(failed.state, "failed");
            assert.equal(
                failed.failures[0].what,
                "pod p, container backend: ErrImagePull: no such tag",
            );
        });

        it("forgets a problem that went away: the grace starts again", () => {
            const dep = deployment("school1-backend", 1, { replicas: 1, updatedReplicas: 1 });
            const since = new Map();
            const stuck = [pod("p", "school1-backend", "2", pulling("ImagePullBackOff"))];
            verdict(dep, stuck, since, 0);
            verdict(dep, [pod("p", "school1-backend", "2")], since, 10_000);
            assert.equal(verdict(dep, stuck, since, 20_000).state, "waiting");
            assert.equal(verdict(dep, stuck, since, 35_000).state, "failed");
        });

        it("ignores a stuck pod of an older revision: the new one decides", () => {
            const dep = deployment("school1-backend", 1, READY);
            const result = verdict(dep, [
                pod("new", "school1-backend", "2"),
                pod("old", "school1-backend", "1", crashing(5)),
            ]);
            assert.equal(result.state, "waiting");
        });

        it("fails a pod that cannot be scheduled for five minutes (an autoscaler's time), and a Deployment that cannot create pods for a minute", () => {
            const unschedulable = {
                conditions: [
                    {
                        type: "PodScheduled",
                        status: "False",
                        reason: "Unschedulable",
                        message: "0/1 nodes are available: 1 Insufficient cpu.",
                    },
                ],
            };
            const dep = deployment("school1-backend", 1, { replicas: 1, updatedReplicas: 1 });
            const since = new Map();
            const pods = [pod("p", "school1-backend", "2", unschedulable)];
            assert.equal(verdict(dep, pods, since, 0).state, "waiting");
            assert.equal(verdict(dep, pods, since, 299_000).state, "waiting");
            assert.equal(
                verdict(dep, pods, since, 300_000).failures[0].what,
                "pod p cannot be scheduled: 0/1 nodes are available: 1 Insufficient cpu.",
            );

            const quota = deployment("school1-backend", 1, {
                conditions: [
                    {
                        type: "ReplicaFailure",
                        status: "True",
                        reason: "FailedCreate",
                        message: 'pods "x" is forbidden: exceeded quota: tenant-quota',
                    },
                ],
            });
            const quotaSince = new Map();
            assert.equal(verdict(quota, [], quotaSince, 0).state, "waiting");
            assert.equal(verdict(quota, [], quotaSince, 59_000).state, "waiting");
            assert.equal(
                verdict(quota, [], quotaSince, 60_000).failures[0].what,
                'Deployment school1-backend cannot create pods: pods "x" is forbidden: exceeded quota: tenant-quota',
            );
        });

        it("fails a Deployment past its progress deadline at once", () => {
            const dep = deployment("school1-backend", 1, {
                conditions: [
                    {
                        type: "Progressing",
                        status: "False",
                        reason: "ProgressDeadlineExceeded",
                        message: "ReplicaSet has timed out progressing.",
                    },
                ],
            });
            assert.equal(verdict(dep, []).state, "failed");
        });
    });

    describe("the script", () => {
        let server: http.Server;
        let dir: string;
        let answers: Record<string, unknown>;
        let authorizations: Array<string | undefined>;

        before(async () => {
            server = http.createServer((req, res) => {
                authorizations.push(req.headers.authorization);
                const url = new URL(req.url ?? "/", "http://x");
                const answer = answers[url.pathname];
                if (answer === undefined) {
                    res.writeHead(404).end("{}");
                } else if (typeof answer === "string") {
                    res.writeHead(200, { "Content-Type": "text/plain" }).end(answer);
                } else {
                    res.writeHead(200, { "Content-Type": "application/json" }).end(
                        JSON.stringify(answer),
                    );
                }
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-check-"));
            const { port } = server.address() as AddressInfo;
            // A token from an exec credential plugin, as EKS and GKE kubeconfigs give it.
            const plugin = `console.log(JSON.stringify({status:{token:"from-plugin"}}))`;
            fs.writeFileSync(
                path.join(dir, "kubeconfig"),
                [
                    "apiVersion: v1",
                    "clusters: [{name: fake, cluster: {server: 'http://127.0.0.1:" + port + "'}}]",
                    `users: [{name: fake, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: node, args: ['-e', '${plugin}']}}}]`,
                    "contexts: [{name: fake, context: {cluster: fake, user: fake}}]",
                    "current-context: elsewhere",
                ].join("\n"),
            );
        });
        after(() => {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        });
        beforeEach(() => {
            authorizations = [];
            answers = {
                "/apis/apps/v1/namespaces/school1/replicasets": {
                    items: [replicaSet("school1-backend", "2")],
                },
            };
        });

        /** Runs the script as Pulumi does, without blocking this process, which serves the API. */
        const runWith = (env: Record<string, string>) =>
            new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
                execFile(
                    "node",
                    [ROLLOUT_CHECK_SCRIPT],
                    {
                        cwd: PROJECT_ROOT,
                        encoding: "utf8",
                        env: {
                            PATH: process.env.PATH,
                            KUBECONFIG: path.join(dir, "kubeconfig"),
                            AIMS_ROLLOUT_TENANT: "school1",
                            AIMS_ROLLOUT_NAMESPACE: "school1",
                            AIMS_ROLLOUT_DEPLOYMENTS: "school1-backend",
                            ...env,
                        },
                    },
                    (error, stdout, stderr) =>
                        resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
                );
            });
        const run = (timeoutSeconds = 20) =>
            runWith({
                AIMS_ROLLOUT_CONTEXT: "fake",
                AIMS_ROLLOUT_TIMEOUT_SECONDS: String(timeoutSeconds),
            });

        it("passes a finished rollout, reading the cluster with the kubeconfig's credential plugin", async () => {
            answers["/apis/apps/v1/namespaces/school1/deployments/school1-backend"] = deployment(
                "school1-backend",
                1,
                READY,
            );
            answers["/api/v1/namespaces/school1/pods"] = {
                items: [pod("p", "school1-backend", "2")],
            };
            const result = await run();
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /^tenant school1: rollout done in \d+ s$/m);
            assert.ok(authorizations.length > 0);
            assert.ok(authorizations.every((a) => a === "Bearer from-plugin"));
        });

        it("fails a crashing migration naming the tenant, the container, the exit code and the end of its log", async () => {
            answers["/apis/apps/v1/namespaces/school1/deployments/school1-backend"] = deployment(
                "school1-backend",
                1,
                { replicas: 1, updatedReplicas: 1 },
            );
            answers["/api/v1/namespaces/school1/pods"] = {
                items: [pod("school1-backend-x", "school1-backend", "2", crashing(2))],
            };
            answers["/api/v1/namespaces/school1/pods/school1-backend-x/log"] =
                "applying 0001\nmigration 0002 failed: column exists\n";
            const started = Date.now();
            const result = await run();
            assert.equal(result.status, 1);
            assert.ok(Date.now() - started < 10_000, "at once, not after the timeout");
            assert.equal(
                result.stderr.trim(),
                [
                    "tenant school1: the rollout cannot succeed:",
                    "  - pod school1-backend-x, init container migrate keeps failing: exit code 3 (Error), restarted 2 times",
                    "    last lines of its log:",
                    "      applying 0001",
                    "      migration 0002 failed: column exists",
                    "Pods of the previous revision keep serving. Fix the cause and run `pulumi up` again.",
                ].join("\n"),
            );
        });

        it("gives up after its timeout, saying what it still waited for", async () => {
            answers["/apis/apps/v1/namespaces/school1/deployments/school1-backend"] = deployment(
                "school1-backend",
                2,
                { replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
            );
            answers["/api/v1/namespaces/school1/pods"] = { items: [] };
            const result = await run(1);
            assert.equal(result.status, 1);
            assert.equal(
                result.stderr.trim(),
                "tenant school1: the rollout did not finish within 1 s:\n  - school1-backend: 1 of 2 pods at the new revision",
            );
        });

        it("fails with the reason when a Deployment is missing or no kubeconfig context matches", async () => {
            answers["/api/v1/namespaces/school1/pods"] = { items: [] };
            const missing = await run(1);
            assert.equal(missing.status, 1);
            assert.match(
                missing.stderr,
                /last error reading the cluster: Deployment school1\/school1-backend does not exist/,
            );
            const noContext = await runWith({});
            assert.equal(noContext.status, 1);
            assert.match(noContext.stderr, /kubeconfig: no context named "elsewhere"/);
        });
    });
});

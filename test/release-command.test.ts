import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubeObject } from "../scripts/lib/kube-client";
import type { ClusterReader } from "../scripts/lib/release/cluster";
import { runRelease } from "../scripts/lib/release/command";
import { copyProject, ProjectCopy } from "./support/project";

const FRONTEND = "registry.example.org/aims/frontend";
const BACKEND = "registry.example.org/aims/backend";
const ROLLED_OUT = new Date("2025-03-01T10:00:00Z");
const minutesAfter = (minutes: number) => new Date(ROLLED_OUT.getTime() + minutes * 60_000);

const ringsBlock = (canary: string) => `  aims:images:
    frontend: ${FRONTEND}
    backend: ${BACKEND}
  # Fleet upgrades in rings (docs/releases.md)
  aims:rings:
    - name: canary
      version: "${canary}" # the first schools to get a version
      soakMinutes: 30
    - name: early
      version: "2.4.0"
    - name: general
      version: "2.4.0"
`;

const tenantFile = (name: string, extra = "") =>
    `name: ${name}\ndisplayName: ${name}\nplan: small\nschoolId: "1"\nenvironments: [dev]\n${extra}`;

/** A Deployment, or its ReplicaSet, running `tag`. */
function workload(kind: "Deployment" | "ReplicaSet", name: string, tag: string, owner?: string) {
    const image = name.endsWith("-frontend") ? FRONTEND : BACKEND;
    return {
        metadata: {
            name,
            generation: 3,
            creationTimestamp: ROLLED_OUT.toISOString(),
            ...(owner && { ownerReferences: [{ kind: "Deployment", name: owner }] }),
        },
        spec: {
            replicas: 1,
            template: { spec: { containers: [{ name: "app", image: `${image}:${tag}` }] } },
        },
        status: { observedGeneration: 3, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
        kind,
    } as unknown as KubeObject;
}

/** A cluster where each tenant runs the given tag, healthy; `change` edits the objects. */
function fakeCluster(
    tags: Record<string, string>,
    change?: (objects: Map<string, KubeObject>) => void,
): ClusterReader {
    const objects = new Map<string, KubeObject>();
    const lists = new Map<string, KubeObject[]>();
    for (const [tenant, tag] of Object.entries(tags)) {
        lists.set(`/api/v1/namespaces/${tenant}/secrets`, [
            {
                metadata: {
                    name: `sh.helm.release.v1.${tenant}.v2`,
                    labels: { owner: "helm", name: tenant, status: "deployed", version: "2" },
                },
            },
            {
                metadata: {
                    name: `sh.helm.release.v1.${tenant}.v1`,
                    labels: { owner: "helm", name: tenant, status: "superseded", version: "1" },
                },
            },
        ]);
        const sets: KubeObject[] = [];
        for (const part of ["frontend", "backend"]) {
            const name = `${tenant}-${part}`;
            objects.set(
                `/apis/apps/v1/namespaces/${tenant}/deployments/${name}`,
                workload("Deployment", name, tag),
            );
            sets.push(workload("ReplicaSet", `${name}-abc`, tag, name));
        }
        lists.set(`/apis/apps/v1/namespaces/${tenant}/replicasets`, sets);
    }
    change?.(objects);
    return {
        get: async (p) => objects.get(p),
        list: async (p) => lists.get(p) ?? [],
    };
}

describe("npm run release", () => {
    let project: ProjectCopy;
    let output: string[];
    const stackPath = () => path.join(project.dir, "Pulumi.dev.yaml");
    const git = (...args: string[]) =>
        execFileSync("git", args, { cwd: project.dir, stdio: "pipe" });

    beforeEach(() => {
        project = copyProject({
            "school1.yaml": tenantFile("school1", "ring: canary\n"),
            "pinned.yaml": tenantFile("pinned", 'ring: canary\nimage: { tag: "2.3.1" }\n'),
            "sleepy.yaml": tenantFile("sleepy", "ring: canary\nstatus: suspended\n"),
            "riverside-high.yaml": tenantFile("riverside-high", "ring: early\n"),
            "greenfield.yaml": tenantFile("greenfield", "platform: aws\n"),
        });
        const original = fs.readFileSync(stackPath(), "utf8");
        const imagesBlock = / {2}aims:images:\n( {4}.*\n)+/;
        assert.match(original, imagesBlock);
        git("init", "-q", "-b", "main");
        git("config", "user.email", "test@example.org");
        git("config", "user.name", "test");
        for (const canary of ["2.4.0", "2.5.0"]) {
            fs.writeFileSync(stackPath(), original.replace(imagesBlock, ringsBlock(canary)));
            git("add", "Pulumi.dev.yaml");
            git("commit", "-q", "-m", `canary ${canary}`);
        }
        output = [];
    });
    afterEach(() => project.remove());

    const release = (argv: string[], cluster: ClusterReader, now = minutesAfter(45)) =>
        runRelease(argv, {
            projectDir: project.dir,
            clusterOf: () => cluster,
            now: () => now,
            out: (text) => output.push(text),
        });
    const healthy = fakeCluster({ school1: "2.5.0", "riverside-high": "2.4.0" });

    it("status shows each ring in order, its version and soak, and each tenant's health", async () => {
        assert.equal(await release(["status", "--stack", "dev"], healthy), 0);
        assert.equal(
            output.join("\n"),
            [
                "dev (Pulumi.dev.yaml, dev)",
                "RING     VERSION  SOAK  TENANT          PLATFORM    HEALTH       DETAIL",
                "canary   2.5.0    30m   pinned          kubernetes  pinned       image.tag 2.3.1",
                "                        school1         kubernetes  healthy      since 2025-03-01T10:00:00.000Z",
                "                        sleepy          kubernetes  not running  suspended",
                "early    2.4.0    60m   riverside-high  kubernetes  healthy      since 2025-03-01T10:00:00.000Z",
                "general  2.4.0    60m   greenfield      aws         unknown      this command does not read ECS services yet; see the service's deployments in the ECS console",
            ].join("\n"),
        );
    });

    it("status --json gives the same per stack; a stack without rings says so", async () => {
        assert.equal(await release(["status", "--json"], healthy), 0);
        const { stacks } = JSON.parse(output.join("\n"));
        assert.deepEqual(
            stacks.map((s: { stack: string }) => s.stack),
            ["dev", "prod", "sit"],
        );
        assert.deepEqual(stacks[1], {
            stack: "prod",
            file: "Pulumi.prod.yaml",
            environment: "prod",
            tag: "2.4.0",
        });
        const canary = stacks[0].rings[0];
        assert.deepEqual(canary.tenants[0], {
            name: "pinned",
            platform: "kubernetes",
            status: "active",
            health: "pinned",
            pin: "2.3.1",
        });
    });

    it("status says why a tenant is unhealthy: an old image, replicas not available", async () => {
        const cluster = fakeCluster({ school1: "2.5.0", "riverside-high": "2.3.9" }, (objects) => {
            const backend = objects.get(
                "/apis/apps/v1/namespaces/school1/deployments/school1-backend",
            )!;
            backend.status.availableReplicas = 0;
        });
        await release(["status", "--stack", "dev", "--json"], cluster);
        const [dev] = JSON.parse(output.join("\n")).stacks;
        assert.equal(
            dev.rings[0].tenants[1].reason,
            "Deployment school1-backend: 1 updated, 0 available of 1 replicas (1 in all)",
        );
        assert.equal(
            dev.rings[1].tenants[0].reason,
            "Deployment riverside-high-frontend: runs 2.3.9, not 2.4.0",
        );
    });

    it("promote edits exactly the ring's version line, once the ring before is healthy and soaked; again, it does nothing", async () => {
        const before = fs.readFileSync(stackPath(), "utf8");
        assert.equal(await release(["promote", "2.5.0", "--ring", "early"], healthy), 0);
        assert.deepEqual(output, [
            "dev: ring early: 2.4.0 -> 2.5.0 (ring canary: 1 tenant healthy at 2.5.0 since 2025-03-01T10:00:00.000Z, soaked 30 minutes); Pulumi.dev.yaml edited",
        ]);
        const after = fs.readFileSync(stackPath(), "utf8");
        const changed = before
            .split("\n")
            .flatMap((line, i) =>
                line === after.split("\n")[i] ? [] : [[line, after.split("\n")[i]]],
            );
        assert.deepEqual(changed, [['      version: "2.4.0"', '      version: "2.5.0"']]);
        assert.equal(after.split("\n").length, before.split("\n").length);

        output = [];
        assert.equal(await release(["promote", "2.5.0", "--ring", "early"], healthy), 0);
        assert.deepEqual(output, ["dev: ring early: unchanged: ring early already runs 2.5.0"]);
        assert.equal(fs.readFileSync(stackPath(), "utf8"), after);
    });

    const refusal = async (cluster: ClusterReader, now = minutesAfter(45)) => {
        const before = fs.readFileSync(stackPath(), "utf8");
        assert.equal(await release(["promote", "2.5.0", "--ring", "early"], cluster, now), 1);
        assert.equal(fs.readFileSync(stackPath(), "utf8"), before);
        return output.join("\n");
    };

    it("promote refuses when a tenant of the ring before is unhealthy, naming the tenant and the ring", async () => {
        const cluster = fakeCluster({ school1: "2.4.0", "riverside-high": "2.4.0" });
        assert.equal(
            await refusal(cluster),
            "dev: ring early: refused 2.5.0:\n  - school1 (ring canary) is unhealthy at 2.5.0: Deployment school1-frontend: runs 2.4.0, not 2.5.0",
        );
    });

    it("promote refuses before the ring before has soaked", async () => {
        assert.equal(
            await refusal(healthy, minutesAfter(10)),
            "dev: ring early: refused 2.5.0:\n  - ring canary has run 2.5.0 since 2025-03-01T10:00:00.000Z; it soaks 30 minutes, until 2025-03-01T10:30:00.000Z (20 minutes left)",
        );
    });

    it("promote refuses when the cluster cannot be read: unknown is never healthy", async () => {
        const broken: ClusterReader = {
            get: () => Promise.reject(new Error("connect ECONNREFUSED")),
            list: () => Promise.reject(new Error("connect ECONNREFUSED")),
        };
        assert.equal(
            await refusal(broken),
            "dev: ring early: refused 2.5.0:\n  - school1 (ring canary) is unknown at 2.5.0: cannot read the cluster: connect ECONNREFUSED",
        );
    });

    it("promote refuses a version the ring before does not run, and a lower version", async () => {
        assert.equal(await release(["promote", "2.5.0", "--ring", "general"], healthy), 1);
        assert.equal(await release(["promote", "2.3.0", "--ring", "canary"], healthy), 1);
        assert.deepEqual(output, [
            "dev: ring general: refused 2.5.0:\n  - ring early, the ring before, runs 2.4.0, not 2.5.0: promote early first",
            "dev: ring canary: refused 2.3.0:\n  - 2.3.0 is older than 2.5.0, which ring canary runs: that is a rollback (npm run release -- rollback --ring canary)",
        ]);
    });

    it("promote --next promotes each ring whose ring before is ready, and waits without failing otherwise", async () => {
        assert.equal(
            await release(["promote", "--next", "--stack", "dev"], healthy, minutesAfter(10)),
            0,
        );
        assert.match(
            output[0],
            /^dev: ring early: refused 2\.5\.0:\n {2}- ring canary has run 2\.5\.0 since/,
        );
        output = [];
        assert.equal(await release(["promote", "--next", "--stack", "dev"], healthy), 0);
        assert.match(output[0], /^dev: ring early: 2\.4\.0 -> 2\.5\.0 /);
        output = [];
        assert.equal(await release(["promote", "--next", "--stack", "dev"], healthy), 0);
        assert.match(
            output[0],
            /^dev: ring general: refused 2\.5\.0:\n {2}- riverside-high \(ring early\) is unhealthy at 2\.5\.0/,
        );
    });

    it("rollback sets the ring's previous version from git history and the flag; again, it does nothing; promote takes the flag off", async () => {
        assert.equal(await release(["rollback", "--ring", "canary"], healthy), 0);
        assert.match(
            output[0],
            /^dev: ring canary: 2\.5\.0 -> 2\.4\.0, and aims:rollbackRings lists canary; Pulumi\.dev\.yaml edited\. The image goes back, the database does not/,
        );
        const text = fs.readFileSync(stackPath(), "utf8");
        assert.match(text, /\n {6}version: "2\.4\.0" # the first schools to get a version\n/);
        assert.match(text, /\n {2}aims:rollbackRings: \[canary\] #/);

        output = [];
        assert.equal(await release(["rollback", "--ring", "canary"], healthy), 0);
        assert.deepEqual(output, [
            "dev: ring canary: unchanged: already rolled back to 2.4.0 (aims:rollbackRings lists it)",
        ]);
        assert.equal(fs.readFileSync(stackPath(), "utf8"), text);

        output = [];
        assert.equal(await release(["promote", "2.5.1", "--ring", "canary"], healthy), 0);
        assert.deepEqual(output, [
            "dev: ring canary: 2.4.0 -> 2.5.1, taken off aims:rollbackRings (the first ring); Pulumi.dev.yaml edited",
        ]);
        assert.doesNotMatch(fs.readFileSync(stackPath(), "utf8"), /rollbackRings/);
    });

    it("rollback refuses when git history has no older version", async () => {
        git("reset", "-q", "--soft", "HEAD~1");
        git("commit", "-q", "--amend", "-m", "only");
        const text = fs.readFileSync(stackPath(), "utf8");
        assert.equal(await release(["rollback", "--ring", "canary"], healthy), 1);
        assert.deepEqual(output, [
            "dev: ring canary: refused:\n  - no version older than 2.5.0 in the git history of Pulumi.dev.yaml; set the version and aims:rollbackRings by hand",
        ]);
        assert.equal(fs.readFileSync(stackPath(), "utf8"), text);
    });

    it("refuses a ring no chosen stack declares", async () => {
        await assert.rejects(
            release(["promote", "2.5.0", "--ring", "canary", "--stack", "prod"], healthy),
            /Pulumi\.prod\.yaml: aims:rings: declares no ring canary/,
        );
    });
});

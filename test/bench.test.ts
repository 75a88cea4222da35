/**
 * `npm run bench` (mocks) runs on the dev stack's settings, and measures stacks larger than a
 * shard stack may be on purpose: the stack limit must not stop it.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/support/project-root";

describe("bench (mocks)", () => {
    it("declares more tenants than the dev stack's limit, and reports them against the floor", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-bench-"));
        try {
            fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            const stackFile = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8");
            fs.writeFileSync(
                path.join(dir, "Pulumi.dev.yaml"),
                stackFile.replace(/^config:\n/m, "config:\n  aims:maxTenantsPerStack: 1\n"),
            );
            const result = spawnSync(
                path.join(PROJECT_ROOT, "node_modules", ".bin", "ts-node"),
                [
                    "--transpile-only",
                    path.join(PROJECT_ROOT, "scripts", "bench.ts"),
                    "--tenants",
                    "2",
                ],
                {
                    cwd: dir,
                    encoding: "utf8",
                    env: {
                        ...process.env,
                        TS_NODE_PROJECT: path.join(PROJECT_ROOT, "tsconfig.json"),
                    },
                },
            );
            assert.equal(result.status, 0, result.stderr);
            // tenants, load, declare, resources, floor, ratio, heap
            assert.match(result.stdout, /^ +2 +\d+ ms +\d+ ms +\d+ +\d+ ms +\d+\.\d +\d+ MiB$/m);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

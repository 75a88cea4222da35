/**
 * npm run bench [-- --tenants 10,50,100]
 *
 * How the program scales with the number of tenants: time and memory to load and validate N
 * tenant files, and to declare N Tenants under Pulumi's mocks (what `synth` and the tests pay;
 * a real `pulumi up` is dominated by the providers, not by this). The floor is what the SDK
 * itself needs to register as many bare resources under the same mocks, in the same process:
 * the ratio is what the program adds. Not part of `npm test`; `npm run bench:real` measures the
 * real engine.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadTenants } from "../components/tenant-files/registry";
import { ENVIRONMENTS } from "../components/vocabulary/words";
import { parseCommandLine, runCli } from "./lib/cli";
import { MockStack } from "./lib/mock-stack";
import { readStackSettings } from "../components/stack/settings";
import { configSource, readStackConfig } from "../components/stack/stack-file";

runCli(async () => {
    const { values } = parseCommandLine(
        process.argv.slice(2),
        { tenants: { type: "string" } },
        "usage: npm run bench [-- --tenants 10,50,100]",
    );
    const counts = (values.tenants ?? "10,50,100").split(",").map(Number);
    const projectDir = process.cwd();
    const { Tenant } = await import("../components/tenant");
    console.log("tenants  load+validate  declare (mocks)  resources  bare floor  ratio  heap");
    for (const count of counts) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-bench-"));
        const tenantsDir = path.join(dir, "tenants");
        fs.mkdirSync(tenantsDir);
        for (let i = 0; i < count; i++) {
            const platform = i % 4 === 0 ? "aws" : "kubernetes";
            fs.writeFileSync(
                path.join(tenantsDir, `school${i}.yaml`),
                `name: school${i}\ndisplayName: School ${i}\nplan: standard\nplatform: ${platform}\nenvironments: [${ENVIRONMENTS.join(", ")}]\nschoolId: "${1000 + i}"\naws: { listenerPriority: ${1000 + i} }\n`,
            );
        }
        let started = process.hrtime.bigint();
        const tenants = loadTenants(tenantsDir);
        const loadMs = Number(process.hrtime.bigint() - started) / 1e6;

        const stackConfig = readStackConfig(projectDir, "dev");
        // The bench declares stacks beyond the shard limit on purpose, to show how cost grows.
        const config = { ...stackConfig.config, "aims:maxTenantsPerStack": String(count + 1) };
        const { secretKeys } = stackConfig;
        const mocks = MockStack.start({ stack: "dev", config, secretKeys });
        const settings = readStackSettings(
            configSource({ ...stackConfig, config }),
            "dev",
            tenants,
        );
        started = process.hrtime.bigint();
        for (const tenant of tenants) new Tenant(tenant.name, { tenant, settings });
        await mocks.settled();
        const declareMs = Number(process.hrtime.bigint() - started) / 1e6;
        const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
        const floorMs = await bareFloorMs(mocks.resources.length, { config, secretKeys });
        console.log(
            `${String(count).padStart(7)}  ${loadMs.toFixed(0).padStart(10)} ms  ${declareMs.toFixed(0).padStart(12)} ms  ${String(mocks.resources.length).padStart(9)}  ${floorMs.toFixed(0).padStart(7)} ms  ${(declareMs / floorMs).toFixed(1).padStart(5)}  ${heapMiB.toFixed(0)} MiB`,
        );
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

class BareResource extends pulumi.CustomResource {
    constructor(name: string) {
        super("aims:bench:Bare", name, {});
    }
}

/** Time to register `count` resources with no inputs and no parent under fresh mocks of the same stack. */
async function bareFloorMs(
    count: number,
    stack: { config: Record<string, string>; secretKeys: readonly string[] },
): Promise<number> {
    const mocks = MockStack.start({ stack: "dev", ...stack });
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) new BareResource(`bare-${i}`);
    await mocks.settled();
    return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * npm run synth -- --stack STACK [--out DIR]
 *
 * Evaluates the real program (index.ts) for a stack offline, with Pulumi's mocks instead of a
 * backend, cloud or cluster, and writes what the stack would create to DIR (default
 * out/<stack>/), one folder per tenant. Secret values are written as "[secret]".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { MockStack } from "./lib/mock-stack";
import { readStackConfig } from "../components/stack/stack-file";
import {
    groupByTenant,
    prepareOutputFolder,
    STACK_FOLDER,
    writeRenderedCharts,
    writeResources,
} from "./lib/synth-output";
import { loadProgram } from "./lib/program";
import { formatTable } from "./lib/table";
import { findTool, missingToolMessage } from "./lib/tools";

const USAGE = "usage: npm run synth -- --stack STACK [--out DIR]";

interface TenantSummary {
    name: string;
    platform: string;
    status: string;
    plan: string;
    url: string;
}

runCli(async () => {
    const { values, positionals } = parseCommandLine(
        process.argv.slice(2),
        {
            stack: { type: "string" },
            out: { type: "string" },
        },
        USAGE,
    );
    if (!values.stack || positionals.length > 0) {
        throw new UsageError(USAGE);
    }
    const stack = values.stack;
    const projectDir = process.cwd();
    const outDir = path.resolve(projectDir, values.out ?? path.join("out", stack));

    const { config, secretKeys } = readStackConfig(projectDir, stack);
    const region = (JSON.parse(config["aims:aws"] ?? "{}") as { region?: string }).region;
    const mocks = MockStack.start({ stack, config, secretKeys, region });
    // Offline there is no previous update: the deletion guard sees a new stack.
    const program = loadProgram(projectDir);
    const outputs = await program();
    await mocks.settled();
    const tenants = await new Promise<TenantSummary[]>((resolve) =>
        pulumi.output(outputs.tenants).apply(resolve),
    );

    prepareOutputFolder(outDir);
    const groups = groupByTenant(mocks.resources);
    const written = writeResources(outDir, groups);
    const helm = findTool("helm");
    const charts = helm ? writeRenderedCharts(outDir, groups, helm) : [];
    fs.mkdirSync(path.join(outDir, STACK_FOLDER), { recursive: true });
    fs.writeFileSync(
        path.join(outDir, STACK_FOLDER, "outputs.json"),
        `${JSON.stringify({ tenants }, null, 2)}\n`,
    );

    const environment = config["aims:environment"] ?? stack;
    const rows = tenants.map((tenant) => [
        tenant.name,
        environment,
        tenant.platform,
        tenant.status,
        tenant.plan,
        String(written.filter((file) => file.tenant === tenant.name).length),
        tenant.url,
    ]);
    console.log(
        formatTable(
            ["TENANT", "ENVIRONMENT", "PLATFORM", "STATUS", "PLAN", "RESOURCES", "URL"],
            rows,
        ),
    );
    console.log(
        `\n${tenants.length} tenant${tenants.length === 1 ? "" : "s"}, ${written.length} resources written to ${path.relative(projectDir, outDir) || "."}`,
    );
    const imported = mocks.resources.filter((resource) => resource.importId !== undefined);
    if (imported.length > 0) {
        console.log(
            `${imported.length} of them imported, not created (adopt): ${imported.map((resource) => resource.name).join(", ")}`,
        );
    }
    console.log(
        helm
            ? `${charts.length} Helm release${charts.length === 1 ? "" : "s"} rendered with helm (rendered-chart-*.yaml)`
            : `Helm releases were not rendered: ${missingToolMessage("helm")}`,
    );
});

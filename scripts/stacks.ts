/**
 * npm run stacks [-- --json]
 *
 * The project's stacks, from its Pulumi.<stack>.yaml files, by environment (dev, sit, prod) and
 * shard: a table, or with --json one line that the GitHub workflows read to build their
 * matrices (scripts/gitlab-pipeline.ts does the same for GitLab).
 */
import { formatTable } from "./lib/table";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { discoverStacks, stackGroups } from "./lib/stack-groups";

const USAGE = `usage:
  npm run stacks              # a table: environment, shard, stack, file
  npm run stacks -- --json    # {"dev":[...],"sit":[...],"prod":[...],"all":[...],"environmentOf":{...}}`;

runCli(() => {
    const { values, positionals } = parseCommandLine(
        process.argv.slice(2),
        { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
        USAGE,
    );
    if (values.help) {
        console.log(USAGE);
        return;
    }
    if (positionals.length > 0)
        throw new UsageError(`unexpected arguments: ${positionals.join(" ")}\n${USAGE}`);
    const stacks = discoverStacks(process.cwd());
    if (values.json) {
        console.log(JSON.stringify(stackGroups(stacks)));
        return;
    }
    const rows = stacks.map((s) => [s.environment, String(s.stackShard), s.stack, s.file]);
    console.log(formatTable(["ENVIRONMENT", "SHARD", "STACK", "FILE"], rows));
});

/**
 * npm run stacks [-- --json]
 * npm run stacks -- --changed-since <ref> [--head <ref>] [--json]
 *
 * The project's stacks, from its Pulumi.<stack>.yaml files, by environment (dev, sit, prod) and
 * shard: a table, or with --json one line that the GitHub workflows read to build their
 * matrices (scripts/gitlab-pipeline.ts does the same for GitLab). With --changed-since, only the
 * stacks that the change from the merge base of <ref> and the head can affect, each with why
 * (scripts/lib/affected-stacks.ts has the rules).
 */
import { formatTable } from "./lib/table";
import { parseOptions, runCli, UsageError } from "./lib/cli";
import { discoverStacks, stackGroups } from "./lib/stack-groups";
import { affectedGroups, affectedStacks } from "./lib/affected-stacks";

const USAGE = `usage:
  npm run stacks              # a table: environment, shard, stack, file
  npm run stacks -- --json    # {"dev":[...],"sit":[...],"prod":[...],"all":[...],"environmentOf":{...}}
  npm run stacks -- --changed-since <ref> [--head <ref>] [--json]
                              # only the stacks the change since merge-base(<ref>, head) can affect,
                              # with a WHY column, or in the JSON a "why" object: {"<stack>":"<reason>"}`;

runCli(() => {
    const values = parseOptions(
        process.argv.slice(2),
        {
            json: { type: "boolean" },
            "changed-since": { type: "string" },
            head: { type: "string" },
        },
        USAGE,
    );
    if (!values) return;
    const since = values["changed-since"];
    if (since === undefined) {
        if (values.head !== undefined)
            throw new UsageError(`--head goes with --changed-since\n${USAGE}`);
        printAllStacks(values.json === true);
        return;
    }
    const affected = affectedStacks(process.cwd(), {
        base: since,
        head: values.head ?? "HEAD",
        options: ["--changed-since", "--head"],
    });
    if (values.json) {
        console.log(JSON.stringify(affectedGroups(affected)));
        return;
    }
    if (affected.stacks.length === 0) {
        const files = affected.change.files.length;
        console.log(
            `no stack: none of the ${files} file${files === 1 ? "" : "s"} changed since ${affected.change.base.slice(0, 12)} can change a stack`,
        );
        return;
    }
    const rows = affected.stacks.map((s) => [
        s.environment,
        String(s.stackShard),
        s.stack,
        affected.why[s.stack],
    ]);
    console.log(formatTable(["ENVIRONMENT", "SHARD", "STACK", "WHY"], rows));
});

function printAllStacks(json: boolean): void {
    const stacks = discoverStacks(process.cwd());
    if (json) {
        console.log(JSON.stringify(stackGroups(stacks)));
        return;
    }
    const rows = stacks.map((s) => [s.environment, String(s.stackShard), s.stack, s.file]);
    console.log(formatTable(["ENVIRONMENT", "SHARD", "STACK", "FILE"], rows));
}

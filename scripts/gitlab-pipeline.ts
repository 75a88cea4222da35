/**
 * npm run --silent gitlab-pipeline > stacks-pipeline.yml
 *
 * Prints GitLab's child pipeline of the stack jobs (scripts/lib/gitlab-pipeline.ts) for the
 * stacks of the project in the current directory; the job stacks:generate of .gitlab-ci.yml runs
 * it and the job stacks runs what it prints.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { GitlabConfig, renderPipeline, stackPipeline } from "./lib/gitlab-pipeline";
import { discoverStacks } from "./lib/stack-groups";

const USAGE = `usage:
  npm run --silent gitlab-pipeline > stacks-pipeline.yml`;

runCli(() => {
    const { values, positionals } = parseCommandLine(
        process.argv.slice(2),
        { help: { type: "boolean", short: "h" } },
        USAGE,
    );
    if (values.help) {
        console.log(USAGE);
        return;
    }
    if (positionals.length > 0)
        throw new UsageError(`unexpected arguments: ${positionals.join(" ")}\n${USAGE}`);
    const projectDir = process.cwd();
    const ci = yaml.load(fs.readFileSync(path.join(projectDir, ".gitlab-ci.yml"), "utf8"));
    const stacks = discoverStacks(projectDir);
    process.stdout.write(renderPipeline(stackPipeline(ci as GitlabConfig, stacks)));
});

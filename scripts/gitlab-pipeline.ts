/**
 * npm run --silent gitlab-pipeline [-- --previews-since <ref>] > stacks-pipeline.yml
 *
 * Prints GitLab's child pipeline of the stack jobs (scripts/lib/gitlab-pipeline.ts) for the
 * stacks of the project in the current directory; the job stacks:generate of .gitlab-ci.yml runs
 * it and the job stacks runs what it prints. With --previews-since, only the stacks that the
 * change since merge-base(<ref>, HEAD) can affect are previewed (`npm run stacks --
 * --changed-since`); an empty <ref> (a pipeline that is not a merge request's) previews all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { parseOptions, runCli } from "./lib/cli";
import { GitlabConfig, renderPipeline, stackPipeline } from "./lib/gitlab-pipeline";
import { affectedStacks } from "./lib/affected-stacks";
import { discoverStacks } from "./lib/stack-groups";

const USAGE = `usage:
  npm run --silent gitlab-pipeline [-- --previews-since <ref>] > stacks-pipeline.yml`;

runCli(() => {
    const values = parseOptions(
        process.argv.slice(2),
        { "previews-since": { type: "string" } },
        USAGE,
    );
    if (!values) return;
    const projectDir = process.cwd();
    const ci = yaml.load(fs.readFileSync(path.join(projectDir, ".gitlab-ci.yml"), "utf8"));
    const stacks = discoverStacks(projectDir);
    const since = values["previews-since"];
    const previewed = since
        ? affectedStacks(projectDir, {
              base: since,
              head: "HEAD",
              options: ["--previews-since", "HEAD"],
          }).stacks
        : stacks;
    const names = new Set(previewed.map((s) => s.stack));
    process.stdout.write(renderPipeline(stackPipeline(ci as GitlabConfig, stacks, names)));
});

/**
 * npm run recover -- --stack <stack> [--deploy-job] [--max-update-minutes N] [--scan]
 *
 * Makes a stack whose last update died (a killed or cancelled job, a lost runner) deployable
 * again, with no person needed: stale locks removed, pending operations cleared or imported, and
 * the objects the killed update created without recording them imported, when they carry the
 * program's marks. Refuses, changing nothing, when a step is not safe (docs/recovery.md). Run in
 * the project folder, with the stack's backend, secrets and platform credentials in the
 * environment, before `pulumi up`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { parseOptions, runCli, UsageError } from "./lib/cli";
import { processOnThisHost } from "./lib/recover/host-process";
import { PlatformProbe } from "./lib/recover/platform";
import { PulumiCli } from "./lib/recover/pulumi-cli";
import { recoverStack, repairCheckpoint } from "./lib/recover/recovery";
import { adminConnection } from "./lib/recover/stack-connection";

const USAGE = `usage:
  npm run recover -- --stack <stack>                 # as a person: refuses a lock that may be live
  npm run recover -- --stack <stack> --deploy-job    # in the deploy job, which runs alone on its stack
options:
  --max-update-minutes N   a lock older than this is stale wherever it was taken (default 360, the deploy job's timeout)
  --scan                   look for objects missing from the state even when no update was interrupted`;

runCli(async () => {
    const values = parseOptions(
        process.argv.slice(2),
        {
            stack: { type: "string" },
            "deploy-job": { type: "boolean" },
            "max-update-minutes": { type: "string" },
            scan: { type: "boolean" },
        },
        USAGE,
    );
    if (!values) return;
    if (!values.stack) throw new UsageError(`--stack is required\n${USAGE}`);
    const maxUpdateMinutes = Number(values["max-update-minutes"] ?? 360);
    if (!Number.isInteger(maxUpdateMinutes) || maxUpdateMinutes < 1)
        throw new UsageError(
            `--max-update-minutes: a whole number of minutes, got ${values["max-update-minutes"]}\n${USAGE}`,
        );

    const projectDir = process.cwd();
    const cli = new PulumiCli(values.stack, projectDir);
    const project = projectName(projectDir);
    // Before the config reads below: a kill can leave the checkpoint unreadable to every command.
    const repair = repairCheckpoint(cli, project);
    if (repair.line) console.log(repair.line);
    const stackName = values.stack.split("/").pop()!;
    const environment = cli.config("aims:environment") ?? stackName;
    const probe = new PlatformProbe(cli.config("aims:kubernetes.context"), () =>
        adminConnection(cli),
    );
    const report = await recoverStack(cli, probe, {
        project,
        environment,
        scan: values.scan ?? false,
        lockContext: {
            now: new Date(),
            hostname: os.hostname(),
            username: os.userInfo().username,
            processOnThisHost,
            deployJob: values["deploy-job"] ?? false,
            maxUpdateMinutes,
        },
    });
    for (const line of report.lines) console.log(line);
    if (report.refusals.length > 0)
        throw new Error(
            `recover refused on ${values.stack} (${report.refusals.length} reason${report.refusals.length === 1 ? "" : "s"} above); ` +
                'see docs/recovery.md, "When recover refuses"',
        );
});

function projectName(dir: string): string {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file))
        throw new UsageError(`no Pulumi.yaml in ${dir}: run recover in the project folder`);
    const name = (yaml.load(fs.readFileSync(file, "utf8")) as { name?: unknown })?.name;
    if (typeof name !== "string") throw new Error(`${file}: no project name`);
    return name;
}

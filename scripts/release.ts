/**
 * npm run release -- status | promote | rollback (scripts/lib/release/command.ts; docs/releases.md)
 *
 * Fleet upgrades in rings: shows what each stack's rings run and how healthy they are, and
 * promotes or rolls back a ring by editing its stack file, a change to review and merge.
 */
import { runCli } from "./lib/cli";
import { kubeconfigCluster } from "./lib/release/cluster";
import { runRelease } from "./lib/release/command";

runCli(async () => {
    process.exitCode = await runRelease(process.argv.slice(2), {
        projectDir: process.cwd(),
        clusterOf: kubeconfigCluster,
        now: () => new Date(),
        out: (text) => console.log(text),
    });
});

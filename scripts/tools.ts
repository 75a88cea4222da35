/**
 * npm run tools
 *
 * Installs the pinned helm, kube-score and actionlint (scripts/lib/tools.ts) that are missing,
 * then prints where each one is. `npm test` does the same before the tests start.
 */
import { runCli } from "./lib/cli";
import { installMissingTools } from "./lib/install-tools";
import { requireTool, TOOLS } from "./lib/tools";

runCli(async () => {
    await installMissingTools();
    for (const tool of Object.values(TOOLS)) {
        console.log(`${tool.name} ${tool.version}  ${requireTool(tool.name)}`);
    }
});

/**
 * npm run tools
 *
 * Installs the pinned helm, kube-score and actionlint (scripts/lib/tools.ts) that are missing,
 * then prints where each one is. `npm test` does the same before the tests start.
 */
import { runCli } from "./lib/cli";
import { installMissingTools } from "./lib/install-tools";
import { formatTable } from "./lib/table";
import { requireTool, TOOLS } from "./lib/tools";

runCli(async () => {
    await installMissingTools();
    const rows = Object.values(TOOLS).map((tool) => [
        tool.name,
        tool.version,
        requireTool(tool.name),
    ]);
    console.log(formatTable(["TOOL", "VERSION", "PATH"], rows));
});

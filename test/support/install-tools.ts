/**
 * Mocha's global setup (.mocharc.json): before any test runs, installs the pinned tools the
 * chart, scan and workflow tests need, so that `npm test` works on a fresh machine. A failed
 * install stops the run with go's message; no test is skipped for a missing tool.
 */
import { installMissingTools } from "../../scripts/lib/install-tools";

export async function mochaGlobalSetup(): Promise<void> {
    await installMissingTools();
}

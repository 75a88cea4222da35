/**
 * npm run state-guard -- --stack <stack>
 *
 * Before `pulumi up`, compares the tenants the stack's state holds (its Tenant components, and
 * its `tenants` output) with the tenant files and the stack's confirmations, as the program's
 * deletion guard does with the outputs alone: a removal is refused even when a killed update left
 * no outputs, and a stack whose outputs are not the program's is refused, not taken as new.
 * Exits 1 with every problem, each naming the stack file and key.
 */
import * as path from "node:path";
import { readOfflineSettings } from "../components/stack/stack-file";
import { tenantsOfStack } from "../components/stack/settings";
import { throwIfProblems } from "../components/support/errors";
import { loadTenants } from "../components/tenant-files/registry";
import { parseOptions, runCli, UsageError } from "./lib/cli";
import { PulumiCli } from "./lib/recover/pulumi-cli";
import { parseStackExport, tenantsInState } from "./lib/recover/state";
import { stateGuardProblems } from "./lib/state-guard";

const USAGE = `usage:
  npm run state-guard -- --stack <stack>   # run in the project folder, with the stack's backend in the environment`;

runCli(() => {
    const values = parseOptions(process.argv.slice(2), { stack: { type: "string" } }, USAGE);
    if (!values) return;
    if (!values.stack) throw new UsageError(`--stack is required\n${USAGE}`);
    const projectDir = process.cwd();
    const stackName = values.stack.split("/").pop()!;
    const allTenants = loadTenants(path.join(projectDir, "tenants"));
    const settings = readOfflineSettings(projectDir, stackName, allTenants);
    const next = tenantsOfStack(allTenants, settings);
    const otherShards = allTenants.filter(
        (tenant) => tenant.environments.includes(settings.environment) && !next.includes(tenant),
    );
    const state = parseStackExport(new PulumiCli(values.stack, projectDir).exportState());
    throwIfProblems(stateGuardProblems(state, next, settings, otherShards));
    console.log(
        `state guard: ${values.stack}: ${tenantsInState(state).length} tenants in the state, ${next.length} in the tenant files; no unconfirmed removal or move`,
    );
});

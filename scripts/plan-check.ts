/**
 * npm run plan-check -- --tenants a,b [--file preview.json]
 *
 * The signup lane's check of a plan: reads the JSON of `pulumi preview --json` (from --file, or
 * from stdin) and admits it only if it creates resources inside the Tenant components of the
 * named new tenants and changes nothing else (scripts/lib/signup-plan.ts). Prints one line per
 * offending step (op, URN, why) and a summary. Exit 0: admitted; 1: refused (the plan, or an
 * input that is not a preview's JSON); 2: wrong usage.
 */
import * as fs from "node:fs";
import { TENANT_NAME_PATTERN } from "../components/vocabulary/naming";
import { parseOptions, runCli, UsageError } from "./lib/cli";
import { PreviewInputError, readPreviewPlan } from "./lib/preview-plan";
import { describeVerdict, judgeSignupPlan } from "./lib/signup-plan";

const USAGE = `usage:
  pulumi preview --json ... | npm run plan-check -- --tenants a,b
  npm run plan-check -- --tenants a,b --file preview.json
exit 0: admitted, 1: refused, 2: wrong usage`;

runCli(
    () => {
        const values = parseOptions(
            process.argv.slice(2),
            { tenants: { type: "string" }, file: { type: "string" } },
            USAGE,
        );
        if (!values) return;
        const tenants = tenantNames(values.tenants);
        const text = readInput(values.file);
        let plan;
        try {
            plan = readPreviewPlan(text);
        } catch (err) {
            if (!(err instanceof PreviewInputError)) throw err;
            console.log(`signup plan refused: ${values.file ?? "stdin"}: ${err.message}`);
            process.exitCode = 1;
            return;
        }
        const verdict = judgeSignupPlan(plan, tenants);
        for (const line of describeVerdict(verdict)) console.log(line);
        process.exitCode = verdict.admitted ? 0 : 1;
    },
    { usageExitCode: 2 },
);

function tenantNames(option: string | undefined): string[] {
    const names = (option ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "");
    if (names.length === 0)
        throw new UsageError(`--tenants: name the new tenants, such as --tenants a,b\n${USAGE}`);
    const invalid = names.filter((name) => !TENANT_NAME_PATTERN.test(name));
    if (invalid.length > 0)
        throw new UsageError(
            `--tenants: not a tenant name: ${invalid.join(", ")} (a lowercase DNS label such as school-a)\n${USAGE}`,
        );
    return names;
}

function readInput(file: string | undefined): string {
    try {
        return fs.readFileSync(file ?? 0, "utf8");
    } catch (err) {
        throw new UsageError(
            `--file: cannot read ${file ?? "stdin"}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
    }
}

/**
 * npm run lane -- --base <ref> [--head <ref>] [--branch <name>] [--json]
 *
 * Whether the change from merge-base(<base>, <head>) to <head> is a signup that may take the
 * fast lane, and by which rule; when it is not, every reason (scripts/lib/signup-lane.ts has the
 * rules). Not a signup is an answer, exit 0; only bad input (a ref git does not know) fails.
 */
import { parseOptions, runCli, UsageError } from "./lib/cli";
import { classifySignup, SignupVerdict } from "./lib/signup-lane";

const USAGE = `usage:
  npm run lane -- --base <ref> [--head <ref>] [--branch <name>] [--json]
      --base    the branch the change goes to, e.g. origin/main; the change starts at the merge base
      --head    the change's last commit (default HEAD)
      --branch  the pull request's source branch; tenant/create-tenant-<name> names the core's signup
      --json    {"signup":bool,"rule":"create-tenant"|"adds-tenant-files"|null,"tenants":[...],
                 "environments":[...],"stacks":[...],"reasons":[...],"notes":[...]}`;

runCli(() => {
    const values = parseOptions(
        process.argv.slice(2),
        {
            base: { type: "string" },
            head: { type: "string" },
            branch: { type: "string" },
            json: { type: "boolean" },
        },
        USAGE,
    );
    if (!values) return;
    if (values.base === undefined) throw new UsageError(`--base is required\n${USAGE}`);
    const verdict = classifySignup(process.cwd(), {
        base: values.base,
        head: values.head ?? "HEAD",
        options: ["--base", "--head"],
        ...(values.branch !== undefined && { branch: values.branch }),
    });
    console.log(values.json ? JSON.stringify(verdict) : describeVerdict(verdict));
});

function describeVerdict(verdict: SignupVerdict): string {
    const lines = verdict.signup
        ? [
              `signup, admitted by the rule ${verdict.rule}`,
              `tenants:      ${verdict.tenants.join(", ")}`,
              `environments: ${verdict.environments.join(", ") || "none"}`,
              `stacks:       ${verdict.stacks.join(", ") || "none"}`,
          ]
        : ["not a signup:", ...verdict.reasons.map((reason) => `  ${reason}`)];
    return [...lines, ...verdict.notes.map((note) => `note: ${note}`)].join("\n");
}

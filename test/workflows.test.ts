/**
 * The delivery path: .github/workflows/*.yml and .gitlab-ci.yml. The workflows are linted by
 * the real actionlint; then each rule of docs/delivery.md is a check on the parsed YAML, run on
 * the real files and on copies broken on purpose, so that no check can pass whatever it reads.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../components/support/project-root";
import { requireTool } from "../scripts/lib/tools";

const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");
const STACKS = ["dev", "sit", "prod"] as const;
type Stack = (typeof STACKS)[number];
/** What a pull request must touch to be previewed, and a push to main to be deployed. */
const PROGRAM_PATHS = [
    "index.ts",
    "components/**",
    "scripts/**",
    "tenants/**",
    "charts/**",
    "policy/**",
    "Pulumi*.yaml",
    "package*.json",
    "tsconfig*.json",
    "test/**",
];

type Concurrency = string | { group: string; "cancel-in-progress"?: boolean | string };
interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, string | number | boolean>;
    "continue-on-error"?: boolean | string;
}
interface Job {
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string; deployment?: boolean };
    concurrency?: Concurrency;
    permissions?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown> };
    env?: Record<string, string>;
    steps?: Step[];
}
interface Input {
    type?: string;
    options?: string[];
    default?: string;
    required?: boolean;
}
interface Workflow {
    on: {
        pull_request?: { paths?: string[] };
        push?: { branches?: string[]; paths?: string[] };
        workflow_dispatch?: { inputs?: Record<string, Input> } | null;
        schedule?: Array<{ cron: string }>;
        [event: string]: unknown;
    };
    concurrency?: Concurrency;
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}
interface GitlabRule {
    if?: string;
    changes?: string[];
    when?: string;
}
interface GitlabJob {
    extends?: string | string[];
    stage?: string;
    image?: string | { name: string };
    variables?: Record<string, string>;
    parallel?: { matrix?: Array<Record<string, string | string[]>> };
    environment?: string | { name: string; action?: string };
    resource_group?: string;
    needs?: Array<string | { job: string }>;
    rules?: GitlabRule[];
    before_script?: string[];
    script?: string[];
}
type GitlabCi = Record<string, unknown> & { stages?: string[]; variables?: Record<string, string> };

interface Docs {
    preview: Workflow;
    deploy: Workflow;
    tenant: Workflow;
    gitlab: GitlabCi;
}

const readText = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
const workflowFiles = () =>
    fs
        .readdirSync(WORKFLOWS_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
const loadDocs = (): Docs => ({
    preview: yaml.load(readText(".github/workflows/preview.yml")) as Workflow,
    deploy: yaml.load(readText(".github/workflows/deploy.yml")) as Workflow,
    tenant: yaml.load(readText(".github/workflows/tenant.yml")) as Workflow,
    gitlab: yaml.load(readText(".gitlab-ci.yml")) as GitlabCi,
});

// ---- lookups -------------------------------------------------------------------------------

const stepsOf = (job: Job): Step[] => job.steps ?? [];
const allSteps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap(stepsOf);
const needsOf = (job: Job): string[] => [job.needs ?? []].flat();
const environmentOf = (job: Job): string | undefined =>
    typeof job.environment === "string" ? job.environment : job.environment?.name;
const pulumiSteps = (job: Job): Step[] =>
    stepsOf(job).filter((s) => s.uses?.startsWith("pulumi/actions@"));
const isTrue = (value: unknown) => value === true || value === "true";

function concurrencyOf(c: Concurrency | undefined): { group: string; cancel: boolean } | undefined {
    if (c === undefined) return undefined;
    return typeof c === "string"
        ? { group: c, cancel: false }
        : { group: c.group, cancel: isTrue(c["cancel-in-progress"]) };
}

/** Every shell script and github-script body, with where it is: the places an expression would be code. */
function scriptsOf(wf: Workflow): Array<{ where: string; script: string }> {
    const found: Array<{ where: string; script: string }> = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        stepsOf(job).forEach((step, i) => {
            const where = `jobs.${id}.steps[${i}]${step.name ? ` (${step.name})` : ""}`;
            if (typeof step.run === "string") found.push({ where, script: step.run });
            if (
                step.uses?.startsWith("actions/github-script@") &&
                typeof step.with?.script === "string"
            ) {
                found.push({ where: `${where}.with.script`, script: step.with.script });
            }
        });
    }
    return found;
}

/** The job that runs `pulumi up` on `stack`, found by its environment. */
function upJob(wf: Workflow, stack: Stack): [string, Job] {
    const jobs = Object.entries(wf.jobs).filter(
        ([, job]) =>
            environmentOf(job) === stack && pulumiSteps(job).some((s) => s.with?.command === "up"),
    );
    assert.equal(
        jobs.length,
        1,
        `exactly one job runs pulumi up in environment ${stack} (found ${jobs.length})`,
    );
    return jobs[0];
}

function gitlabJob(ci: GitlabCi, name: string): GitlabJob {
    const job = ci[name] as GitlabJob | undefined;
    assert.ok(job && typeof job === "object", `.gitlab-ci.yml: no job ${name}`);
    let resolved: Record<string, unknown> = {};
    for (const parent of [job.extends ?? []].flat())
        resolved = deepMerge(resolved, gitlabJob(ci, parent) as Record<string, unknown>);
    const own: Record<string, unknown> = { ...job };
    delete own.extends;
    return deepMerge(resolved, own) as GitlabJob;
}

/** GitLab's `extends`: hashes merge key by key, everything else is replaced. */
function deepMerge(
    base: Record<string, unknown>,
    over: Record<string, unknown>,
): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    const isHash = (v: unknown): v is Record<string, unknown> =>
        typeof v === "object" && v !== null && !Array.isArray(v);
    for (const [key, value] of Object.entries(over)) {
        out[key] =
            isHash(out[key]) && isHash(value)
                ? deepMerge(out[key] as Record<string, unknown>, value)
                : value;
    }
    return out;
}

const gitlabJobNames = (ci: GitlabCi) =>
    Object.keys(ci).filter(
        (k) =>
            !k.startsWith(".") &&
            !["stages", "variables", "workflow", "default", "include"].includes(k),
    );
const gitlabScript = (job: GitlabJob) =>
    [...(job.before_script ?? []), ...(job.script ?? [])].join("\n");
const gitlabEnvironment = (job: GitlabJob) =>
    typeof job.environment === "string" ? job.environment : job.environment?.name;
const gitlabNeeds = (job: GitlabJob) =>
    (job.needs ?? []).map((n) => (typeof n === "string" ? n : n.job));

// ---- cross-cutting scans -------------------------------------------------------------------

/** Expressions an attacker can fill (form inputs, PR titles, branch names) must not become code. */
export function injectionProblems(wf: Workflow, file: string): string[] {
    const untrusted = /\$\{\{\s*(inputs\.|github\.event\.|github\.head_ref)/;
    return scriptsOf(wf)
        .filter(({ script }) => untrusted.test(script))
        .map(
            ({ where }) =>
                `${file}: ${where}: interpolates an untrusted expression into a script; pass it through env: instead`,
        );
}

const CREDENTIAL_PATTERNS: Array<[string, RegExp]> = [
    ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ["a Pulumi access token", /\bpul-[0-9a-f]{40}\b/],
    ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
    ["a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}\b/],
    ["kubeconfig credentials", /\b(client-key-data|client-certificate-data)\s*:/],
];
/** A password or token value may only be a reference: `${{ secrets.NAME }}` (or `|| github.token`), `$NAME`, `${NAME}`. */
const SECRET_REFERENCE =
    /^(\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*(\s*\|\|\s*github\.token)?\s*\}\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)$/;
const SECRET_KEY = /(^|[-_])(password|passwd|token)$/i;

export function secretProblems(text: string, file: string): string[] {
    const problems = CREDENTIAL_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(
        ([what]) => `${file}: contains ${what}`,
    );
    const visit = (node: unknown, at: string): void => {
        if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${at}[${i}]`));
        if (typeof node !== "object" || node === null) return;
        for (const [key, value] of Object.entries(node)) {
            const where = at ? `${at}.${key}` : key;
            // `permissions: { id-token: write }` is a scope, not a token.
            if (/(^|\.)permissions$/.test(at)) continue;
            // GitLab also writes variables as { value, description }.
            const literal =
                typeof value === "string"
                    ? value
                    : typeof value === "object" &&
                        value !== null &&
                        typeof (value as { value?: unknown }).value === "string"
                      ? (value as { value: string }).value
                      : undefined;
            if (
                SECRET_KEY.test(key) &&
                literal !== undefined &&
                !SECRET_REFERENCE.test(literal.trim())
            ) {
                problems.push(
                    `${file}: ${where}: a plaintext value; use a secret or CI/CD variable reference`,
                );
            }
            visit(value, where);
        }
    };
    visit(yaml.load(text), "");
    return problems;
}

// ---- the rules, one function each: they throw on the first broken one ----------------------

function checkPreviewTrigger({ preview }: Docs): void {
    const paths = preview.on.pull_request?.paths ?? [];
    for (const p of PROGRAM_PATHS)
        assert.ok(paths.includes(p), `preview.yml: pull_request.paths lacks ${p}`);
    assert.deepEqual(
        Object.keys(preview.on),
        ["pull_request"],
        "preview.yml runs on pull requests only",
    );
}

function checkPreviewTests({ preview }: Docs): void {
    const test = preview.jobs.test;
    assert.ok(test, "preview.yml: a job named test");
    const steps = stepsOf(test);
    assert.ok(
        steps.some((s) => s.uses?.startsWith("actions/setup-go@")),
        "test sets up Go, which npm test needs to build the pinned tools",
    );
    assert.ok(
        steps.some((s) => /^bash \.ci\/run$/m.test(s.run ?? "")),
        "test runs bash .ci/run (npm ci, npm test)",
    );
    assert.ok(
        steps.some((s) => /npm run tenant -- validate/.test(s.run ?? "")),
        "test runs npm run tenant -- validate",
    );
}

function checkPreviewPerStack({ preview }: Docs): void {
    const job = preview.jobs.preview;
    assert.ok(job, "preview.yml: a job named preview");
    assert.deepEqual(needsOf(job), ["test"], "preview needs test");
    assert.deepEqual(
        job.strategy?.matrix?.stack,
        [...STACKS],
        "preview has a matrix over dev, sit, prod",
    );
    assert.deepEqual(job.permissions, {
        contents: "read",
        "id-token": "write",
        "pull-requests": "write",
    });
    const [step, ...others] = pulumiSteps(job);
    assert.ok(step && others.length === 0, "preview runs one pulumi/actions step");
    assert.equal(step.uses, "pulumi/actions@v6");
    const w = step.with ?? {};
    assert.equal(w.command, "preview");
    assert.match(
        String(w["stack-name"]),
        /^\$\{\{ vars\.PULUMI_ORG \}\}\/\$\{\{ matrix\.stack \}\}$/,
    );
    for (const flag of ["diff", "comment-on-pr", "edit-pr-comment"])
        assert.ok(isTrue(w[flag]), `pulumi preview: ${flag}: true`);
    // The action cuts a comment to 64,000 characters; from the front, so the summary stays.
    assert.ok(isTrue(w["always-include-summary"]), "pulumi preview: always-include-summary: true");
    assert.ok(
        !isTrue(step["continue-on-error"]) && !isTrue(w["continue-on-error"]),
        "a failing preview fails the check",
    );
    assert.match(step.env?.PULUMI_ACCESS_TOKEN ?? "", /^\$\{\{ secrets\.PULUMI_ACCESS_TOKEN \}\}$/);
}

function checkCredentials({ preview, deploy }: Docs): void {
    for (const [file, wf] of [
        ["preview.yml", preview],
        ["deploy.yml", deploy],
    ] as const) {
        for (const [id, job] of Object.entries(wf.jobs).filter(
            ([, j]) => pulumiSteps(j).length > 0,
        )) {
            const steps = stepsOf(job);
            assert.equal(
                job.permissions?.["id-token"],
                "write",
                `${file}: ${id}: id-token: write for OIDC`,
            );
            const aws = steps.find((s) =>
                s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
            );
            assert.equal(
                aws?.uses,
                "aws-actions/configure-aws-credentials@v4",
                `${file}: ${id}: AWS credentials by OIDC`,
            );
            assert.match(
                String(aws?.with?.["role-to-assume"]),
                /^\$\{\{ (vars|secrets)\.[A-Z_]+ \}\}$/,
                `${file}: ${id}: role-to-assume from a variable`,
            );
            assert.ok(
                !("aws-access-key-id" in (aws?.with ?? {})),
                `${file}: ${id}: no long-lived AWS keys`,
            );
            const kube = steps.find((s) => /KUBECONFIG=/.test(s.run ?? ""));
            assert.ok(kube, `${file}: ${id}: writes a kubeconfig`);
            assert.ok(
                Object.values(kube.env ?? {}).some((v) => /^\$\{\{ secrets\.[A-Z_]+ \}\}$/.test(v)),
                `${file}: ${id}: kubeconfig from a secret`,
            );
            assert.match(
                kube.run ?? "",
                /"\$RUNNER_TEMP\/kubeconfig"/,
                `${file}: ${id}: kubeconfig in the runner's temp directory`,
            );
            assert.match(
                kube.run ?? "",
                />> "\$GITHUB_ENV"/,
                `${file}: ${id}: KUBECONFIG exported to later steps`,
            );
        }
    }
}

function checkPreviewConcurrency({ preview }: Docs): void {
    const c = concurrencyOf(preview.concurrency ?? preview.jobs.preview?.concurrency);
    assert.ok(c, "preview.yml: a concurrency group");
    assert.match(c.group, /github\.event\.pull_request\.number/, "one group per pull request");
    assert.equal(c.cancel, true, "a newer push cancels the older preview");
}

function checkDeployTriggers({ deploy }: Docs): void {
    assert.deepEqual(deploy.on.push?.branches, ["main"]);
    assert.deepEqual(deploy.on.push?.paths, PROGRAM_PATHS);
    assert.ok("workflow_dispatch" in deploy.on, "deploy.yml can be started by hand");
    assert.ok(
        (deploy.on.schedule ?? []).length > 0,
        "deploy.yml has a schedule for the drift check",
    );
}

function checkDeployOrder({ deploy }: Docs): void {
    const [devId] = upJob(deploy, "dev");
    const [sitId, sit] = upJob(deploy, "sit");
    const [, prod] = upJob(deploy, "prod");
    assert.deepEqual(needsOf(sit), [devId], "sit is deployed after dev");
    assert.deepEqual(needsOf(prod), [sitId], "prod is deployed after sit");
}

function checkDeployJobs({ deploy }: Docs): void {
    for (const stack of STACKS) {
        const [id, job] = upJob(deploy, stack);
        // The environment carries the approval rule (required reviewers for sit and prod).
        assert.ok(
            typeof job.environment === "string" || job.environment?.deployment !== false,
            `${id}: a real deployment to ${stack}`,
        );
        assert.deepEqual(
            concurrencyOf(job.concurrency),
            { group: `pulumi-${stack}`, cancel: false },
            `${id}: one update of ${stack} at a time, never cancelled`,
        );
        assert.match(
            job.if ?? "",
            /github\.event_name != 'schedule'/,
            `${id}: does not run on schedule`,
        );
        const up = pulumiSteps(job).find((s) => s.with?.command === "up");
        const stackName = String(up?.with?.["stack-name"]);
        assert.ok(
            stackName.includes(`/${stack}`) ||
                (stackName.endsWith("${{ env.STACK }}") && job.env?.STACK === stack),
            `${id}: pulumi up on ${stack} (stack-name ${stackName})`,
        );
    }
}

function checkDrift({ deploy, gitlab }: Docs): void {
    const drift = Object.entries(deploy.jobs).filter(([, job]) =>
        /github\.event_name == 'schedule'/.test(job.if ?? ""),
    );
    assert.equal(drift.length, 1, "deploy.yml: one job runs on schedule");
    const [id, job] = drift[0];
    const viaAction = pulumiSteps(job).some(
        (s) =>
            s.with?.command === "preview" &&
            isTrue(s.with?.["expect-no-changes"]) &&
            (String(s.with?.["stack-name"]).endsWith("/prod") ||
                (String(s.with?.["stack-name"]).endsWith("${{ env.STACK }}") &&
                    job.env?.STACK === "prod")),
    );
    const viaCli = stepsOf(job).some(
        (s) =>
            /pulumi preview\b.*--expect-no-changes/.test(s.run ?? "") && /prod/.test(s.run ?? ""),
    );
    assert.ok(viaAction || viaCli, `deploy.yml: ${id}: pulumi preview --expect-no-changes on prod`);
    assert.ok(
        !pulumiSteps(job).some((s) => s.with?.command !== "preview"),
        `deploy.yml: ${id}: only previews`,
    );
    const scheduled = gitlabJobNames(gitlab)
        .map((n) => gitlabJob(gitlab, n))
        .filter((j) =>
            (j.rules ?? []).some(
                (r) => /\$CI_PIPELINE_SOURCE == "schedule"/.test(r.if ?? "") && r.when !== "never",
            ),
        );
    assert.equal(scheduled.length, 1, ".gitlab-ci.yml: one job runs on schedule");
    assert.match(gitlabScript(scheduled[0]), /pulumi preview .*--expect-no-changes/);
    assert.equal(scheduled[0].variables?.STACK, "prod");
}

/** The core's dispatch fields: each job variable, and the input (or client_payload field) it comes from. */
const TENANT_FIELDS: ReadonlyArray<readonly [string, string]> = [
    ["TENANT_NAME", "tenant_name"],
    ["SCHOOL_ID", "school_id"],
    ["DISPLAY_NAME", "display_name"],
    ["PLAN", "plan"],
    ["ENVIRONMENTS", "environments"],
];

function checkTenantInputs({ tenant }: Docs): void {
    assert.deepEqual(
        Object.keys(tenant.on),
        ["workflow_dispatch", "repository_dispatch"],
        "tenant.yml runs from its form and from the core's dispatch only",
    );
    assert.deepEqual((tenant.on.repository_dispatch as { types?: string[] } | undefined)?.types, [
        "create-tenant",
        "delete-tenant",
    ]);
    const inputs = tenant.on.workflow_dispatch?.inputs ?? {};
    assert.deepEqual(inputs.action, {
        ...inputs.action,
        type: "choice",
        options: ["create-tenant", "delete-tenant"],
        required: true,
    });
    assert.deepEqual(inputs.tenant_name, { ...inputs.tenant_name, type: "string", required: true });
    assert.deepEqual(inputs.plan, {
        ...inputs.plan,
        type: "choice",
        options: ["small", "standard", "large"],
        default: "standard",
    });
    assert.deepEqual(inputs.environments, {
        ...inputs.environments,
        type: "string",
        default: "dev,sit,prod",
    });
    for (const optional of ["school_id", "display_name"]) {
        assert.equal(inputs[optional]?.type, "string", optional);
        assert.notEqual(inputs[optional]?.required, true, `${optional} is optional`);
    }
}

function checkTenantCommands({ tenant }: Docs): void {
    const job = tenant.jobs["pull-request"];
    const env = job.env ?? {};
    assert.match(
        env.ACTION ?? "",
        /^\$\{\{ inputs\.action \|\| github\.event\.client_payload\.action \|\| github\.event\.action \}\}$/,
    );
    for (const [variable, field] of TENANT_FIELDS) {
        assert.match(
            env[variable] ?? "",
            new RegExp(
                `^\\$\\{\\{ inputs\\.${field} \\|\\| github\\.event\\.client_payload\\.${field}( \\|\\| '[^']+')? \\}\\}$`,
            ),
            `${variable} comes from ${field}`,
        );
    }
    const run = stepsOf(job)
        .map((s) => s.run ?? "")
        .join("\n");
    assert.match(run, /npm ci --ignore-scripts/);
    assert.match(run, /args=\(add "\$TENANT_NAME" --plan "\$PLAN" --env "\$ENVIRONMENTS"\)/);
    assert.match(run, /--school-id "\$SCHOOL_ID"/);
    assert.match(run, /npm run tenant -- "\$\{args\[@\]\}"/);
    assert.match(run, /npm run (--silent )?tenant -- offboard "\$TENANT_NAME"/);
    assert.doesNotMatch(
        run,
        /tenant -- remove "\$/,
        "delete-tenant offboards; removing the file is a second reviewed change",
    );
}

function checkTenantNeverDeploys({ tenant }: Docs): void {
    assert.deepEqual(
        Object.values(tenant.jobs).flatMap(pulumiSteps),
        [],
        "tenant.yml runs no Pulumi action",
    );
    for (const { where, script } of scriptsOf(tenant)) {
        assert.doesNotMatch(
            script,
            /\bpulumi\s+(up|update|destroy|refresh|preview)\b/,
            `tenant.yml: ${where} runs pulumi`,
        );
    }
}

function checkTenantPullRequest({ tenant }: Docs): void {
    const steps = allSteps(tenant);
    const pr = steps.filter((s) => s.uses?.startsWith("peter-evans/create-pull-request@"));
    assert.equal(pr.length, 1, "tenant.yml opens one pull request");
    assert.equal(pr[0].uses, "peter-evans/create-pull-request@v7");
    assert.equal(pr[0].with?.branch, "tenant/${{ env.ACTION }}-${{ env.TENANT_NAME }}");
    assert.equal(
        pr[0].with?.["add-paths"],
        "tenants/${{ env.TENANT_NAME }}.yaml",
        "the pull request holds only the tenant's file",
    );
    const merges = steps.filter((s) => /gh pr merge/.test(s.run ?? ""));
    assert.equal(merges.length, 1, "one step merges");
    assert.match(
        merges[0].run ?? "",
        /gh pr merge "\$PR_NUMBER" --auto/,
        "it merges only once the required checks pass",
    );
    assert.match(
        merges[0].if ?? "",
        /^env\.ACTION == 'create-tenant' && /,
        "only a signup merges by itself",
    );
    const offboard = steps.find((s) => /tenant -- offboard/.test(s.run ?? ""));
    assert.match(offboard?.if ?? "", /^env\.ACTION == 'delete-tenant'$/);
    assert.match(offboard?.run ?? "", /never merged automatically/);
    assert.match(
        offboard?.run ?? "",
        /aims:allowTenantRemoval/,
        "the offboarding PR tells the reviewer how the removal is confirmed",
    );
}

function checkGitlabStages({ gitlab }: Docs): void {
    assert.deepEqual(gitlab.stages, ["test", "preview", "deploy"]);
    const test = gitlabJob(gitlab, "test");
    assert.equal(test.stage, "test");
    assert.match(gitlabScript(test), /^bash \.ci\/run$/m);
    assert.match(gitlabScript(test), /^npm run tenant -- validate$/m);
}

function checkGitlabPreview({ gitlab }: Docs): void {
    const previews = gitlabJobNames(gitlab)
        .map((name) => [name, gitlabJob(gitlab, name)] as const)
        .filter(
            ([, job]) =>
                job.stage === "preview" && /pulumi preview/.test(gitlabScript(job)) && job.parallel,
        );
    assert.equal(previews.length, 1, ".gitlab-ci.yml: one preview job with a matrix");
    const [name, job] = previews[0];
    assert.deepEqual(
        job.parallel?.matrix,
        [{ STACK: [...STACKS] }],
        `${name}: parallel:matrix STACK: dev, sit, prod`,
    );
    assert.ok(
        (job.rules ?? []).length > 0 &&
            (job.rules ?? []).every((r) =>
                /\$CI_PIPELINE_SOURCE == "merge_request_event"/.test(r.if ?? ""),
            ),
        `${name}: on merge requests only`,
    );
    const image = typeof job.image === "string" ? job.image : job.image?.name;
    assert.match(image ?? "", /^pulumi\/pulumi-nodejs(-20)?:/);
    const script = gitlabScript(job);
    assert.match(script, /pulumi preview (.* )?--diff (.* )?--stack "\$PULUMI_ORG\/\$STACK"/);
    assert.match(
        script,
        /merge_requests\/\$\{env\.CI_MERGE_REQUEST_IID\}\/notes/,
        `${name}: posts a merge-request note`,
    );
    assert.match(script, /"PRIVATE-TOKEN": env\.[A-Z_]+/, `${name}: with a CI/CD variable token`);
    assert.match(script, /LIMIT = 1_000_000/, `${name}: cut to GitLab's note limit`);
    assert.match(script, /exit "\$status"/, `${name}: a failed preview fails the job`);
}

function checkGitlabDeploys({ gitlab }: Docs): void {
    const deploys = gitlabJobNames(gitlab)
        .map((name) => [name, gitlabJob(gitlab, name)] as const)
        .filter(([, job]) => /pulumi up\b/.test(gitlabScript(job)));
    const byStack = new Map(deploys.map(([name, job]) => [gitlabEnvironment(job), { name, job }]));
    assert.deepEqual(
        Array.from(byStack.keys()).sort(),
        [...STACKS].sort(),
        ".gitlab-ci.yml: one pulumi up per stack, bound to its environment",
    );
    for (const stack of STACKS) {
        const { name, job } = byStack.get(stack)!;
        assert.equal(job.stage, "deploy");
        assert.equal(job.variables?.STACK, stack, `${name}: STACK`);
        assert.match(gitlabScript(job), /pulumi up --yes (.* )?--stack "\$PULUMI_ORG\/\$STACK"/);
        assert.equal(
            job.resource_group,
            `pulumi-${stack}`,
            `${name}: resource_group serialises updates of ${stack}`,
        );
        const rules = job.rules ?? [];
        assert.ok(
            rules.length > 0 &&
                rules.every((r) =>
                    (r.if ?? "").includes("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
                ),
            `${name}: on the default branch only`,
        );
        const manual = rules.every((r) => r.when === "manual");
        assert.equal(
            manual,
            stack !== "dev",
            `${name}: ${stack === "dev" ? "automatic" : "when: manual"}`,
        );
    }
    assert.deepEqual(
        gitlabNeeds(byStack.get("sit")!.job),
        [byStack.get("dev")!.name],
        "sit after dev",
    );
    assert.deepEqual(
        gitlabNeeds(byStack.get("prod")!.job),
        [byStack.get("sit")!.name],
        "prod after sit",
    );
}

/** Pulumi runs the compiled program: every job that runs it builds dist/ after npm ci and before Pulumi. */
function checkBuildBeforePulumi({ preview, deploy, gitlab }: Docs): void {
    const inOrder = (lines: readonly string[]) => {
        const install = lines.findIndex((line) => /^npm ci\b/m.test(line));
        const build = lines.findIndex((line) => /^npm run build$/m.test(line));
        const pulumi = lines.findIndex((line) =>
            /^uses: pulumi\/|\bpulumi (preview|up)\b/m.test(line),
        );
        return pulumi < 0 || (install >= 0 && install < build && build < pulumi);
    };
    for (const [file, wf] of [
        ["preview.yml", preview],
        ["deploy.yml", deploy],
    ] as const) {
        for (const [id, job] of Object.entries(wf.jobs)) {
            const lines = stepsOf(job).map((s) => (s.uses ? `uses: ${s.uses}` : (s.run ?? "")));
            assert.ok(inOrder(lines), `${file}: ${id}: npm ci, then npm run build, then pulumi`);
        }
    }
    for (const name of gitlabJobNames(gitlab)) {
        const lines = gitlabScript(gitlabJob(gitlab, name)).split("\n");
        assert.ok(
            inOrder(lines),
            `.gitlab-ci.yml: ${name}: npm ci, then npm run build, then pulumi`,
        );
    }
}

/** One Pulumi CLI version everywhere, equal to the SDK the program is built with. */
function checkPulumiVersion(docs: Docs, sdkVersion: string): void {
    assert.equal(docs.preview.env?.PULUMI_VERSION, sdkVersion, "preview.yml PULUMI_VERSION");
    assert.equal(docs.deploy.env?.PULUMI_VERSION, sdkVersion, "deploy.yml PULUMI_VERSION");
    assert.equal(
        docs.gitlab.variables?.PULUMI_VERSION,
        sdkVersion,
        ".gitlab-ci.yml PULUMI_VERSION",
    );
    for (const wf of [docs.preview, docs.deploy]) {
        for (const step of Object.values(wf.jobs).flatMap(pulumiSteps)) {
            assert.equal(
                step.with?.["pulumi-version"],
                "${{ env.PULUMI_VERSION }}",
                "every pulumi/actions step pins the CLI",
            );
        }
    }
}

function sdkVersion(): string {
    const lock = JSON.parse(readText("package-lock.json")) as {
        packages: Record<string, { version?: string }>;
    };
    const version = lock.packages["node_modules/@pulumi/pulumi"]?.version;
    assert.ok(version, "package-lock.json: @pulumi/pulumi");
    return version;
}

// ---- the tests -----------------------------------------------------------------------------

describe("delivery: actionlint", () => {
    let actionlint: string;
    before(() => {
        actionlint = requireTool("actionlint");
    });

    it("passes every workflow in .github/workflows", () => {
        const files = workflowFiles();
        assert.deepEqual(files, ["deploy.yml", "preview.yml", "tenant.yml"]);
        const result = spawnSync(
            actionlint,
            ["-no-color", ...files.map((f) => path.join(".github", "workflows", f))],
            { cwd: PROJECT_ROOT, encoding: "utf8" },
        );
        assert.equal(result.status, 0, `actionlint:\n${result.stdout}${result.stderr}`);
    });

    it("rejects a broken workflow (the binary really lints)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-actionlint-"));
        try {
            fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
            const broken = path.join(dir, ".github", "workflows", "broken.yml");
            fs.writeFileSync(
                broken,
                "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n" +
                    "    steps:\n      - run: echo ${{ secret.TOKEN }}\n",
            );
            const result = spawnSync(actionlint, ["-no-color", broken], {
                cwd: dir,
                encoding: "utf8",
            });
            assert.equal(result.status, 1, result.stdout + result.stderr);
            assert.match(result.stdout, /needs job "missing" which does not exist/);
            assert.match(result.stdout, /undefined variable "secret"/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/** A check, and copies of the real files broken the way the check must catch. */
interface Rule {
    readonly rule: string;
    readonly check: (docs: Docs) => void;
    readonly breaks: ReadonlyArray<readonly [string, (docs: Docs) => void]>;
}

const step = (wf: Workflow, job: string, pick: (s: Step) => boolean): Step => {
    const found = stepsOf(wf.jobs[job]).find(pick);
    assert.ok(found, `test setup: no such step in ${job}`);
    return found;
};
const previewStep = (d: Docs) => step(d.preview, "preview", (s) => s.uses === "pulumi/actions@v6");

const RULES: Rule[] = [
    {
        rule: "previews run on pull requests touching the program",
        check: checkPreviewTrigger,
        breaks: [
            [
                "tenants/** is not watched",
                (d) => {
                    d.preview.on.pull_request!.paths = PROGRAM_PATHS.filter(
                        (p) => p !== "tenants/**",
                    );
                },
            ],
            [
                "it also runs on push",
                (d) => {
                    d.preview.on.push = { branches: ["main"] };
                },
            ],
        ],
    },
    {
        rule: "the test job runs .ci/run (npm ci, npm test) and validates the tenants",
        check: checkPreviewTests,
        breaks: [
            [
                "no tenant validation",
                (d) => {
                    d.preview.jobs.test.steps = stepsOf(d.preview.jobs.test).filter(
                        (s) => !/validate/.test(s.run ?? ""),
                    );
                },
            ],
            [
                "npm test without .ci/run",
                (d) => {
                    step(d.preview, "test", (s) => s.run === "bash .ci/run").run = "npm test";
                },
            ],
        ],
    },
    {
        rule: "one preview per stack with pulumi/actions, one edited comment each, failing the check",
        check: checkPreviewPerStack,
        breaks: [
            [
                "prod is not previewed",
                (d) => {
                    d.preview.jobs.preview.strategy!.matrix!.stack = ["dev", "sit"];
                },
            ],
            [
                "no PR comment",
                (d) => {
                    previewStep(d).with!["comment-on-pr"] = false;
                },
            ],
            [
                "comments are not edited",
                (d) => {
                    delete previewStep(d).with!["edit-pr-comment"];
                },
            ],
            [
                "the comment is cut from the end",
                (d) => {
                    delete previewStep(d).with!["always-include-summary"];
                },
            ],
            [
                "a failure is ignored",
                (d) => {
                    previewStep(d)["continue-on-error"] = true;
                },
            ],
            [
                "an unqualified stack name",
                (d) => {
                    previewStep(d).with!["stack-name"] = "${{ matrix.stack }}";
                },
            ],
            [
                "no pull-requests: write",
                (d) => {
                    delete d.preview.jobs.preview.permissions!["pull-requests"];
                },
            ],
            [
                "it runs up",
                (d) => {
                    previewStep(d).with!.command = "up";
                },
            ],
        ],
    },
    {
        rule: "AWS by OIDC and the kubeconfig from a secret into a temporary file",
        check: checkCredentials,
        breaks: [
            [
                "no id-token permission",
                (d) => {
                    delete d.deploy.jobs["up-prod"].permissions!["id-token"];
                },
            ],
            [
                "static AWS keys",
                (d) => {
                    step(d.preview, "preview", (s) => !!s.uses?.startsWith("aws-actions/")).with = {
                        "aws-access-key-id": "${{ secrets.AWS_KEY }}",
                        "aws-region": "eu-west-1",
                    };
                },
            ],
            [
                "the kubeconfig goes to the workspace",
                (d) => {
                    const kube = step(d.preview, "preview", (s) => /KUBECONFIG=/.test(s.run ?? ""));
                    kube.run = kube.run!.replace(/"\$RUNNER_TEMP\/kubeconfig"/g, "kubeconfig");
                },
            ],
        ],
    },
    {
        rule: "a newer push cancels the older preview of the same PR",
        check: checkPreviewConcurrency,
        breaks: [
            [
                "not cancelled",
                (d) => {
                    d.preview.concurrency = {
                        group: "preview-${{ github.event.pull_request.number }}",
                        "cancel-in-progress": false,
                    };
                },
            ],
            [
                "one group for every PR",
                (d) => {
                    d.preview.concurrency = { group: "preview", "cancel-in-progress": true };
                },
            ],
        ],
    },
    {
        rule: "deploy runs on push to main (program paths), by hand, and on a schedule",
        check: checkDeployTriggers,
        breaks: [
            [
                "no workflow_dispatch",
                (d) => {
                    delete d.deploy.on.workflow_dispatch;
                },
            ],
            [
                "any branch deploys",
                (d) => {
                    d.deploy.on.push!.branches = ["**"];
                },
            ],
            [
                "no schedule",
                (d) => {
                    delete d.deploy.on.schedule;
                },
            ],
        ],
    },
    {
        rule: "dev, then sit, then prod",
        check: checkDeployOrder,
        breaks: [
            [
                "prod right after dev",
                (d) => {
                    d.deploy.jobs["up-prod"].needs = "up-dev";
                },
            ],
            [
                "sit without dev",
                (d) => {
                    delete d.deploy.jobs["up-sit"].needs;
                },
            ],
        ],
    },
    {
        rule: "each up is bound to its environment, serialised per stack, never on schedule",
        check: checkDeployJobs,
        breaks: [
            [
                "prod without its environment",
                (d) => {
                    delete d.deploy.jobs["up-prod"].environment;
                },
            ],
            [
                "prod bound to an environment without a deployment",
                (d) => {
                    d.deploy.jobs["up-prod"].environment = { name: "prod", deployment: false };
                },
            ],
            [
                "a running update is cancelled",
                (d) => {
                    d.deploy.jobs["up-sit"].concurrency = {
                        group: "pulumi-sit",
                        "cancel-in-progress": true,
                    };
                },
            ],
            [
                "one group for all stacks",
                (d) => {
                    d.deploy.jobs["up-dev"].concurrency = {
                        group: "pulumi",
                        "cancel-in-progress": false,
                    };
                },
            ],
            [
                "dev deploys on schedule",
                (d) => {
                    delete d.deploy.jobs["up-dev"].if;
                },
            ],
            [
                "the prod job updates sit",
                (d) => {
                    d.deploy.jobs["up-prod"].env = { STACK: "sit" };
                },
            ],
        ],
    },
    {
        rule: "the scheduled drift check previews prod with --expect-no-changes (GitHub and GitLab)",
        check: checkDrift,
        breaks: [
            [
                "changes are not an error",
                (d) => {
                    step(d.deploy, "drift-prod", (s) => s.uses === "pulumi/actions@v6").with![
                        "expect-no-changes"
                    ] = false;
                },
            ],
            [
                "it checks dev",
                (d) => {
                    d.deploy.jobs["drift-prod"].env = { STACK: "dev" };
                },
            ],
            [
                "it runs up",
                (d) => {
                    step(
                        d.deploy,
                        "drift-prod",
                        (s) => s.uses === "pulumi/actions@v6",
                    ).with!.command = "up";
                },
            ],
            [
                "GitLab's drift job checks sit",
                (d) => {
                    (d.gitlab["drift:prod"] as GitlabJob).variables = { STACK: "sit" };
                },
            ],
        ],
    },
    {
        rule: "the tenant workflow takes the core's dispatch: action, tenant_name, school_id, display_name, plan, environments",
        check: checkTenantInputs,
        breaks: [
            [
                "plan defaults to large",
                (d) => {
                    d.tenant.on.workflow_dispatch!.inputs!.plan.default = "large";
                },
            ],
            [
                "the old actions",
                (d) => {
                    d.tenant.on.workflow_dispatch!.inputs!.action.options = ["create", "delete"];
                },
            ],
            [
                "action can rename",
                (d) => {
                    d.tenant.on.workflow_dispatch!.inputs!.action.options = [
                        "create-tenant",
                        "delete-tenant",
                        "rename-tenant",
                    ];
                },
            ],
            [
                "no repository_dispatch",
                (d) => {
                    delete d.tenant.on.repository_dispatch;
                },
            ],
            [
                "it also runs on push",
                (d) => {
                    d.tenant.on.push = {};
                },
            ],
            [
                "school_id is required",
                (d) => {
                    d.tenant.on.workflow_dispatch!.inputs!.school_id.required = true;
                },
            ],
            [
                "display_name is required",
                (d) => {
                    d.tenant.on.workflow_dispatch!.inputs!.display_name.required = true;
                },
            ],
        ],
    },
    {
        rule: "the tenant workflow runs the tenant CLI with its inputs passed through env",
        check: checkTenantCommands,
        breaks: [
            [
                "no offboard",
                (d) => {
                    d.tenant.jobs["pull-request"].steps = stepsOf(
                        d.tenant.jobs["pull-request"],
                    ).filter((s) => !/offboard/.test(s.run ?? ""));
                },
            ],
            [
                "TENANT_NAME is not the input",
                (d) => {
                    d.tenant.jobs["pull-request"].env!.TENANT_NAME = "${{ github.actor }}";
                },
            ],
            [
                "school_id is ignored from the core",
                (d) => {
                    d.tenant.jobs["pull-request"].env!.SCHOOL_ID = "${{ inputs.school_id }}";
                },
            ],
            [
                "delete removes the file at once",
                (d) => {
                    const offboard = step(d.tenant, "pull-request", (s) =>
                        /tenant -- offboard/.test(s.run ?? ""),
                    );
                    offboard.run = offboard.run!.replace(
                        'offboard "$TENANT_NAME"',
                        'remove "$TENANT_NAME"',
                    );
                },
            ],
        ],
    },
    {
        rule: "the tenant workflow never deploys",
        check: checkTenantNeverDeploys,
        breaks: [
            [
                "pulumi up in a script",
                (d) => {
                    stepsOf(d.tenant.jobs["pull-request"]).push({
                        run: "pulumi up --yes --stack dev",
                    });
                },
            ],
            [
                "the Pulumi action",
                (d) => {
                    stepsOf(d.tenant.jobs["pull-request"]).push({
                        uses: "pulumi/actions@v6",
                        with: { command: "up" },
                    });
                },
            ],
        ],
    },
    {
        rule: "the tenant workflow opens a PR with only the tenant's file; a signup merges when its checks pass, an offboarding never",
        check: checkTenantPullRequest,
        breaks: [
            [
                "another branch",
                (d) => {
                    step(
                        d.tenant,
                        "pull-request",
                        (s) => !!s.uses?.startsWith("peter-evans/"),
                    ).with!.branch = "tenants";
                },
            ],
            [
                "the whole tenants folder",
                (d) => {
                    step(
                        d.tenant,
                        "pull-request",
                        (s) => !!s.uses?.startsWith("peter-evans/"),
                    ).with!["add-paths"] = "tenants/";
                },
            ],
            [
                "an offboarding merges by itself",
                (d) => {
                    step(d.tenant, "pull-request", (s) => /gh pr merge/.test(s.run ?? "")).if =
                        "steps.pr.outputs.pull-request-number != ''";
                },
            ],
            [
                "the merge does not wait for the checks",
                (d) => {
                    const merge = step(d.tenant, "pull-request", (s) =>
                        /gh pr merge/.test(s.run ?? ""),
                    );
                    merge.run = merge.run!.replace(" --auto", " --admin");
                },
            ],
            [
                "no confirmation explained",
                (d) => {
                    const offboard = step(d.tenant, "pull-request", (s) =>
                        /tenant -- offboard/.test(s.run ?? ""),
                    );
                    offboard.run = offboard.run!.replace(
                        /aims:allowTenantRemoval/g,
                        "the stack config",
                    );
                },
            ],
        ],
    },
    {
        rule: "GitLab: stages test, preview, deploy; the test job runs .ci/run and validates",
        check: checkGitlabStages,
        breaks: [
            [
                "no preview stage",
                (d) => {
                    d.gitlab.stages = ["test", "deploy"];
                },
            ],
            [
                "no validation",
                (d) => {
                    (d.gitlab.test as GitlabJob).script = ["bash .ci/run"];
                },
            ],
        ],
    },
    {
        rule: "GitLab: a preview per stack on merge requests, posted as a note cut to 1,000,000 characters",
        check: checkGitlabPreview,
        breaks: [
            [
                "sit is not previewed",
                (d) => {
                    (d.gitlab.preview as GitlabJob).parallel = {
                        matrix: [{ STACK: ["dev", "prod"] }],
                    };
                },
            ],
            [
                "it runs on every branch",
                (d) => {
                    (d.gitlab.preview as GitlabJob).rules = [{ if: "$CI_COMMIT_BRANCH" }];
                },
            ],
            [
                "no note",
                (d) => {
                    (d.gitlab.preview as GitlabJob).script = [
                        'pulumi preview --diff --stack "$PULUMI_ORG/$STACK"',
                    ];
                },
            ],
        ],
    },
    {
        rule: "GitLab: dev automatic, sit and prod manual, in order, one resource_group per stack",
        check: checkGitlabDeploys,
        breaks: [
            [
                "prod deploys by itself",
                (d) => {
                    (d.gitlab["deploy:prod"] as GitlabJob).rules = [
                        { if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" },
                    ];
                },
            ],
            [
                "dev waits for a click",
                (d) => {
                    (d.gitlab["deploy:dev"] as GitlabJob).rules = [
                        { if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual" },
                    ];
                },
            ],
            [
                "sit is not serialised",
                (d) => {
                    delete (d.gitlab["deploy:sit"] as GitlabJob).resource_group;
                },
            ],
            [
                "prod right after dev",
                (d) => {
                    (d.gitlab["deploy:prod"] as GitlabJob).needs = ["deploy:dev"];
                },
            ],
            [
                "deploys from a merge request",
                (d) => {
                    (d.gitlab["deploy:sit"] as GitlabJob).rules = [
                        { if: '$CI_PIPELINE_SOURCE == "merge_request_event"', when: "manual" },
                    ];
                },
            ],
        ],
    },
    {
        rule: "every job that runs the program builds it first",
        check: checkBuildBeforePulumi,
        breaks: [
            [
                "the preview does not build",
                (d) => {
                    d.preview.jobs.preview.steps = stepsOf(d.preview.jobs.preview).filter(
                        (s) => s.run !== "npm run build",
                    );
                },
            ],
            [
                "the deploy builds after pulumi up",
                (d) => {
                    const steps = stepsOf(d.deploy.jobs["up-dev"]);
                    const build = steps.findIndex((s) => s.run === "npm run build");
                    steps.push(...steps.splice(build, 1));
                },
            ],
            [
                "the drift check does not build",
                (d) => {
                    d.deploy.jobs["drift-prod"].steps = stepsOf(d.deploy.jobs["drift-prod"]).filter(
                        (s) => s.run !== "npm run build",
                    );
                },
            ],
            [
                "GitLab's Pulumi jobs do not build",
                (d) => {
                    const pulumi = d.gitlab[".pulumi"] as GitlabJob;
                    pulumi.before_script = pulumi.before_script!.filter(
                        (l) => l !== "npm run build",
                    );
                },
            ],
        ],
    },
    {
        rule: "the Pulumi CLI is the version of @pulumi/pulumi in package-lock.json",
        check: (d) => checkPulumiVersion(d, sdkVersion()),
        breaks: [
            [
                "GitLab runs another CLI",
                (d) => {
                    d.gitlab.variables!.PULUMI_VERSION = "3.100.0";
                },
            ],
            [
                "a step takes the latest CLI",
                (d) => {
                    delete previewStep(d).with!["pulumi-version"];
                },
            ],
        ],
    },
];

describe("delivery: workflow and pipeline rules", () => {
    const docs = loadDocs();
    for (const { rule, check, breaks } of RULES) {
        describe(rule, () => {
            it("holds for the real files", () => check(structuredClone(docs)));
            for (const [what, edit] of breaks) {
                it(`fails when ${what}`, () => {
                    const broken = structuredClone(docs);
                    edit(broken);
                    assert.throws(() => check(broken), assert.AssertionError);
                });
            }
        });
    }
});

describe("delivery: no script injection", () => {
    const files = workflowFiles();

    it("no run: or github-script interpolates ${{ inputs.* }}, ${{ github.event.* }} or ${{ github.head_ref }}", () => {
        for (const file of files) {
            const wf = yaml.load(readText(`.github/workflows/${file}`)) as Workflow;
            assert.deepEqual(injectionProblems(wf, file), []);
        }
    });

    it("catches an input, an event field or a branch name interpolated into a script", () => {
        const tenant = yaml.load(readText(".github/workflows/tenant.yml")) as Workflow;
        const cases: Array<[string, Step]> = [
            ["run", { run: "npm run tenant -- add ${{ inputs.name }}" }],
            ["run without spaces", { run: "echo ${{inputs.display_name}}" }],
            ["event field", { run: 'echo "${{ github.event.pull_request.title }}"' }],
            ["branch name", { run: "git push origin ${{ github.head_ref }}" }],
            [
                "github-script",
                {
                    uses: "actions/github-script@v8",
                    with: { script: "core.info('${{ github.event.issue.body }}')" },
                },
            ],
        ];
        for (const [what, injected] of cases) {
            const broken = structuredClone(tenant);
            stepsOf(broken.jobs["pull-request"]).push(injected);
            assert.equal(injectionProblems(broken, "tenant.yml").length, 1, what);
        }
    });

    it("accepts the same expressions in env:, with: and if:", () => {
        const wf: Workflow = {
            on: {},
            jobs: {
                a: {
                    if: "${{ inputs.name != '' }}",
                    steps: [
                        {
                            env: {
                                NAME: "${{ inputs.name }}",
                                TITLE: "${{ github.event.pull_request.title }}",
                            },
                            run: 'echo "$NAME $TITLE"',
                        },
                        {
                            uses: "peter-evans/create-pull-request@v7",
                            with: { branch: "tenant/${{ inputs.name }}" },
                        },
                    ],
                },
            },
        };
        assert.deepEqual(injectionProblems(wf, "x.yml"), []);
    });
});

describe("delivery: no plaintext secret", () => {
    const files = [...workflowFiles().map((f) => `.github/workflows/${f}`), ".gitlab-ci.yml"];

    it("no workflow nor .gitlab-ci.yml holds a credential or a plaintext password or token", () => {
        assert.equal(files.length, 4);
        for (const file of files) assert.deepEqual(secretProblems(readText(file), file), []);
    });

    // Built at run time, so this file itself holds no string a secret scanner would flag.
    const fakes: Array<[string, string]> = [
        ["an AWS access key id", `          AWS_ACCESS_KEY_ID: ${"AKIA"}${"Q".repeat(16)}\n`],
        ["a Pulumi token", `          PULUMI_ACCESS_TOKEN: ${"pul-"}${"0a".repeat(20)}\n`],
        [
            "a private key",
            `          KEY: |\n            -----BEGIN ${"RSA PRIVATE"} KEY-----\n            abc\n`,
        ],
        ["a literal password", "          DB_PASSWORD: hunter2\n"],
        ["a literal token input", "          token: not-a-reference\n"],
        ["a variable expression as a token", "          token: ${{ vars.PR_TOKEN }}\n"],
        ["a GitHub token", `          GH: ${"ghp_"}${"x".repeat(36)}\n`],
    ];
    for (const [what, line] of fakes) {
        it(`catches ${what} in a workflow`, () => {
            const text = readText(".github/workflows/tenant.yml").replace(
                /^( {8}env:\n)/m,
                `$1${line}`,
            );
            assert.notEqual(
                text,
                readText(".github/workflows/tenant.yml"),
                "test setup: the line was inserted",
            );
            assert.ok(secretProblems(text, "tenant.yml").length > 0, what);
        });
    }

    it("catches a plaintext token among GitLab variables, also in the { value } form", () => {
        const base = readText(".gitlab-ci.yml");
        for (const variable of [
            '  MR_NOTE_TOKEN: "s3cr3t-value"\n',
            "  MR_NOTE_TOKEN:\n    value: s3cr3t-value\n",
        ]) {
            const text = base.replace(/^variables:\n/m, `variables:\n${variable}`);
            assert.ok(secretProblems(text, ".gitlab-ci.yml").length > 0, variable);
        }
    });

    it("accepts references: ${{ secrets.X }}, ${{ secrets.X || github.token }}, $X and ${X}", () => {
        const text =
            "env:\n  A_TOKEN: ${{ secrets.A_TOKEN }}\n  token: ${{ secrets.PR_TOKEN || github.token }}\n" +
            "  DB_PASSWORD: $DB_PASSWORD\n  password: ${DB_PASSWORD}\n";
        assert.deepEqual(secretProblems(text, "x.yml"), []);
    });
});

/**
 * The delivery path: .github/workflows/*.yml and .gitlab-ci.yml, with the GitLab child pipeline
 * that scripts/gitlab-pipeline.ts generates from the stack files. The workflows are linted by
 * the real actionlint; then each rule of docs/delivery.md is a check on the parsed YAML, run on
 * the real files (with the project's stacks, and with one more prod shard stack) and on copies
 * broken on purpose, so that no check can pass whatever it reads.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../components/support/project-root";
import { ENVIRONMENTS, Environment } from "../components/vocabulary/words";
import { stackPipeline } from "../scripts/lib/gitlab-pipeline";
import {
    DiscoveredStack,
    discoverStacks,
    StackGroups,
    stackGroups,
} from "../scripts/lib/stack-groups";
import { requireTool } from "../scripts/lib/tools";

const WORKFLOWS_DIR = path.join(PROJECT_ROOT, ".github", "workflows");
/** The stacks of the project, and the same with a second prod shard stack. */
const PROJECT_STACKS = discoverStacks(PROJECT_ROOT);
const SHARDED_STACKS: DiscoveredStack[] = [
    ...PROJECT_STACKS,
    {
        stack: "prod-2",
        file: "Pulumi.prod-2.yaml",
        environment: "prod",
        stackShard: 2,
        listenerArns: [],
    },
];
/** A matrix over the stacks the workflow's `stacks` job found: `key` is an output of it. */
const stacksOutput = (key: string) => `\${{ fromJSON(needs.stacks.outputs.${key}) }}`;
const MATRIX_STACK = "${{ matrix.stack }}";
/** The providers the end-to-end job installs: each at the version package-lock.json pins. */
const E2E_PLUGINS = ["kubernetes", "postgresql", "random", "command"] as const;
/** What an up job runs after: the tests passed, or they were skipped for a signup. */
const TEST_GATE =
    "(needs.test.result == 'success' || (needs.test.result == 'skipped' && needs.stacks.outputs.signup == 'true'))";
/** Where the workflows' test jobs keep the pinned tools between runs (scripts/lib/tools.ts). */
const TOOLS_CACHE = "~/.cache/aims-tenants/tools";

type Concurrency = string | { group: string; "cancel-in-progress"?: boolean | string };
interface Step {
    id?: string;
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
    "runs-on"?: string;
    "timeout-minutes"?: number;
    if?: string;
    environment?: string | { name: string; deployment?: boolean };
    concurrency?: Concurrency;
    permissions?: Record<string, string>;
    strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
    outputs?: Record<string, string>;
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
        pull_request?: { paths?: string[] } | null;
        push?: { branches?: string[]; paths?: string[] };
        workflow_dispatch?: { inputs?: Record<string, Input> } | null;
        schedule?: Array<{ cron: string }>;
        [event: string]: unknown;
    };
    permissions?: Record<string, string>;
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
    after_script?: string[];
    parallel?: { matrix?: Array<Record<string, string | string[]>> };
    environment?: string | { name: string; action?: string };
    resource_group?: string;
    needs?: Array<string | { job: string; optional?: boolean }>;
    rules?: GitlabRule[];
    before_script?: string[];
    script?: string[];
    artifacts?: { paths?: string[] };
    trigger?: {
        include?: Array<Record<string, string>> | string;
        strategy?: string;
        forward?: Record<string, boolean>;
    };
}
type GitlabCi = Record<string, unknown> & { stages?: string[]; variables?: Record<string, string> };

interface Docs {
    preview: Workflow;
    deploy: Workflow;
    tenant: Workflow;
    promote: Workflow;
    gitlab: GitlabCi;
    /** The child pipeline of .gitlab-ci.yml, as scripts/gitlab-pipeline.ts generates it for `stacks`. */
    gitlabChild: GitlabCi;
    /** The stacks the workflows find, as `npm run stacks -- --json` prints them. */
    stacks: StackGroups;
    /** README.md and docs/*.md, by file name: what users read. */
    userDocs: Record<string, string>;
}

const readText = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
const workflowFiles = () =>
    fs
        .readdirSync(WORKFLOWS_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
function loadDocs(stacks: readonly DiscoveredStack[]): Docs {
    const gitlab = yaml.load(readText(".gitlab-ci.yml")) as GitlabCi;
    return {
        preview: yaml.load(readText(".github/workflows/preview.yml")) as Workflow,
        deploy: yaml.load(readText(".github/workflows/deploy.yml")) as Workflow,
        tenant: yaml.load(readText(".github/workflows/tenant.yml")) as Workflow,
        promote: yaml.load(readText(".github/workflows/promote.yml")) as Workflow,
        gitlab,
        gitlabChild: stackPipeline(gitlab, stacks) as GitlabCi,
        stacks: stackGroups(stacks),
        userDocs: Object.fromEntries(
            [
                "README.md",
                ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).map((f) => `docs/${f}`),
            ]
                .filter((file) => file.endsWith(".md"))
                .map((file) => [file, readText(file)]),
        ),
    };
}

// ---- lookups -------------------------------------------------------------------------------

const stepsOf = (job: Job): Step[] => job.steps ?? [];
const allSteps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap(stepsOf);
const needsOf = (job: Job): string[] => [job.needs ?? []].flat();
const environmentOf = (job: Job): string | undefined =>
    typeof job.environment === "string" ? job.environment : job.environment?.name;
/** The environment chosen by the lane: `<environment>-signup` for a signup, else `<environment>`. */
const laneEnvironment = (environment: string) =>
    `\${{ needs.stacks.outputs.signup == 'true' && '${environment}-signup' || '${environment}' }}`;
/** Steps of pulumi/actions that run a Pulumi command (without one, the action only installs the CLI). */
const pulumiSteps = (job: Job): Step[] =>
    stepsOf(job).filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);
const runOf = (job: Job): string =>
    stepsOf(job)
        .map((s) => s.run ?? "")
        .join("\n");
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

/** The job that runs `pulumi up` on the stacks of `environment`, found by its GitHub environment. */
function upJob(wf: Workflow, environment: Environment): [string, Job] {
    const jobs = Object.entries(wf.jobs).filter(
        ([, job]) =>
            [environment, laneEnvironment(environment)].includes(environmentOf(job) ?? "") &&
            pulumiSteps(job).some((s) => s.with?.command === "up"),
    );
    assert.equal(
        jobs.length,
        1,
        `exactly one job runs pulumi up in environment ${environment} (found ${jobs.length})`,
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
const gitlabJobs = (ci: GitlabCi) =>
    gitlabJobNames(ci).map((name) => [name, gitlabJob(ci, name)] as const);

// ---- cross-cutting scans -------------------------------------------------------------------

/**
 * Where a workflow names stacks itself instead of reading them from the stack files: a list of
 * stack or environment names, a STACK or matrix stack that is not an expression, a stack-name
 * or a pulumi-<stack> concurrency group with a stack written in.
 */
export function hardCodedStacks(doc: unknown, stacks: StackGroups, file: string): string[] {
    const names = new Set<string>([...ENVIRONMENTS, ...stacks.all]);
    const isExpression = (v: unknown) => typeof v === "string" && /^\$\{\{.*\}\}$/.test(v);
    const problems: string[] = [];
    const visit = (node: unknown, at: string): void => {
        if (Array.isArray(node)) {
            if (node.length > 0 && node.every((item) => names.has(item as string)))
                problems.push(`${file}: ${at}: a list of stacks, ${JSON.stringify(node)}`);
            return node.forEach((item, i) => visit(item, `${at}[${i}]`));
        }
        if (typeof node !== "object" || node === null) return;
        for (const [key, value] of Object.entries(node)) {
            const where = at ? `${at}.${key}` : key;
            if (key === "STACK" || (key === "stack" && at.endsWith("matrix"))) {
                if (!isExpression(value))
                    problems.push(`${file}: ${where}: ${JSON.stringify(value)} names a stack`);
            } else if (
                key === "stack-name" &&
                !/\/\$\{\{ (matrix\.stack|env\.STACK) \}\}$/.test(String(value))
            ) {
                problems.push(`${file}: ${where}: ${JSON.stringify(value)} names a stack`);
            } else if (key === "group" && /^pulumi-(?!\$\{\{)/.test(String(value))) {
                problems.push(`${file}: ${where}: ${JSON.stringify(value)} names a stack`);
            }
            visit(value, where);
        }
    };
    visit(doc, "");
    return problems;
}

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
/** A password or token value may only be a reference: `${{ secrets.NAME }}` (or `|| github.token`), `${{ github.token }}`, `$NAME`, `${NAME}`. */
const SECRET_REFERENCE =
    /^(\$\{\{\s*(secrets\.[A-Za-z_][A-Za-z0-9_]*(\s*\|\|\s*github\.token)?|github\.token)\s*\}\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)$/;
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
    assert.deepEqual(
        Object.keys(preview.on),
        ["pull_request"],
        "preview.yml runs on pull requests only",
    );
    // The stacks job decides what runs; a paths filter would leave the required check pending.
    assert.equal(preview.on.pull_request?.paths, undefined, "preview.yml: every pull request");
}

/**
 * The test jobs run the README's commands, with the pinned tools cached by the module that pins
 * them; the preview's stacks job validates the tenant files against every stack.
 */
function checkTestJobs({ preview, deploy }: Docs): void {
    for (const [file, wf] of [
        ["preview.yml", preview],
        ["deploy.yml", deploy],
    ] as const) {
        const test = wf.jobs.test;
        assert.ok(test, `${file}: a job named test`);
        const steps = stepsOf(test);
        assert.ok(
            steps.some((s) => s.uses?.startsWith("actions/setup-go@")),
            `${file}: test sets up Go, which npm test needs to build the pinned tools`,
        );
        const cache = steps.find((s) => s.uses?.startsWith("actions/cache@"));
        assert.equal(cache?.with?.path, TOOLS_CACHE, `${file}: test caches the pinned tools`);
        assert.match(
            String(cache?.with?.key),
            /hashFiles\('scripts\/lib\/tools\.ts'\)/,
            `${file}: the tools cache is keyed by the versions that scripts/lib/tools.ts pins`,
        );
        const commands = steps.map((s) => s.run ?? "");
        const install = commands.indexOf("npm ci");
        assert.ok(
            install >= 0 && install < commands.indexOf("npm test"),
            `${file}: test runs npm ci, then npm test`,
        );
        assert.match(
            test.if ?? "",
            /needs\.stacks\.outputs\.signup != 'true'/,
            `${file}: a signup changes no code`,
        );
    }
    assert.match(
        runOf(preview.jobs.stacks),
        /^npm run tenant -- validate$/m,
        "preview.yml: stacks validates the tenant files",
    );
}

/** Nothing users run depends on this project's own machines: CI there is .ci/run alone. */
function checkNoLocalKit(docs: Docs): void {
    const pipelines: Array<[string, unknown]> = [
        ["preview.yml", docs.preview],
        ["deploy.yml", docs.deploy],
        ["tenant.yml", docs.tenant],
        ["promote.yml", docs.promote],
        [".gitlab-ci.yml", docs.gitlab],
    ];
    for (const [file, doc] of pipelines) {
        const text = yaml.dump(doc);
        assert.doesNotMatch(text, /\.ci\/run/, `${file} runs .ci/run`);
        assert.doesNotMatch(text, /\.\.\/shared|realengine/, `${file} names the local kit`);
    }
    for (const [file, text] of Object.entries(docs.userDocs))
        assert.doesNotMatch(text, /\.\.\/shared|realengine/, `${file} names the local kit`);
}

/**
 * The end-to-end job: a kind cluster from a pinned action, PostgreSQL 15 with a non-superuser
 * admin, the Pulumi CLI and each provider plugin at the version package-lock.json pins, found
 * through AIMS_E2E_PLUGINS_DIR, and the full history (a scenario deploys an earlier program).
 * The tenant pods run: the stand-in images are loaded onto kind's node, and the pods reach this
 * machine's PostgreSQL and stand-ins at the kind network's gateway.
 */
function checkEndToEndJob({ preview }: Docs): void {
    const job = preview.jobs.e2e;
    assert.ok(job, "preview.yml: a job named e2e");
    const steps = stepsOf(job);
    const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    assert.equal(checkout?.with?.["fetch-depth"], 0, "e2e: the full history");
    const kind = steps.find((s) => s.uses?.startsWith("helm/kind-action@"));
    assert.match(kind?.uses ?? "", /^helm\/kind-action@v\d+\.\d+\.\d+$/, "e2e: kind-action pinned");
    assert.match(String(kind?.with?.version), /^v\d+\.\d+\.\d+$/, "e2e: the kind version pinned");
    assert.equal(
        job.env?.AIMS_KUBE_CONTEXT,
        `kind-${kind?.with?.cluster_name}`,
        "e2e: the suite uses the kind cluster's context",
    );
    const run = runOf(job);
    assert.match(run, /docker run [^\n]*\bpostgres:15\b/, "e2e: PostgreSQL 15");
    const role = /CREATE ROLE \$AIMS_PG_ADMIN_USER LOGIN PASSWORD '\$\w+' ([A-Z ]+)"/.exec(run);
    assert.deepEqual(
        role?.[1].trim().split(/\s+/).sort(),
        ["CREATEDB", "CREATEROLE"],
        "e2e: an admin with CREATEDB and CREATEROLE, not a superuser",
    );
    assert.match(run, /AIMS_PG_ADMIN_PASSWORD=\$\w+" >> "\$GITHUB_ENV"/);
    const cli = steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(cli?.with?.["pulumi-version"], "${{ env.PULUMI_VERSION }}", "e2e: the pinned CLI");
    for (const plugin of E2E_PLUGINS) {
        const installs = [
            ...run.matchAll(new RegExp(`pulumi plugin install resource ${plugin} (\\S+)`, "g")),
        ];
        assert.deepEqual(
            installs.map((m) => m[1]),
            [lockedVersion(`@pulumi/${plugin}`)],
            `e2e: the ${plugin} plugin at package-lock.json's version`,
        );
    }
    assert.match(run, /AIMS_E2E_PLUGINS_DIR=\$HOME\/\.pulumi\/plugins" >> "\$GITHUB_ENV"/);
    assert.equal(
        job.env?.AIMS_E2E_LOAD_IMAGE,
        `kind load image-archive --name ${kind?.with?.cluster_name} {}`,
        "e2e: the stand-in images are loaded onto the kind cluster's node",
    );
    assert.match(
        run,
        /docker network inspect kind [^\n]*\.Gateway[^\n]*\n\s*echo "AIMS_NODE_HOST_IP=\$gateway" >> "\$GITHUB_ENV"/,
        "e2e: pods reach this machine at the kind network's gateway",
    );
    assert.match(
        run,
        /docker run [^\n]*-p 5432:5432 postgres:15/,
        "e2e: PostgreSQL published on every address, the gateway's included",
    );
    assert.match(steps.at(-1)?.run ?? "", /^npm run e2e$/m, "e2e: the suite runs last");
    assert.match(job.if ?? "", /needs\.stacks\.outputs\.signup != 'true'/);
}

/** The one required check: after every other job but the signup lane's, always reported. */
function checkAggregateCheck({ preview }: Docs): void {
    const job = preview.jobs.checks;
    assert.ok(job, "preview.yml: a job named checks");
    const others = Object.keys(preview.jobs).filter((id) => !["checks", "signup"].includes(id));
    assert.deepEqual([...needsOf(job)].sort(), others.sort(), "checks needs every other job");
    assert.equal(job.if, "always()", "checks is reported whatever the jobs before it did");
    const [verdict] = stepsOf(job);
    assert.equal(verdict.env?.RESULTS, "${{ toJSON(needs) }}");
    assert.match(
        verdict.run ?? "",
        /jq -e '\.stacks\.result == "success" and \(\[\.\[\] \| \.result\] \| all\(\. == "success" or \. == "skipped"\)\)'/,
        "checks fails on any failed or cancelled job",
    );
    assert.match(
        verdict.run ?? "",
        /jq -e '\.preview\.result == "success" or \.stacks\.outputs\.all == "\[\]"'/,
        "checks fails when an affected stack was not previewed (a fork's pull request)",
    );
}

/**
 * The signup lane: the plan of each affected stack may only create the new tenants (from the
 * engine's JSON, never from text); once `checks` passed, the workflow approves, naming the rule,
 * and turns on auto-merge with the tenant token, whose merge starts the deploy.
 */
function checkSignupLane({ preview }: Docs): void {
    const stacks = preview.jobs.stacks;
    for (const key of ["signup", "rule", "tenants"])
        assert.equal(
            stacks.outputs?.[key],
            `\${{ steps.lane.outputs.${key} }}`,
            `stacks: output ${key}`,
        );
    const lane = stepsOf(stacks).find((s) => s.id === "lane");
    assert.match(
        lane?.run ?? "",
        /npm run --silent lane -- --base "\$BASE_SHA" --branch "\$HEAD_REF" --json/,
    );
    assert.equal(lane?.env?.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
    assert.equal(lane?.env?.HEADING, undefined);
    assert.equal(lane?.env?.HEAD_REF, "${{ github.head_ref }}");
    checkPlanCheckStep(stepsOf(preview.jobs.preview), "preview.yml: preview");
    const job = preview.jobs.signup;
    assert.ok(job, "preview.yml: a job named signup");
    assert.ok(needsOf(job).includes("checks"), "signup: after checks");
    assert.equal(
        job.if,
        "needs.stacks.outputs.signup == 'true' && needs.checks.result == 'success'",
        "signup: only a signup whose checks passed",
    );
    const approve = stepsOf(job).find((s) => /gh pr review/.test(s.run ?? ""));
    assert.match(approve?.run ?? "", /--approve/);
    assert.match(approve?.run ?? "", /\$RULE/, "signup: the approval names the rule");
    assert.equal(job.env?.RULE, "${{ needs.stacks.outputs.rule }}");
    const merge = stepsOf(job).find((s) => /gh pr merge/.test(s.run ?? ""));
    assert.match(merge?.run ?? "", /gh pr merge "\$PR_NUMBER" (.* )?--auto/);
    assert.equal(
        merge?.env?.GH_TOKEN,
        "${{ secrets.TENANT_PR_TOKEN }}",
        "signup: a merge made with GITHUB_TOKEN would start no deploy",
    );
}

/** The step of the signup lane that checks the plan before a preview's comment or an up. */
function checkPlanCheckStep(steps: readonly Step[], where: string): void {
    const check = steps.find((s) => /plan-check/.test(s.run ?? ""));
    assert.ok(check, `${where}: the signup lane checks the plan`);
    assert.equal(check.if, "needs.stacks.outputs.signup == 'true'", `${where}: for a signup`);
    assert.match(
        check.run ?? "",
        /pulumi preview --json (.* )?--stack "\$PULUMI_ORG\/\$STACK" > "\$RUNNER_TEMP\/plan\.json"/,
        `${where}: from the engine's JSON plan`,
    );
    assert.match(
        check.run ?? "",
        /npm run --silent plan-check -- --tenants "\$TENANTS" --file "\$RUNNER_TEMP\/plan\.json"/,
    );
    assert.equal(check.env?.TENANTS, "${{ needs.stacks.outputs.tenants }}");
    assert.ok(!isTrue(check["continue-on-error"]), `${where}: a refused plan fails the job`);
}

function checkPreviewPerStack({ preview }: Docs): void {
    const job = preview.jobs.preview;
    assert.ok(job, "preview.yml: a job named preview");
    assert.deepEqual([...needsOf(job)].sort(), ["stacks", "test"], "preview needs test and stacks");
    assert.ok((job.if ?? "").includes(TEST_GATE), "preview: after the tests, or a signup");
    assert.equal(
        job.strategy?.matrix?.stack,
        stacksOutput("all"),
        "preview: a matrix over every stack",
    );
    // Credentials are per environment, so a new shard stack needs none of its own.
    assert.equal(
        environmentOf(job),
        "preview-${{ fromJSON(needs.stacks.outputs.environmentOf)[matrix.stack] }}",
        "preview: in the preview environment of the stack's environment",
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
    // The action's comment heading names the stack, so each shard has a comment of its own;
    // a failed preview marks the comment of its own stack.
    const mark = stepsOf(job).find((s) => s.uses?.startsWith("actions/github-script@"));
    assert.equal(
        mark?.env?.HEADING,
        "#### :tropical_drink: `preview` on aims/${{ vars.PULUMI_ORG }}/${{ matrix.stack }}",
        "preview: a failure marks the comment of its stack, under the action's heading",
    );
    assert.match(mark?.if ?? "", /^failure\(\)$/);
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

/**
 * Each GitHub workflow finds its stacks with `npm run stacks -- --json` in a job named stacks,
 * and every matrix is one of that job's outputs, skipped when empty: no workflow names a stack.
 */
function checkStackDiscovery({ preview, deploy, stacks }: Docs): void {
    for (const [file, wf] of [
        ["preview.yml", preview],
        ["deploy.yml", deploy],
    ] as const) {
        const finder = wf.jobs.stacks;
        assert.ok(finder, `${file}: a job named stacks finds the stacks`);
        const steps = stepsOf(finder);
        const find = steps.find((s) =>
            /\bnpm run --silent stacks -- --changed-since "\$BASE_SHA" --json\b/.test(s.run ?? ""),
        );
        assert.ok(
            find?.id,
            `${file}: stacks: a step with an id runs npm run --silent stacks -- --changed-since "$BASE_SHA" --json`,
        );
        const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout@"));
        assert.equal(checkout?.with?.["fetch-depth"], 0, `${file}: stacks: the full history`);
        assert.ok(
            steps.findIndex((s) => /^npm ci\b/.test(s.run ?? "")) >= 0 &&
                steps.findIndex((s) => /^npm ci\b/.test(s.run ?? "")) < steps.indexOf(find),
            `${file}: stacks: npm ci first`,
        );
        assert.match(find.run ?? "", />> "\$GITHUB_OUTPUT"/, `${file}: stacks: writes its outputs`);
        assert.equal(finder.if, undefined, `${file}: stacks runs whenever the workflow does`);
        for (const [id, job] of Object.entries(wf.jobs)) {
            const matrix = job.strategy?.matrix;
            if (matrix === undefined) continue;
            const key = /^\$\{\{ fromJSON\(needs\.stacks\.outputs\.(\w+)\) \}\}$/.exec(
                String(matrix.stack),
            )?.[1];
            assert.ok(
                key !== undefined && Object.keys(matrix).length === 1,
                `${file}: ${id}: the matrix is the stacks job's output, ${stacksOutput("KEY")} (got ${JSON.stringify(matrix)})`,
            );
            assert.equal(
                finder.outputs?.[key],
                `\${{ steps.${find.id}.outputs.${key} }}`,
                `${file}: stacks: output ${key}`,
            );
            assert.ok(needsOf(job).includes("stacks"), `${file}: ${id}: needs stacks`);
            assert.ok(
                (job.if ?? "").includes(`needs.stacks.outputs.${key} != '[]'`),
                `${file}: ${id}: skipped when it has no stack (an empty matrix is an error)`,
            );
        }
        const named = hardCodedStacks(wf, stacks, file);
        assert.deepEqual(named, [], `${file} names stacks:\n${named.join("\n")}`);
        const pulumiJobs = Object.entries(wf.jobs).filter(([, job]) => pulumiSteps(job).length > 0);
        for (const [id, job] of pulumiJobs)
            assert.ok(job.strategy?.matrix, `${file}: ${id}: runs pulumi on a matrix of stacks`);
    }
}

/** The rules of the jobs that make and run GitLab's child pipeline. */
function stackPipelineRules(gitlab: GitlabCi): GitlabRule[] {
    const trigger = gitlabJobs(gitlab).find(([, job]) => job.trigger);
    return trigger?.[1].rules ?? [];
}

/**
 * GitLab's stack jobs are generated: one job writes them with `npm run gitlab-pipeline` into an
 * artifact that a trigger job runs as a child pipeline, after the tests, passing or failing with
 * it. .gitlab-ci.yml names no stack and runs no pulumi itself; the child pipeline's templates are
 * .gitlab-ci.yml's.
 */
function checkGitlabDiscovery({ gitlab, gitlabChild, stacks }: Docs): void {
    const jobs = gitlabJobs(gitlab);
    for (const [name, job] of jobs) {
        assert.equal(job.parallel, undefined, `.gitlab-ci.yml: ${name}: no fixed matrix`);
        assert.doesNotMatch(
            gitlabScript(job),
            /\bpulumi (preview|up)\b/,
            `.gitlab-ci.yml: ${name}: pulumi runs in the generated jobs only`,
        );
    }
    const named = hardCodedStacks(gitlab, stacks, ".gitlab-ci.yml");
    assert.deepEqual(named, [], `.gitlab-ci.yml names stacks:\n${named.join("\n")}`);
    const generatorLine =
        /^npm run --silent gitlab-pipeline -- --previews-since "\$\{CI_MERGE_REQUEST_DIFF_BASE_SHA:-\}" > (\S+)$/m;
    const generators = jobs.filter(([, job]) => generatorLine.test(gitlabScript(job)));
    assert.equal(generators.length, 1, ".gitlab-ci.yml: one job runs npm run gitlab-pipeline");
    const [generatorName, generator] = generators[0];
    const artifact = generatorLine.exec(gitlabScript(generator))![1];
    assert.equal(
        generator.variables?.GIT_DEPTH,
        "0",
        `${generatorName}: the history, to read the tenant files at the merge base`,
    );
    assert.match(gitlabScript(generator), /^npm ci\b/m, `${generatorName}: npm ci first`);
    assert.deepEqual(generator.artifacts?.paths, [artifact], `${generatorName}: keeps ${artifact}`);
    const triggers = jobs.filter(([, job]) => job.trigger);
    assert.equal(triggers.length, 1, ".gitlab-ci.yml: one trigger job");
    const [triggerName, trigger] = triggers[0];
    assert.deepEqual(
        trigger.trigger?.include,
        [{ artifact, job: generatorName }],
        `${triggerName}: runs the generated pipeline`,
    );
    assert.equal(
        trigger.trigger?.strategy,
        "depend",
        `${triggerName}: fails when a stack job fails`,
    );
    assert.notEqual(
        trigger.trigger?.forward?.pipeline_variables,
        true,
        `${triggerName}: a variable given by hand (STACK=prod) would override every stack job's own STACK`,
    );
    assert.equal(
        trigger.variables?.PARENT_PIPELINE_SOURCE,
        "$CI_PIPELINE_SOURCE",
        `${triggerName}: tells the child pipeline's rules what started the pipeline`,
    );
    assert.deepEqual(
        trigger.needs,
        [{ job: "test", optional: true }, generatorName],
        `${triggerName}: after the tests (absent from scheduled pipelines) and the generator`,
    );
    assert.deepEqual(
        generator.rules,
        trigger.rules,
        `${generatorName} runs when ${triggerName} does`,
    );
    const sources = stackPipelineRules(gitlab).map((r) => r.if);
    for (const source of ["merge_request_event", "schedule"]) {
        assert.ok(
            sources.some((s) => s?.includes(`$CI_PIPELINE_SOURCE == "${source}"`)),
            `${triggerName}: runs on ${source}`,
        );
    }
    assert.ok(
        sources.some((s) => s?.includes("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")),
        `${triggerName}: runs on the default branch`,
    );
    for (const [name, template] of Object.entries(gitlabChild).filter(([k]) => k.startsWith(".")))
        assert.deepEqual(
            template,
            gitlab[name],
            `the child pipeline's ${name} is .gitlab-ci.yml's`,
        );
}

function checkPreviewConcurrency({ preview }: Docs): void {
    const c = concurrencyOf(preview.concurrency ?? preview.jobs.preview?.concurrency);
    assert.ok(c, "preview.yml: a concurrency group");
    assert.match(c.group, /github\.event\.pull_request\.number/, "one group per pull request");
    assert.equal(c.cancel, true, "a newer push cancels the older preview");
}

function checkDeployTriggers({ deploy }: Docs): void {
    assert.deepEqual(deploy.on.push?.branches, ["main"]);
    // The stacks job decides what a push affects; a paths filter would be a second rule.
    assert.equal(deploy.on.push?.paths, undefined, "deploy.yml: every push to main");
    assert.ok("workflow_dispatch" in deploy.on, "deploy.yml can be started by hand");
    assert.ok(
        (deploy.on.schedule ?? []).length > 0,
        "deploy.yml has a schedule for the drift check",
    );
}

/**
 * dev, then sit, then prod: each up job needs every earlier one, runs when an earlier one was
 * skipped for having no stack (a status function, else GitHub's implicit success() skips it),
 * and never after a failed test, nor after an earlier up job failed or was cancelled.
 */
function checkDeployOrder({ deploy }: Docs): void {
    const earlier: string[] = [];
    for (const environment of ENVIRONMENTS) {
        const [id, job] = upJob(deploy, environment);
        const needs = needsOf(job);
        for (const before of earlier)
            assert.ok(needs.includes(before), `${id} needs ${before}: the environments in order`);
        if (earlier.length > 0) {
            const condition = job.if ?? "";
            assert.match(condition, /!cancelled\(\)/, `${id}: runs after a skipped environment`);
            assert.ok(
                needs.includes("test") && condition.includes(TEST_GATE),
                `${id}: only after the tests passed, or were skipped for a signup`,
            );
            for (const result of ["failure", "cancelled"]) {
                assert.ok(
                    condition.includes(`!contains(needs.*.result, '${result}')`),
                    `${id}: never after an earlier job's ${result}`,
                );
            }
        }
        earlier.push(id);
    }
}

function checkDeployJobs({ deploy }: Docs): void {
    for (const environment of ENVIRONMENTS) {
        const [id, job] = upJob(deploy, environment);
        // The environment carries the approval rule (required reviewers for sit and prod); a
        // signup goes to <environment>-signup, which has none.
        assert.ok(
            typeof job.environment === "string" || job.environment?.deployment !== false,
            `${id}: a real deployment to ${environment}`,
        );
        assert.equal(
            environmentOf(job),
            environment === "dev" ? "dev" : laneEnvironment(environment),
            `${id}: in ${environment}, or ${environment}-signup for a signup`,
        );
        assert.ok((job.if ?? "").includes(TEST_GATE), `${id}: after the tests, or a signup`);
        const steps = stepsOf(job);
        const upIndex = steps.findIndex((s) => s.with?.command === "up");
        // A lock older than the job's timeout cannot be a live deploy's.
        const recover = `npm run recover -- --stack "$PULUMI_ORG/$STACK" --deploy-job --max-update-minutes ${job["timeout-minutes"]}`;
        const recoverAt = steps.findIndex((s) => s.run === recover);
        const guardAt = steps.findIndex(
            (s) => s.run === 'npm run state-guard -- --stack "$PULUMI_ORG/$STACK"',
        );
        assert.ok(recoverAt >= 0 && recoverAt < upIndex, `${id}: ${recover}, before pulumi up`);
        assert.ok(!steps[recoverAt].if, `${id}: recover runs on every deploy`);
        assert.ok(
            guardAt > recoverAt && guardAt < upIndex && !steps[guardAt].if,
            `${id}: the state guard after recover, before pulumi up`,
        );
        const after = steps.find((s, i) => i > upIndex && s.run === recover);
        assert.equal(
            after?.if,
            "(cancelled() || failure()) && (steps.up.outcome == 'cancelled' || steps.up.outcome == 'failure')",
            `${id}: recover after a cancelled or failed pulumi up`,
        );
        assert.equal(steps[upIndex].id, "up");
        checkPlanCheckStep(steps.slice(0, upIndex), `deploy.yml: ${id}`);
        assert.equal(
            job.strategy?.matrix?.stack,
            stacksOutput(environment),
            `${id}: one matrix job per stack of ${environment}`,
        );
        assert.equal(job.strategy?.["fail-fast"], false, `${id}: a failing shard cancels no other`);
        assert.deepEqual(
            concurrencyOf(job.concurrency),
            { group: `pulumi-${MATRIX_STACK}`, cancel: false },
            `${id}: one update of each stack at a time, never cancelled`,
        );
        assert.match(
            job.if ?? "",
            /github\.event_name != 'schedule'/,
            `${id}: does not run on schedule`,
        );
        const up = pulumiSteps(job).find((s) => s.with?.command === "up");
        assert.equal(up?.with?.["stack-name"], "${{ vars.PULUMI_ORG }}/${{ env.STACK }}");
        assert.equal(job.env?.STACK, MATRIX_STACK, `${id}: pulumi up on the matrix's stack`);
    }
}

function checkDrift({ deploy, gitlab, gitlabChild, stacks }: Docs): void {
    const drift = Object.entries(deploy.jobs).filter(([, job]) =>
        /github\.event_name == 'schedule'/.test(job.if ?? ""),
    );
    assert.equal(drift.length, 1, "deploy.yml: one job runs on schedule");
    const [id, job] = drift[0];
    assert.equal(job.strategy?.matrix?.stack, stacksOutput("prod"), `${id}: every prod stack`);
    assert.equal(job.env?.STACK, MATRIX_STACK, `${id}: STACK is the matrix's stack`);
    const viaAction = pulumiSteps(job).some(
        (s) =>
            s.with?.command === "preview" &&
            isTrue(s.with?.["expect-no-changes"]) &&
            s.with?.["stack-name"] === "${{ vars.PULUMI_ORG }}/${{ env.STACK }}",
    );
    assert.ok(viaAction, `deploy.yml: ${id}: pulumi preview --expect-no-changes on the stack`);
    assert.ok(
        !pulumiSteps(job).some((s) => s.with?.command !== "preview"),
        `deploy.yml: ${id}: only previews`,
    );
    const scheduled = gitlabJobs(gitlabChild).filter(([, j]) =>
        (j.rules ?? []).some(
            (r) => /\$PARENT_PIPELINE_SOURCE == "schedule"/.test(r.if ?? "") && r.when !== "never",
        ),
    );
    assert.deepEqual(
        scheduled.map(([, j]) => j.variables?.STACK),
        stacks.prod,
        "the GitLab child pipeline: one scheduled job per prod stack",
    );
    for (const [name, j] of scheduled) {
        assert.match(gitlabScript(j), /pulumi preview .*--expect-no-changes/, name);
        assert.equal(gitlabEnvironment(j), "preview/prod", `${name}: read-only credentials`);
    }
    assert.ok(
        stackPipelineRules(gitlab).some((r) => r.if === '$CI_PIPELINE_SOURCE == "schedule"'),
        ".gitlab-ci.yml: the stack jobs also run on schedule",
    );
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

/**
 * promote.yml: on a schedule and by hand, runs `release -- promote --next` and opens one pull
 * request of the stack files; it never merges, never deploys, and forgets its kubeconfig.
 */
function checkPromoteWorkflow({ promote }: Docs): void {
    assert.deepEqual(Object.keys(promote.on).sort(), ["schedule", "workflow_dispatch"]);
    assert.deepEqual(promote.permissions, { contents: "write", "pull-requests": "write" });
    const steps = allSteps(promote);
    assert.match(runOf(promote.jobs.promote), /^npm run --silent release -- promote --next\b/m);
    const pr = steps.filter((s) => s.uses?.startsWith("peter-evans/create-pull-request@"));
    assert.equal(pr.length, 1, "promote.yml opens one pull request");
    assert.equal(pr[0].uses, "peter-evans/create-pull-request@v7");
    assert.equal(
        pr[0].with?.["add-paths"],
        "Pulumi.*.yaml",
        "the pull request holds only stack files",
    );
    for (const { where, script } of scriptsOf(promote)) {
        assert.doesNotMatch(script, /gh pr merge|--auto\b/, `promote.yml: ${where} merges`);
        assert.doesNotMatch(
            script,
            /\bpulumi\s+(up|update|destroy|refresh|preview)\b/,
            `promote.yml: ${where} runs pulumi`,
        );
    }
    assert.deepEqual(
        Object.values(promote.jobs).flatMap(pulumiSteps),
        [],
        "promote.yml runs no Pulumi action",
    );
    const forget = steps.find((s) => /rm -f "\$RUNNER_TEMP\/kubeconfig"/.test(s.run ?? ""));
    assert.equal(forget?.if, "always()", "promote.yml forgets the kubeconfig whatever happened");
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

function checkGitlabStages({ gitlab, gitlabChild }: Docs): void {
    assert.deepEqual(gitlab.stages, ["test", "stacks"]);
    assert.deepEqual(gitlabChild.stages, ["preview", "deploy"]);
    const test = gitlabJob(gitlab, "test");
    assert.equal(test.stage, "test");
    const script = gitlabScript(test).split("\n");
    const install = script.indexOf("npm ci");
    assert.ok(install >= 0 && install < script.indexOf("npm test"), "test: npm ci, then npm test");
    assert.ok(script.includes("npm run tenant -- validate"), "test: validates the tenant files");
}

function checkGitlabPreview({ gitlabChild, stacks }: Docs): void {
    const previews = gitlabJobs(gitlabChild).filter(
        ([, job]) =>
            /pulumi preview/.test(gitlabScript(job)) &&
            !/--expect-no-changes/.test(gitlabScript(job)),
    );
    assert.deepEqual(
        previews.map(([, job]) => job.variables?.STACK),
        stacks.all,
        "the GitLab child pipeline: one preview job per stack",
    );
    for (const [name, job] of previews) {
        const stack = job.variables!.STACK;
        assert.equal(job.stage, "preview");
        assert.equal(
            gitlabEnvironment(job),
            `preview/${stacks.environmentOf[stack]}`,
            `${name}: the preview credentials of its environment, shared by its shards`,
        );
        assert.ok(
            (job.rules ?? []).length > 0 &&
                (job.rules ?? []).every(
                    (r) => r.if === '$PARENT_PIPELINE_SOURCE == "merge_request_event"',
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
        assert.match(
            script,
            /const marker = `<!-- aims-preview:\$\{env\.STACK\} -->`/,
            `${name}: one note per stack, shards included`,
        );
        assert.match(
            script,
            /"PRIVATE-TOKEN": env\.[A-Z_]+/,
            `${name}: with a CI/CD variable token`,
        );
        assert.match(script, /LIMIT = 1_000_000/, `${name}: cut to GitLab's note limit`);
        assert.match(script, /exit "\$status"/, `${name}: a failed preview fails the job`);
    }
}

function checkGitlabDeploys({ gitlabChild, stacks }: Docs): void {
    const deploys = gitlabJobs(gitlabChild).filter(([, job]) =>
        /pulumi up\b/.test(gitlabScript(job)),
    );
    const byStack = new Map(deploys.map(([name, job]) => [job.variables?.STACK, { name, job }]));
    assert.deepEqual(
        deploys.map(([, job]) => job.variables?.STACK),
        stacks.all,
        "the GitLab child pipeline: one pulumi up per stack, in deploy order",
    );
    let before: string[] = [];
    for (const environment of ENVIRONMENTS) {
        const names: string[] = [];
        for (const stack of stacks[environment]) {
            const { name, job } = byStack.get(stack)!;
            assert.equal(job.stage, "deploy");
            assert.equal(
                gitlabEnvironment(job),
                environment,
                `${name}: in environment ${environment}`,
            );
            const script = job.script ?? [];
            const up = script.findIndex((l) =>
                /^pulumi up --yes (.* )?--stack "\$PULUMI_ORG\/\$STACK"/.test(l),
            );
            const recoverLine =
                'npm run recover -- --stack "$PULUMI_ORG/$STACK" --deploy-job --max-update-minutes 60';
            const recover = script.indexOf(recoverLine);
            const guard = script.indexOf('npm run state-guard -- --stack "$PULUMI_ORG/$STACK"');
            assert.ok(up >= 0, `${name}: pulumi up on its stack`);
            assert.ok(recover >= 0 && recover < up, `${name}: recover before pulumi up`);
            assert.ok(guard > recover && guard < up, `${name}: the state guard before pulumi up`);
            const after = (job.after_script ?? []).join("\n");
            assert.match(after, /if \[ "\$CI_JOB_STATUS" != "success" \]; then/);
            assert.ok(
                after.includes(recoverLine),
                `${name}: recover after a failed or cancelled deploy`,
            );
            assert.equal(
                job.resource_group,
                `pulumi-${stack}`,
                `${name}: resource_group serialises updates of ${stack}`,
            );
            const rules = job.rules ?? [];
            assert.ok(
                rules.length > 0 &&
                    rules.every(
                        (r) =>
                            (r.if ?? "").includes("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH") &&
                            (r.if ?? "").includes("$PARENT_PIPELINE_SOURCE =~ /^(push|web)$/"),
                    ),
                `${name}: on pushes to the default branch only`,
            );
            const manual = rules.every((r) => r.when === "manual");
            assert.equal(
                manual,
                environment !== "dev",
                `${name}: ${environment === "dev" ? "automatic" : "when: manual"}`,
            );
            assert.deepEqual(
                gitlabNeeds(job),
                before,
                `${name}: after every deploy of the environment before`,
            );
            names.push(name);
        }
        if (names.length > 0) before = names;
    }
}

/** Pulumi runs the compiled program: every job that runs it builds dist/ after npm ci and before Pulumi. */
function checkBuildBeforePulumi({ preview, deploy, gitlab, gitlabChild }: Docs): void {
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
            const lines = stepsOf(job).map((s) =>
                s.uses ? (s.with?.command ? `uses: ${s.uses}` : "") : (s.run ?? ""),
            );
            assert.ok(inOrder(lines), `${file}: ${id}: npm ci, then npm run build, then pulumi`);
        }
    }
    for (const [file, ci] of [
        [".gitlab-ci.yml", gitlab],
        ["the GitLab child pipeline", gitlabChild],
    ] as const) {
        for (const [name, job] of gitlabJobs(ci)) {
            assert.ok(
                inOrder(gitlabScript(job).split("\n")),
                `${file}: ${name}: npm ci, then npm run build, then pulumi`,
            );
        }
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
    assert.equal(
        docs.gitlabChild.variables?.PULUMI_VERSION,
        sdkVersion,
        "the GitLab child pipeline's PULUMI_VERSION",
    );
    for (const wf of [docs.preview, docs.deploy]) {
        const actionSteps = allSteps(wf).filter((s) => s.uses?.startsWith("pulumi/actions@"));
        for (const step of actionSteps) {
            assert.equal(
                step.with?.["pulumi-version"],
                "${{ env.PULUMI_VERSION }}",
                "every pulumi/actions step pins the CLI",
            );
        }
    }
}

function lockedVersion(pkg: string): string {
    const lock = JSON.parse(readText("package-lock.json")) as {
        packages: Record<string, { version?: string }>;
    };
    const version = lock.packages[`node_modules/${pkg}`]?.version;
    assert.ok(version, `package-lock.json: ${pkg}`);
    return version;
}

const sdkVersion = () => lockedVersion("@pulumi/pulumi");

// ---- the tests -----------------------------------------------------------------------------

describe("delivery: actionlint", () => {
    let actionlint: string;
    before(() => {
        actionlint = requireTool("actionlint");
    });

    it("passes every workflow in .github/workflows", () => {
        const files = workflowFiles();
        assert.deepEqual(files, ["deploy.yml", "preview.yml", "promote.yml", "tenant.yml"]);
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
        rule: "promote.yml proposes promotions as a pull request, never merged nor deployed by itself",
        check: checkPromoteWorkflow,
        breaks: [
            [
                "it merges the pull request",
                (d) => {
                    stepsOf(d.promote.jobs.promote).push({
                        run: 'gh pr merge "$PR" --auto --squash',
                    });
                },
            ],
            [
                "it runs pulumi up",
                (d) => {
                    stepsOf(d.promote.jobs.promote).push({ run: "pulumi up --yes" });
                },
            ],
            [
                "its pull request may carry any file",
                (d) => {
                    const pr = stepsOf(d.promote.jobs.promote).find((s) =>
                        s.uses?.startsWith("peter-evans/"),
                    )!;
                    delete pr.with!["add-paths"];
                },
            ],
            [
                "it runs on every push",
                (d) => {
                    (d.promote.on as Record<string, unknown>).push = { branches: ["main"] };
                },
            ],
            [
                "the kubeconfig stays when a step fails",
                (d) => {
                    const forget = stepsOf(d.promote.jobs.promote).find((s) =>
                        /kubeconfig"$/.test(s.run ?? ""),
                    )!;
                    delete forget.if;
                },
            ],
        ],
    },
    {
        rule: "previews run on every pull request",
        check: checkPreviewTrigger,
        breaks: [
            [
                "a paths filter leaves the required check pending",
                (d) => {
                    d.preview.on.pull_request = { paths: ["tenants/**"] };
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
        rule: "the test jobs run npm ci and npm test with the tools cached; stacks validates the tenants",
        check: checkTestJobs,
        breaks: [
            [
                "no tenant validation",
                (d) => {
                    d.preview.jobs.stacks.steps = stepsOf(d.preview.jobs.stacks).filter(
                        (s) => !/validate/.test(s.run ?? ""),
                    );
                },
            ],
            [
                "npm test without npm ci",
                (d) => {
                    d.deploy.jobs.test.steps = stepsOf(d.deploy.jobs.test).filter(
                        (s) => s.run !== "npm ci",
                    );
                },
            ],
            [
                "the tools are not cached",
                (d) => {
                    d.preview.jobs.test.steps = stepsOf(d.preview.jobs.test).filter(
                        (s) => !s.uses?.startsWith("actions/cache@"),
                    );
                },
            ],
            [
                "the cache outlives a change of the pinned versions",
                (d) => {
                    step(
                        d.deploy,
                        "test",
                        (s) => !!s.uses?.startsWith("actions/cache@"),
                    ).with!.key = "aims-tools-${{ runner.os }}";
                },
            ],
            [
                "a signup waits for the whole suite",
                (d) => {
                    delete d.preview.jobs.test.if;
                },
            ],
        ],
    },
    {
        rule: "no workflow runs .ci/run or names the local kit, nor does a user document",
        check: checkNoLocalKit,
        breaks: [
            [
                "the test job runs .ci/run",
                (d) => {
                    step(d.preview, "test", (s) => s.run === "npm test").run = "bash .ci/run";
                },
            ],
            [
                "GitLab's test job runs .ci/run",
                (d) => {
                    (d.gitlab.test as GitlabJob).script = ["bash .ci/run"];
                },
            ],
            [
                "a deploy builds the kit",
                (d) => {
                    d.deploy.jobs["drift-prod"].steps!.unshift({
                        run: "../shared/realengine/build",
                    });
                },
            ],
            [
                "the README starts the local platform",
                (d) => {
                    d.userDocs["README.md"] += "\n../shared/realengine/local-platform up\n";
                },
            ],
            [
                "a docs page names the kit's binaries",
                (d) => {
                    d.userDocs["docs/delivery.md"] +=
                        "\nexport PATH=$HOME/.cache/aims-realengine/bin:$PATH\n";
                },
            ],
        ],
    },
    {
        rule: "the end-to-end job: kind, PostgreSQL 15 with a non-superuser admin, the pinned CLI and plugins",
        check: checkEndToEndJob,
        breaks: [
            [
                "no cluster",
                (d) => {
                    d.preview.jobs.e2e.steps = stepsOf(d.preview.jobs.e2e).filter(
                        (s) => !s.uses?.startsWith("helm/kind-action@"),
                    );
                },
            ],
            [
                "kind-action by a moving tag",
                (d) => {
                    step(d.preview, "e2e", (s) => !!s.uses?.startsWith("helm/kind-action@")).uses =
                        "helm/kind-action@v1";
                },
            ],
            [
                "no database",
                (d) => {
                    d.preview.jobs.e2e.steps = stepsOf(d.preview.jobs.e2e).filter(
                        (s) => !/docker run/.test(s.run ?? ""),
                    );
                },
            ],
            [
                "the admin is a superuser",
                (d) => {
                    const pg = step(d.preview, "e2e", (s) => /CREATE ROLE/.test(s.run ?? ""));
                    pg.run = pg.run!.replace("CREATEDB CREATEROLE", "SUPERUSER");
                },
            ],
            [
                "a plugin is not package-lock.json's version",
                (d) => {
                    const plugins = step(d.preview, "e2e", (s) =>
                        /plugin install/.test(s.run ?? ""),
                    );
                    plugins.run = plugins.run!.replace(/(resource kubernetes )\S+/, "$14.0.0");
                },
            ],
            [
                "a plugin is missing",
                (d) => {
                    const plugins = step(d.preview, "e2e", (s) =>
                        /plugin install/.test(s.run ?? ""),
                    );
                    plugins.run = plugins.run!.replace(/^.*resource command .*$/m, "");
                },
            ],
            [
                "the suite is not told where the plugins are",
                (d) => {
                    const plugins = step(d.preview, "e2e", (s) =>
                        /plugin install/.test(s.run ?? ""),
                    );
                    plugins.run = plugins.run!.replace(/^.*AIMS_E2E_PLUGINS_DIR.*$/m, "");
                },
            ],
            [
                "a shallow checkout",
                (d) => {
                    delete step(d.preview, "e2e", (s) => !!s.uses?.startsWith("actions/checkout@"))
                        .with;
                },
            ],
            [
                "no command loads the images onto the node",
                (d) => {
                    delete d.preview.jobs.e2e.env!.AIMS_E2E_LOAD_IMAGE;
                },
            ],
            [
                "the images go to another cluster",
                (d) => {
                    d.preview.jobs.e2e.env!.AIMS_E2E_LOAD_IMAGE = "kind load image-archive {}";
                },
            ],
            [
                "pods are not told where this machine is",
                (d) => {
                    const find = step(d.preview, "e2e", (s) => /Gateway/.test(s.run ?? ""));
                    find.run = find.run!.replace(/^.*AIMS_NODE_HOST_IP.*$/m, "");
                },
            ],
            [
                "PostgreSQL published on the loopback address only",
                (d) => {
                    const pg = step(d.preview, "e2e", (s) => /docker run/.test(s.run ?? ""));
                    pg.run = pg.run!.replace("-p 5432:5432", "-p 127.0.0.1:5432:5432");
                },
            ],
        ],
    },
    {
        rule: "one required check, always reported, failing when any job failed",
        check: checkAggregateCheck,
        breaks: [
            [
                "it does not wait for the end-to-end suite",
                (d) => {
                    d.preview.jobs.checks.needs = ["stacks", "test", "preview"];
                },
            ],
            [
                "it is skipped when a job fails",
                (d) => {
                    delete d.preview.jobs.checks.if;
                },
            ],
            [
                "a fork's pull request passes it without previews",
                (d) => {
                    const verdict = stepsOf(d.preview.jobs.checks)[0];
                    verdict.run = verdict.run!.replace(/^.*\.preview\.result.*$/m, "");
                },
            ],
            [
                "a failed job passes it",
                (d) => {
                    const verdict = stepsOf(d.preview.jobs.checks)[0];
                    verdict.run = verdict.run!.replace(/jq -e .*$/m, "true");
                },
            ],
        ],
    },
    {
        rule: "the signup lane: a creates-only plan from JSON, then an approval naming the rule and auto-merge",
        check: checkSignupLane,
        breaks: [
            [
                "the plan is not checked",
                (d) => {
                    d.preview.jobs.preview.steps = stepsOf(d.preview.jobs.preview).filter(
                        (s) => !/plan-check/.test(s.run ?? ""),
                    );
                },
            ],
            [
                "the plan is read from text",
                (d) => {
                    const check = step(d.preview, "preview", (s) => /plan-check/.test(s.run ?? ""));
                    check.run = check.run!.replace(
                        "pulumi preview --json",
                        "pulumi preview --diff",
                    );
                },
            ],
            [
                "a refused plan passes",
                (d) => {
                    step(d.preview, "preview", (s) => /plan-check/.test(s.run ?? ""))[
                        "continue-on-error"
                    ] = true;
                },
            ],
            [
                "every pull request is approved",
                (d) => {
                    d.preview.jobs.signup.if = "needs.checks.result == 'success'";
                },
            ],
            [
                "it approves before the checks",
                (d) => {
                    d.preview.jobs.signup.needs = ["stacks"];
                    d.preview.jobs.signup.if = "needs.stacks.outputs.signup == 'true'";
                },
            ],
            [
                "the merge would start no deploy",
                (d) => {
                    step(d.preview, "signup", (s) =>
                        /gh pr merge/.test(s.run ?? ""),
                    ).env!.GH_TOKEN = "${{ github.token }}";
                },
            ],
            [
                "the branch name is the only rule",
                (d) => {
                    const lane = step(d.preview, "stacks", (s) => s.id === "lane");
                    lane.run = lane.run!.replace(' --base "$BASE_SHA"', "");
                },
            ],
        ],
    },
    {
        rule: "one preview per stack with pulumi/actions, one edited comment each, failing the check",
        check: checkPreviewPerStack,
        breaks: [
            [
                "only the prod stacks are previewed",
                (d) => {
                    d.preview.jobs.preview.strategy!.matrix!.stack = stacksOutput("prod");
                },
            ],
            [
                "each stack needs a preview environment of its own",
                (d) => {
                    d.preview.jobs.preview.environment = {
                        name: "preview-${{ matrix.stack }}",
                        deployment: false,
                    };
                },
            ],
            [
                "a failure marks the comment of one stack for all",
                (d) => {
                    step(
                        d.preview,
                        "preview",
                        (s) => !!s.uses?.startsWith("actions/github-script@"),
                    ).env!.HEADING = "#### :tropical_drink: `preview` on aims";
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
        rule: "GitHub: the stacks come from npm run stacks, never from a list in a workflow",
        check: checkStackDiscovery,
        breaks: [
            [
                "the preview matrix is a list of stacks",
                (d) => {
                    d.preview.jobs.preview.strategy!.matrix!.stack = ["dev", "sit", "prod"];
                },
            ],
            [
                "the prod deploy is a list of one stack",
                (d) => {
                    d.deploy.jobs["up-prod"].strategy!.matrix!.stack = ["prod"];
                },
            ],
            [
                "the drift check names prod",
                (d) => {
                    d.deploy.jobs["drift-prod"].env!.STACK = "prod";
                },
            ],
            [
                "a job deploys prod by name",
                (d) => {
                    d.deploy.jobs["up-prod-2"] = {
                        ...structuredClone(d.deploy.jobs["up-prod"]),
                        strategy: undefined,
                        env: { STACK: "prod-2" },
                    };
                },
            ],
            [
                "a concurrency group names a stack",
                (d) => {
                    d.deploy.jobs["up-sit"].concurrency = {
                        group: "pulumi-sit",
                        "cancel-in-progress": false,
                    };
                },
            ],
            [
                "an empty environment would fail the run",
                (d) => {
                    d.deploy.jobs["up-sit"].if = "github.event_name != 'schedule'";
                },
            ],
            [
                "the stacks job does not run the command",
                (d) => {
                    step(d.preview, "stacks", (s) => s.id === "stacks").run =
                        `echo 'all=["dev","sit","prod"]' >> "$GITHUB_OUTPUT"`;
                },
            ],
            [
                "a matrix reads an output the stacks job does not have",
                (d) => {
                    delete d.deploy.jobs.stacks.outputs!.sit;
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
                "a paths filter",
                (d) => {
                    d.deploy.on.push!.paths = ["tenants/**"];
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
        rule: "dev, then sit, then prod, passing over an environment without stacks",
        check: checkDeployOrder,
        breaks: [
            [
                "prod right after dev",
                (d) => {
                    d.deploy.jobs["up-prod"].needs = ["test", "stacks", "up-dev"];
                },
            ],
            [
                "sit without dev",
                (d) => {
                    d.deploy.jobs["up-sit"].needs = ["test", "stacks"];
                },
            ],
            [
                "a skipped dev skips sit",
                (d) => {
                    const job = d.deploy.jobs["up-sit"];
                    job.if = job.if!.replace("!cancelled() && ", "");
                },
            ],
            [
                "prod runs after sit was cancelled",
                (d) => {
                    const job = d.deploy.jobs["up-prod"];
                    job.if = job.if!.replace(" && !contains(needs.*.result, 'cancelled')", "");
                },
            ],
            [
                "sit runs after the tests failed",
                (d) => {
                    const job = d.deploy.jobs["up-sit"];
                    job.if = job.if!.replace(TEST_GATE, "needs.test.result != 'cancelled'");
                },
            ],
            [
                "prod runs without tests for any change",
                (d) => {
                    const job = d.deploy.jobs["up-prod"];
                    job.if = job.if!.replace(
                        TEST_GATE,
                        "(needs.test.result == 'success' || needs.test.result == 'skipped')",
                    );
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
                "a failing shard cancels the other shards' updates",
                (d) => {
                    delete d.deploy.jobs["up-prod"].strategy!["fail-fast"];
                },
            ],
            [
                "dev deploys on schedule",
                (d) => {
                    delete d.deploy.jobs["up-dev"].if;
                },
            ],
            [
                "a signup's environment for every deploy",
                (d) => {
                    d.deploy.jobs["up-prod"].environment = "prod-signup";
                },
            ],
            [
                "no recovery before up",
                (d) => {
                    const steps = stepsOf(d.deploy.jobs["up-dev"]);
                    steps.splice(
                        steps.findIndex((s) => s.run?.startsWith("npm run recover")),
                        1,
                    );
                },
            ],
            [
                "no recovery after a cancelled job",
                (d) => {
                    const steps = stepsOf(d.deploy.jobs["up-sit"]);
                    steps.find((s) => s.if?.startsWith("(cancelled()"))!.if = "failure()";
                },
            ],
            [
                "a live lock could be broken: the lock age is not the job's timeout",
                (d) => {
                    d.deploy.jobs["up-prod"]["timeout-minutes"] = 120;
                },
            ],
            [
                "no state guard",
                (d) => {
                    const steps = stepsOf(d.deploy.jobs["up-dev"]);
                    steps.splice(
                        steps.findIndex((s) => s.run?.startsWith("npm run state-guard")),
                        1,
                    );
                },
            ],
            [
                "a signup deploys without its plan checked",
                (d) => {
                    const steps = stepsOf(d.deploy.jobs["up-prod"]);
                    steps.splice(
                        steps.findIndex((s) => /plan-check/.test(s.run ?? "")),
                        1,
                    );
                },
            ],
            [
                "the prod job updates the sit stacks",
                (d) => {
                    d.deploy.jobs["up-prod"].strategy!.matrix!.stack = stacksOutput("sit");
                },
            ],
        ],
    },
    {
        rule: "the scheduled drift check previews each prod stack with --expect-no-changes (GitHub and GitLab)",
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
                "it checks the dev stacks",
                (d) => {
                    d.deploy.jobs["drift-prod"].strategy!.matrix!.stack = stacksOutput("dev");
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
                    (d.gitlabChild["drift:prod"] as GitlabJob).variables = { STACK: "sit" };
                },
            ],
            [
                "GitLab's drift jobs never run",
                (d) => {
                    (d.gitlab.stacks as GitlabJob).rules = stackPipelineRules(d.gitlab).filter(
                        (r) => !/schedule/.test(r.if ?? ""),
                    );
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
        rule: "GitLab: stages test, stacks (the child pipeline: preview, deploy); the test job runs .ci/run and validates",
        check: checkGitlabStages,
        breaks: [
            [
                "no stacks stage",
                (d) => {
                    d.gitlab.stages = ["test", "preview", "deploy"];
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
        rule: "GitLab: the stack jobs are generated from the stack files and run as a child pipeline after the tests",
        check: checkGitlabDiscovery,
        breaks: [
            [
                "a preview job with a fixed matrix",
                (d) => {
                    d.gitlab.preview = {
                        extends: ".preview",
                        parallel: { matrix: [{ STACK: ["dev", "sit", "prod"] }] },
                    };
                },
            ],
            [
                "a deploy job written for prod",
                (d) => {
                    d.gitlab["deploy:prod"] = {
                        extends: ".deploy-prod",
                        variables: { STACK: "prod" },
                    };
                },
            ],
            [
                "the trigger runs a committed file",
                (d) => {
                    (d.gitlab.stacks as GitlabJob).trigger!.include = [
                        { local: ".gitlab/stacks.yml" },
                    ];
                },
            ],
            [
                "the generator copies a committed file",
                (d) => {
                    const generator = d.gitlab["stacks:generate"] as GitlabJob;
                    generator.script = generator.script!.map((line) =>
                        line.replace(
                            /^npm run --silent gitlab-pipeline .*>/,
                            "cp .gitlab/stacks.yml",
                        ),
                    );
                },
            ],
            [
                "the trigger forwards variables given by hand, STACK among them",
                (d) => {
                    (d.gitlab.stacks as GitlabJob).trigger!.forward = { pipeline_variables: true };
                },
            ],
            [
                "the pipeline passes whatever the stack jobs do",
                (d) => {
                    delete (d.gitlab.stacks as GitlabJob).trigger!.strategy;
                },
            ],
            [
                "the child pipeline is not told what started it",
                (d) => {
                    delete (d.gitlab.stacks as GitlabJob).variables;
                },
            ],
            [
                "the stack jobs do not wait for the tests",
                (d) => {
                    (d.gitlab.stacks as GitlabJob).needs = ["stacks:generate"];
                },
            ],
            [
                "scheduled pipelines cannot be created (test is not optional)",
                (d) => {
                    (d.gitlab.stacks as GitlabJob).needs = ["test", "stacks:generate"];
                },
            ],
            [
                "the child pipeline has templates of its own",
                (d) => {
                    (d.gitlabChild[".deploy"] as GitlabJob).script = ["pulumi up --yes"];
                },
            ],
        ],
    },
    {
        rule: "GitLab: a preview per stack on merge requests, in its environment's preview credentials, posted as a note per stack cut to 1,000,000 characters",
        check: checkGitlabPreview,
        breaks: [
            [
                "sit is not previewed",
                (d) => {
                    delete d.gitlabChild["preview:sit"];
                },
            ],
            [
                "a preview in another environment's credentials",
                (d) => {
                    (d.gitlabChild["preview:sit"] as GitlabJob).environment = {
                        name: "preview/prod",
                    };
                },
            ],
            [
                "it runs on every branch",
                (d) => {
                    (d.gitlabChild[".preview"] as GitlabJob).rules = [{ if: "$CI_COMMIT_BRANCH" }];
                },
            ],
            [
                "no note",
                (d) => {
                    (d.gitlabChild[".preview"] as GitlabJob).script = [
                        'pulumi preview --diff --stack "$PULUMI_ORG/$STACK"',
                    ];
                },
            ],
            [
                "one note for every stack",
                (d) => {
                    const preview = d.gitlabChild[".preview"] as GitlabJob;
                    preview.script = preview.script!.map((line) =>
                        line.replace("aims-preview:${env.STACK}", "aims-preview"),
                    );
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
                    (d.gitlabChild[".deploy-prod"] as GitlabJob).rules = [
                        {
                            if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $PARENT_PIPELINE_SOURCE =~ /^(push|web)$/",
                        },
                    ];
                },
            ],
            [
                "dev waits for a click",
                (d) => {
                    (d.gitlabChild[".deploy-dev"] as GitlabJob).rules = [
                        {
                            if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $PARENT_PIPELINE_SOURCE =~ /^(push|web)$/",
                            when: "manual",
                        },
                    ];
                },
            ],
            [
                "sit is not serialised",
                (d) => {
                    delete (d.gitlabChild["deploy:sit"] as GitlabJob).resource_group;
                },
            ],
            [
                "prod right after dev",
                (d) => {
                    (d.gitlabChild["deploy:prod"] as GitlabJob).needs = ["deploy:dev"];
                },
            ],
            [
                "prod deploys in the sit environment",
                (d) => {
                    (d.gitlabChild["deploy:prod"] as GitlabJob).extends = ".deploy-sit";
                },
            ],
            [
                "deploys from a merge request",
                (d) => {
                    (d.gitlabChild[".deploy-sit"] as GitlabJob).rules = [
                        { if: '$PARENT_PIPELINE_SOURCE == "merge_request_event"', when: "manual" },
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
                    const pulumi = d.gitlabChild[".pulumi"] as GitlabJob;
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
    const docs = loadDocs(PROJECT_STACKS);
    const sharded = loadDocs(SHARDED_STACKS);
    for (const { rule, check, breaks } of RULES) {
        describe(rule, () => {
            it("holds for the real files", () => check(structuredClone(docs)));
            it("holds with a prod-2 shard stack", () => check(structuredClone(sharded)));
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
        assert.equal(files.length, 5);
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

    it("accepts references: ${{ secrets.X }}, ${{ secrets.X || github.token }}, ${{ github.token }}, $X and ${X}", () => {
        const text =
            "env:\n  A_TOKEN: ${{ secrets.A_TOKEN }}\n  token: ${{ secrets.PR_TOKEN || github.token }}\n" +
            "  GH_TOKEN: ${{ github.token }}\n" +
            "  DB_PASSWORD: $DB_PASSWORD\n  password: ${DB_PASSWORD}\n";
        assert.deepEqual(secretProblems(text, "x.yml"), []);
    });
});

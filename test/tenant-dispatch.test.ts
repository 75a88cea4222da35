/**
 * The tenant workflow's create-tenant and delete-tenant steps run for real: each step's script
 * runs under bash as GitHub runs it, in a copy of the project, with the environment the job
 * computes from a form input or from the core's repository_dispatch payload. So the tenant CLI is
 * fed exactly what the workflow passes, and what it writes is what the pull request would hold.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../components/support/project-root";
import { loadTenants } from "../components/tenant-files/registry";
import { copyProject, ProjectCopy } from "./support/project";

interface Step {
    name?: string;
    run?: string;
    if?: string;
}
interface Job {
    env: Record<string, string>;
    steps: Step[];
}
const workflow = yaml.load(
    fs.readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", "tenant.yml"), "utf8"),
) as { jobs: Record<string, Job> };
const job = workflow.jobs["pull-request"];

/** What a run sees: the form's inputs, or the dispatch's event_type and client_payload. */
interface Trigger {
    readonly inputs?: Record<string, string>;
    readonly event?: { action: string; client_payload: Record<string, string> };
}

/**
 * Evaluates the job's `${{ a || b || 'literal' }}` expressions for a trigger, as GitHub does: the
 * first operand that is set and not empty wins. Any other expression fails the test.
 */
function evaluate(expression: string, trigger: Trigger): string {
    const inner = /^\$\{\{\s*(.+?)\s*\}\}$/.exec(expression)?.[1];
    assert.ok(inner, `not an expression: ${expression}`);
    for (const operand of inner.split("||").map((part) => part.trim())) {
        const literal = /^'([^']*)'$/.exec(operand)?.[1];
        const value =
            literal !== undefined
                ? literal
                : operand.startsWith("inputs.")
                  ? trigger.inputs?.[operand.slice("inputs.".length)]
                  : operand.startsWith("github.event.client_payload.")
                    ? trigger.event?.client_payload[
                          operand.slice("github.event.client_payload.".length)
                      ]
                    : operand === "github.event.action"
                      ? trigger.event?.action
                      : operand === "github.actor"
                        ? "aims-core-bot"
                        : assert.fail(`unknown operand ${operand}`);
        if (value) return value;
    }
    return "";
}

function runStep(
    project: ProjectCopy,
    name: string,
    trigger: Trigger,
): { status: number; stdout: string; stderr: string } {
    const step = job.steps.find((s) => s.name === name);
    assert.ok(step?.run, `tenant.yml has no step "${name}"`);
    const env = Object.fromEntries(
        Object.entries(job.env).map(([key, expression]) => [key, evaluate(expression, trigger)]),
    );
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), "aims-runner-"));
    try {
        const result = spawnSync(
            "bash",
            ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run],
            {
                cwd: project.dir,
                encoding: "utf8",
                env: {
                    ...process.env,
                    ...env,
                    RUNNER_TEMP: runnerTemp,
                    TS_NODE_PROJECT: path.join(PROJECT_ROOT, "tsconfig.json"),
                },
            },
        );
        return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    } finally {
        fs.rmSync(runnerTemp, { recursive: true, force: true });
    }
}

describe("tenant workflow: the core's dispatch through the tenant CLI", () => {
    let project: ProjectCopy;
    beforeEach(() => (project = copyProject()));
    afterEach(() => project.remove());
    const tenants = () => loadTenants(path.join(project.dir, "tenants"));

    it("create-tenant by repository_dispatch writes exactly the school's tenant file", () => {
        const result = runStep(project, "Add the tenant file", {
            event: {
                action: "create-tenant",
                client_payload: {
                    tenant_name: "hillcrest",
                    school_id: "2042",
                    display_name: "Hillcrest College",
                    plan: "small",
                    environments: "dev,sit",
                },
            },
        });
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(
            tenants().find((t) => t.name === "hillcrest"),
            {
                name: "hillcrest",
                displayName: "Hillcrest College",
                environments: ["dev", "sit"],
                plan: "small",
                status: "active",
                schoolId: "2042",
                file: "tenants/hillcrest.yaml",
            },
        );
    });

    it("create-tenant from the form with only the required inputs takes the defaults", () => {
        const result = runStep(project, "Add the tenant file", {
            inputs: {
                action: "create-tenant",
                tenant_name: "hillcrest",
                school_id: "7",
                plan: "standard",
                environments: "dev,sit,prod",
            },
        });
        assert.equal(result.status, 0, result.stderr);
        const added = tenants().find((t) => t.name === "hillcrest");
        assert.deepEqual(
            [added?.displayName, added?.plan, added?.environments, added?.schoolId],
            ["Hillcrest", "standard", ["dev", "sit", "prod"], "7"],
        );
    });

    it("a dispatch without school_id, with a bad name or a reserved one, fails naming the file and field, and writes nothing", () => {
        const cases: Array<[Record<string, string>, RegExp]> = [
            [{ tenant_name: "hillcrest" }, /tenants\/hillcrest\.yaml: schoolId: is required/],
            [
                { tenant_name: "Hill_Crest", school_id: "1" },
                /tenants\/Hill_Crest\.yaml: name: must be a DNS label/,
            ],
            [
                { tenant_name: "aims-core", school_id: "1" },
                /tenants\/aims-core\.yaml: name: "aims-core" is reserved/,
            ],
            [
                { tenant_name: "hillcrest", school_id: "1; rm -rf /" },
                /tenants\/hillcrest\.yaml: schoolId: must be the school's id/,
            ],
            [
                { tenant_name: "hillcrest", school_id: "1", plan: "huge" },
                /plan: must be one of small, standard, large/,
            ],
        ];
        for (const [payload, message] of cases) {
            const before = fs.readdirSync(path.join(project.dir, "tenants")).sort();
            const result = runStep(project, "Add the tenant file", {
                event: { action: "create-tenant", client_payload: payload },
            });
            assert.equal(result.status, 1, JSON.stringify(payload));
            assert.match(result.stderr, message);
            assert.deepEqual(
                fs.readdirSync(path.join(project.dir, "tenants")).sort(),
                before,
                "no file written",
            );
        }
    });

    it("delete-tenant sets the tenant offboarding and keeps its file, comments and fields", () => {
        const result = runStep(project, "Set the tenant offboarding", {
            event: { action: "delete-tenant", client_payload: { tenant_name: "school1" } },
        });
        assert.equal(result.status, 0, result.stderr);
        const text = fs.readFileSync(path.join(project.dir, "tenants", "school1.yaml"), "utf8");
        assert.match(text, /^status: offboarding$/m);
        assert.match(text, /^# yaml-language-server/);
        assert.equal(tenants().find((t) => t.name === "school1")?.status, "offboarding");
    });

    it("delete-tenant of an unknown tenant fails", () => {
        const result = runStep(project, "Set the tenant offboarding", {
            inputs: { action: "delete-tenant", tenant_name: "nowhere" },
        });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /tenants\/nowhere\.yaml: no such tenant file/);
    });

    it("refuses an action other than create-tenant or delete-tenant", () => {
        const result = runStep(project, "Check the action", {
            event: { action: "rename-tenant", client_payload: { tenant_name: "school1" } },
        });
        assert.equal(result.status, 1);
        assert.match(
            result.stdout,
            /action must be create-tenant or delete-tenant \(got 'rename-tenant'\)/,
        );
    });
});

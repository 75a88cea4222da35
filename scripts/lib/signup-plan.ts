/**
 * The signup lane's rule for a plan: a signup may only create, and only inside the Tenant
 * components of the tenants it adds. Every step must be `same`, the creation of one of those
 * Tenant components (directly under the stack), or a creation whose chain of parents, as the
 * steps' states give it, reaches one of them; the deletion guard's read of the stack's own
 * outputs is allowed. Names are never trusted: `<tenant>-...` under another parent is refused.
 * A plan with an error diagnostic, that creates none of the named tenants, or whose change
 * summary counts changes its steps do not list, is refused.
 */
import { HISTORY_REFERENCE_NAME } from "../../components/safety/deployment-history";
import { TENANT_TYPE } from "../../components/vocabulary/type-tokens";
import { nameOfUrn, PlanStep, PreviewPlan } from "./preview-plan";

const STACK_TYPE = "pulumi:pulumi:Stack";
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** A step the lane does not admit, and why. */
export interface Offence {
    readonly op: string;
    readonly urn: string;
    readonly reason: string;
}

export interface SignupVerdict {
    readonly admitted: boolean;
    /** Steps the lane does not admit. */
    readonly offences: readonly Offence[];
    /** Problems of the plan as a whole: error diagnostics, no named tenant created, a summary that disagrees. */
    readonly problems: readonly string[];
    /** Resources created in each new tenant, its Tenant component included, by tenant name. */
    readonly createdByTenant: ReadonlyMap<string, number>;
    /** Named tenants that this plan does not create (they belong to other stacks). */
    readonly absentTenants: readonly string[];
    readonly unchanged: number;
    readonly guardReads: number;
}

export function judgeSignupPlan(plan: PreviewPlan, newTenants: readonly string[]): SignupVerdict {
    const problems = plan.diagnostics
        .filter((diagnostic) => diagnostic.severity === "error")
        .map((diagnostic) => `the preview reported an error: ${firstLine(diagnostic.message)}`);
    if (newTenants.length === 0)
        problems.push("no new tenant was named: a signup adds at least one");
    problems.push(...summaryProblems(plan));

    const stepsByUrn = new Map<string, PlanStep>();
    for (const step of plan.steps) if (!stepsByUrn.has(step.urn)) stepsByUrn.set(step.urn, step);
    const named = new Set(newTenants);
    const newTenantUrns = new Map(
        plan.steps
            .filter((step) => isNewTenantComponent(step, named, stepsByUrn))
            .map((step) => [step.urn, nameOfUrn(step.urn)]),
    );

    const offences: Offence[] = [];
    const createdByTenant = new Map<string, number>();
    let sameSteps = 0;
    let guardReads = 0;
    for (const step of plan.steps) {
        if (step.op === "same") {
            sameSteps++;
        } else if (step.op === "read" && isGuardReference(step, stepsByUrn)) {
            guardReads++;
        } else if (step.op === "create") {
            const owner = owningNewTenant(step, newTenantUrns, stepsByUrn);
            if (typeof owner === "string")
                createdByTenant.set(owner, (createdByTenant.get(owner) ?? 0) + 1);
            else offences.push({ op: step.op, urn: step.urn, reason: owner.refusal });
        } else {
            offences.push({ op: step.op, urn: step.urn, reason: refusalOf(step) });
        }
    }
    if (newTenants.length > 0 && createdByTenant.size === 0)
        problems.push(
            `the plan creates none of the named tenants (${newTenants.join(", ")}): nothing for the signup lane to admit`,
        );
    return {
        admitted: offences.length === 0 && problems.length === 0,
        offences,
        problems,
        createdByTenant,
        absentTenants: newTenants.filter((name) => !createdByTenant.has(name)),
        // The engine lists unchanged resources only with --show-sames; its summary counts them all.
        unchanged: Math.max(sameSteps, plan.changeSummary.same ?? 0),
        guardReads,
    };
}

/**
 * Every change the summary counts must be among the steps: a summary that counts more than the
 * steps list belongs to a plan that is not complete, and that plan is not judged.
 */
function summaryProblems(plan: PreviewPlan): string[] {
    return Object.entries(plan.changeSummary)
        .filter(([op]) => op !== "same")
        .map(([op, count]) => ({ op, count, listed: plan.steps.filter((s) => s.op === op).length }))
        .filter(({ count, listed }) => count !== listed)
        .map(
            ({ op, count, listed }) =>
                `the change summary counts ${count} ${op} but the steps list ${listed}: the plan is not complete`,
        );
}

/** The verdict as the CLI prints it: one line per offence and problem, then a summary. */
export function describeVerdict(verdict: SignupVerdict): string[] {
    const lines = [
        ...verdict.offences.map((offence) => `${offence.op} ${offence.urn}: ${offence.reason}`),
        ...verdict.problems,
    ];
    const creates = [...verdict.createdByTenant.values()].reduce((sum, n) => sum + n, 0);
    const inside = [...verdict.createdByTenant.keys()].join(", ");
    const summary = [
        `${creates} create${creates === 1 ? "" : "s"} inside tenant${verdict.createdByTenant.size === 1 ? "" : "s"} ${inside || "(none)"}`,
        `${verdict.unchanged} unchanged`,
        ...(verdict.guardReads > 0
            ? [`${verdict.guardReads} read of the deletion guard's history`]
            : []),
        ...(verdict.absentTenants.length > 0
            ? [`not in this stack: ${verdict.absentTenants.join(", ")}`]
            : []),
    ].join("; ");
    const count = verdict.offences.length + verdict.problems.length;
    lines.push(
        verdict.admitted
            ? `signup plan admitted: ${summary}`
            : `signup plan refused (${count} problem${count === 1 ? "" : "s"}): ${summary}`,
    );
    return lines;
}

/** A Tenant component created by this plan, named as a new tenant, directly under the stack. */
function isNewTenantComponent(
    step: PlanStep,
    named: ReadonlySet<string>,
    stepsByUrn: ReadonlyMap<string, PlanStep>,
): boolean {
    return (
        step.op === "create" &&
        step.type === TENANT_TYPE &&
        named.has(nameOfUrn(step.urn)) &&
        step.parent !== undefined &&
        stepsByUrn.get(step.parent)?.type === STACK_TYPE
    );
}

/** The guard's StackReference, directly under the stack. */
function isGuardReference(step: PlanStep, stepsByUrn: ReadonlyMap<string, PlanStep>): boolean {
    return (
        step.type === STACK_REFERENCE_TYPE &&
        nameOfUrn(step.urn) === HISTORY_REFERENCE_NAME &&
        step.parent !== undefined &&
        stepsByUrn.get(step.parent)?.type === STACK_TYPE
    );
}

/**
 * The new tenant whose component holds a created resource, found by walking its parents up to
 * the nearest Tenant component; or why the creation is refused.
 */
function owningNewTenant(
    step: PlanStep,
    newTenantUrns: ReadonlyMap<string, string>,
    stepsByUrn: ReadonlyMap<string, PlanStep>,
): string | { refusal: string } {
    const seen = new Set<string>();
    let current: PlanStep | undefined = step;
    while (current !== undefined) {
        if (seen.has(current.urn)) return { refusal: "its chain of parents loops" };
        seen.add(current.urn);
        if (current.type === TENANT_TYPE) {
            const owner = newTenantUrns.get(current.urn);
            if (owner !== undefined) return owner;
            return {
                refusal:
                    current === step
                        ? "creates a Tenant component that is not one of the named new tenants, or not directly under the stack"
                        : `creates a resource inside ${current.urn}, which is not the component of a named new tenant`,
            };
        }
        if (current.parent === undefined) break;
        const parent = stepsByUrn.get(current.parent);
        if (parent === undefined)
            return {
                refusal: `its parent ${current.parent} is not created by this plan: an existing resource, not a new tenant's component`,
            };
        current = parent;
    }
    return { refusal: outsideTenantRefusal(step) };
}

function outsideTenantRefusal(step: PlanStep): string {
    if (step.type === STACK_TYPE)
        return "creates the stack itself: the first deployment of a stack is not a signup";
    if (step.type.startsWith(PROVIDER_TYPE_PREFIX))
        return "creates a provider shared by the whole stack (the stack's first tenant, or its first of a platform): outside any tenant, so not a signup";
    return "creates a resource outside any new tenant's component";
}

function refusalOf(step: PlanStep): string {
    switch (step.op) {
        case "update":
            return "updates an existing resource: a signup only creates";
        case "replace":
        case "create-replacement":
        case "delete-replaced":
        case "read-replacement":
        case "import-replacement":
        case "remove-pending-replace":
            return "replaces an existing resource: a signup only creates";
        case "delete":
        case "discard":
        case "discard-replaced":
            return "deletes or forgets a resource: a signup only creates";
        case "import":
            return "imports an existing resource: a signup only creates";
        case "read":
            return "reads a resource other than the deletion guard's history";
        default:
            return "is not a creation: a signup only creates";
    }
}

/** The engine prefixes an error's message with `error: `, which the line printed already says. */
const firstLine = (text: string): string =>
    (text.trim().split("\n")[0] ?? "").replace(/^error: /, "");

/**
 * The plan in the JSON that `pulumi preview --json` prints, read as data: each step's operation
 * and URN, and the resource's type and parent from the step's new state (its old state for a
 * step that has no new one), and the diagnostics. Only the fields the signup lane judges are
 * kept; a document that is not such a plan is refused with the reason.
 */

/** One step of the plan. */
export interface PlanStep {
    /** `same`, `create`, `update`, `replace`, `delete`, `read`, ... as the engine names them. */
    readonly op: string;
    readonly urn: string;
    /** The resource's type token, such as `aims:index:Tenant` or `pulumi:providers:kubernetes`. */
    readonly type: string;
    /** The URN of its parent; none for the stack's root resource. */
    readonly parent?: string;
}

export interface PlanDiagnostic {
    /** `error`, `warning`, `info`, ... */
    readonly severity: string;
    readonly message: string;
    readonly urn?: string;
}

export interface PreviewPlan {
    /**
     * The steps the engine printed. Without `--show-sames` it leaves out unchanged resources,
     * all but the stack's root, so a parent that is not created here may be missing.
     */
    readonly steps: readonly PlanStep[];
    readonly diagnostics: readonly PlanDiagnostic[];
    /** How many steps of each operation the plan has, unchanged ones included. */
    readonly changeSummary: Readonly<Record<string, number>>;
}

/** The input is not the JSON of a preview. */
export class PreviewInputError extends Error {}

const URN_PREFIX = "urn:pulumi:";

/** `urn:pulumi:<stack>::<project>::<parent types$type>::<name>`: the type is the last of the chain. */
export function typeOfUrn(urn: string): string {
    const typeChain = urn.split("::")[2] ?? "";
    return typeChain.split("$").pop()!;
}

/** The resource's name: everything after the type (a name may itself hold `::`). */
export function nameOfUrn(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

export function readPreviewPlan(text: string): PreviewPlan {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (err) {
        throw new PreviewInputError(
            `the input is not JSON (${(err as Error).message}); give the output of \`pulumi preview --json\``,
        );
    }
    if (!isObject(document))
        throw new PreviewInputError(
            "the input is not a `pulumi preview --json` document: not an object",
        );
    const { steps, diagnostics, changeSummary } = document;
    if (steps === undefined && diagnostics === undefined)
        throw new PreviewInputError(
            "the input is not a `pulumi preview --json` document: it has neither `steps` nor `diagnostics`",
        );
    return {
        steps: listOf(steps, "steps").map(readStep),
        diagnostics: listOf(diagnostics, "diagnostics").map(readDiagnostic),
        changeSummary: readChangeSummary(changeSummary),
    };
}

function readChangeSummary(summary: unknown): Record<string, number> {
    if (summary === undefined || summary === null) return {};
    if (
        !isObject(summary) ||
        Object.values(summary).some((count) => !Number.isInteger(count) || (count as number) < 0)
    )
        throw new PreviewInputError(
            "the input is not a `pulumi preview --json` document: `changeSummary` is not a count per operation",
        );
    return summary as Record<string, number>;
}

function readStep(step: unknown, index: number): PlanStep {
    const where = `steps[${index}]`;
    if (!isObject(step)) throw new PreviewInputError(`${where}: not an object`);
    const op = step.op;
    const urn = step.urn;
    if (typeof op !== "string" || op === "")
        throw new PreviewInputError(`${where}.op: missing or not a string`);
    if (typeof urn !== "string" || !urn.startsWith(URN_PREFIX) || urn.split("::").length < 4)
        throw new PreviewInputError(`${where}.urn: not a Pulumi URN (${String(urn).slice(0, 80)})`);
    const state = isObject(step.newState)
        ? step.newState
        : isObject(step.oldState)
          ? step.oldState
          : undefined;
    const stateType = state?.type;
    const parent = state?.parent;
    if (stateType !== undefined && stateType !== typeOfUrn(urn))
        throw new PreviewInputError(
            `${where}: the state's type ${String(stateType)} is not the type of its URN ${urn}`,
        );
    if (
        parent !== undefined &&
        parent !== "" &&
        (typeof parent !== "string" || !parent.startsWith(URN_PREFIX))
    )
        throw new PreviewInputError(`${where}: the state's parent is not a Pulumi URN`);
    return {
        op,
        urn,
        type: typeOfUrn(urn),
        ...(typeof parent === "string" && parent !== "" && { parent }),
    };
}

function readDiagnostic(diagnostic: unknown, index: number): PlanDiagnostic {
    const where = `diagnostics[${index}]`;
    if (!isObject(diagnostic) || typeof diagnostic.severity !== "string")
        throw new PreviewInputError(`${where}: not a diagnostic with a severity`);
    return {
        severity: diagnostic.severity,
        message: typeof diagnostic.message === "string" ? diagnostic.message : "",
        ...(typeof diagnostic.urn === "string" && { urn: diagnostic.urn }),
    };
}

function listOf(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value))
        throw new PreviewInputError(
            `the input is not a \`pulumi preview --json\` document: \`${field}\` is not a list`,
        );
    return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Recovery of a stack after an update died: plan everything first, reading only (locks, pending
 * operations, objects the state lacks), refuse before changing anything when one step is not
 * safe, then act through the Pulumi CLI: delete stale locks (`pulumi cancel`), drop pending
 * operations with a refresh (`--clear-pending-creates`, which also reconciles interrupted updates
 * and deletes; a plain refresh after an update that failed), and import what exists and is the
 * program's (`pulumi import --file`). A stack with nothing to recover is left untouched.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { checkpointSidecarVerdict } from "./checkpoint";
import { decide, Candidate } from "./decision";
import {
    lockVerdict,
    LockContext,
    StackLock,
    fileBackendFolder,
    readFileBackendLocks,
} from "./lock";
import { physicalIdentity, UNKNOWN_VALUE } from "./physical-id";
import type { PlatformProbe } from "./platform";
import type { PulumiCli } from "./pulumi-cli";
import { parseStackExport, StackState, tenantOfResource, tenantsInState, urnName } from "./state";

export interface RecoveryOptions {
    readonly project: string;
    readonly environment: string;
    readonly lockContext: LockContext;
    /** Look for objects the state lacks even without a sign of an interrupted update. */
    readonly scan: boolean;
}

export interface RecoveryReport {
    /** One line per lock or resource: what was found and what was done. */
    readonly lines: string[];
    /** Why recovery refused; empty when it did its work (or had none). */
    readonly refusals: string[];
    readonly changed: boolean;
}

/**
 * Step 0 of recovery, which the command also runs before anything reads the stack through the
 * CLI: on a file backend, an empty attributes file beside a whole checkpoint is removed (a line
 * says so); beside a broken checkpoint, a refusal says what a person does.
 */
export function repairCheckpoint(
    cli: PulumiCli,
    project: string,
): { readonly line?: string; readonly refusal?: string } {
    const folder = fileBackendFolder(cli.backendUrl(), os.homedir());
    if (folder === undefined) return {};
    const sidecar = checkpointSidecarVerdict(folder, project, cli.stack);
    if (sidecar.action === "refuse") return { refusal: sidecar.reason };
    if (sidecar.action === "remove") {
        fs.rmSync(sidecar.file);
        return { line: sidecar.reason };
    }
    return {};
}

/** Rounds of looking for objects the state lacks: each import makes the ids of their dependents known. */
const MAX_ROUNDS = 4;

export async function recoverStack(
    cli: PulumiCli,
    probe: PlatformProbe,
    options: RecoveryOptions,
): Promise<RecoveryReport> {
    const lines: string[] = [];
    const refusals: string[] = [];
    const refuse = (line: string) => {
        lines.push(line);
        refusals.push(line);
    };

    // 0. A checkpoint whose attributes file a kill left empty cannot be read at all.
    const repair = repairCheckpoint(cli, options.project);
    if (repair.refusal) {
        refuse(repair.refusal);
        return { lines, refusals, changed: false };
    }
    if (repair.line) lines.push(repair.line);
    const repairedCheckpoint = repair.line !== undefined;
    const backend = cli.backendUrl();
    const folder = fileBackendFolder(backend, os.homedir());

    // 1. Locks.
    let locks: StackLock[] = [];
    let cancelBlind = false;
    if (folder !== undefined) {
        locks = readFileBackendLocks(folder, options.project, cli.stack);
        for (const lock of locks) {
            const verdict = lockVerdict(lock, options.lockContext);
            (verdict.stale ? (l: string) => lines.push(l) : refuse)(
                `lock ${lock.file}: ${verdict.stale ? "stale" : "LIVE, refusing"}: ${verdict.reason}`,
            );
        }
    } else if (options.lockContext.deployJob) {
        cancelBlind = true;
        lines.push(
            `lock: ${backendKind(backend)} does not show its lock here; a deploy job runs alone on its stack, so any lock is an earlier job's: pulumi cancel`,
        );
    } else {
        lines.push(
            `lock: not checked on ${backendKind(backend)} (only a deploy job, which runs alone on its stack, cancels blindly)`,
        );
    }
    if (refusals.length > 0) return { lines, refusals, changed: repairedCheckpoint };

    // 2. Pending operations.
    let state = parseStackExport(cli.exportState());
    const pending = state.pendingOperations;
    const lastResult = cli.lastUpdateResult();
    const interrupted = locks.length > 0 || pending.length > 0 || lastResult === "failed";
    const tenants = new Set(tenantsInState(state));
    const ownerOf = (urn: string) => {
        const tenant = tenantOfResource(urn, tenants);
        return tenant === undefined ? undefined : { tenant, environment: options.environment };
    };
    const imports: ImportItem[] = [];
    const forgets: HelmRecords[] = [];
    for (const op of pending) {
        const label = `${shortUrn(op.resource.urn)}: pending ${op.type}`;
        if (op.type !== "creating") {
            lines.push(`${label}: the refresh reconciles it with what exists`);
            continue;
        }
        const candidate: Candidate = {
            urn: op.resource.urn,
            type: op.resource.type,
            inputs: op.resource.inputs ?? {},
            origin: "pending-create",
        };
        const action = await judge(candidate, probe, ownerOf);
        if (action.kind === "refuse") refuse(`${label}: refusing: ${action.reason}`);
        else if (action.kind === "forget-helm-record") {
            lines.push(
                `${label}: ${action.reason}: cleared, Helm's record forgotten, the next update installs it`,
            );
            forgets.push({ urn: op.resource.urn, ...action });
        } else if (action.kind === "import") {
            lines.push(`${label}: ${action.reason}: cleared, then imported as ${action.id}`);
            imports.push({
                urn: candidate.urn,
                type: candidate.type,
                id: action.id,
                parent: op.resource.parent,
                provider: op.resource.provider,
            });
        } else lines.push(`${label}: ${action.reason}: cleared`);
    }

    // 3. Objects the program declares and the state lacks, seen through a preview.
    const scanning = interrupted || cancelBlind || options.scan;
    const orphans = scanning
        ? await findMissing(cli, probe, state, ownerOf, [...imports, ...forgets])
        : { lines: [], refusals: [], imports: [], forgets: [], deferred: [] };
    lines.push(...orphans.lines);
    refusals.push(...orphans.refusals);
    if (refusals.length > 0)
        return { lines: [...lines, "nothing was changed"], refusals, changed: repairedCheckpoint };

    // 4. Act.
    let changed = repairedCheckpoint;
    if (locks.length > 0 || cancelBlind) {
        runCancel(cli, cancelBlind);
        changed = locks.length > 0;
    }
    if (pending.length > 0) {
        cli.run(
            ["refresh", "--yes", "--skip-preview", "--clear-pending-creates"],
            "clearing the pending operations",
        );
        lines.push(
            `refresh: ${pending.length} pending operation(s) cleared, the state reconciled with what exists`,
        );
        changed = true;
    } else if (lastResult === "failed") {
        // A provider that fails half-way may record the values it meant to set as if set (the
        // PostgreSQL provider does, for a role altered while the server stops); the next update
        // would then skip them. A refresh puts back what the platform holds.
        cli.run(
            ["refresh", "--yes", "--skip-preview"],
            "refreshing the state after a failed update",
        );
        lines.push("refresh: the last update failed; the state reconciled with what exists");
        changed = true;
    }
    for (const forget of [...forgets, ...orphans.forgets]) {
        await probe.forgetHelmRecords(forget.namespace, forget.records);
        lines.push(`helm: forgot ${forget.records.join(", ")} in ${forget.namespace}`);
        changed = true;
    }
    let toImport = [...imports, ...orphans.imports];
    let deferred = orphans.deferred;
    for (let round = 1; toImport.length > 0; round++) {
        importAll(cli, toImport);
        lines.push(
            `import: ${toImport.map((item) => `${shortUrn(item.urn)} (${item.id})`).join(", ")}`,
        );
        changed = true;
        if (deferred.length === 0 || round >= MAX_ROUNDS) break;
        state = parseStackExport(cli.exportState());
        const next = await findMissing(cli, probe, state, ownerOf, []);
        lines.push(...next.lines);
        if (next.refusals.length > 0) {
            refusals.push(...next.refusals);
            break;
        }
        for (const forget of next.forgets) {
            await probe.forgetHelmRecords(forget.namespace, forget.records);
            lines.push(`helm: forgot ${forget.records.join(", ")} in ${forget.namespace}`);
        }
        toImport = next.imports;
        deferred = next.deferred;
    }
    for (const line of deferred)
        lines.push(
            `${line}: its dependencies do not exist, so neither does it; the next update creates it`,
        );
    if (!changed && refusals.length === 0)
        lines.push(
            "nothing to recover: no lock, no pending operation, no object missing from the state",
        );
    return { lines, refusals, changed };
}

interface HelmRecords {
    readonly urn: string;
    readonly namespace: string;
    readonly records: readonly string[];
}

interface ImportItem {
    readonly urn: string;
    readonly type: string;
    readonly id: string;
    readonly parent?: string;
    readonly provider?: string;
}

async function judge(
    candidate: Candidate,
    probe: PlatformProbe,
    ownerOf: (urn: string) => { tenant: string; environment: string } | undefined,
) {
    const identity = physicalIdentity(candidate.type, candidate.inputs);
    const lookable = identity.kind !== "recreated" && identity.kind !== "unknown";
    const found = lookable ? await probe.find(identity) : undefined;
    return decide(candidate, identity, found, ownerOf(candidate.urn));
}

/** Custom resources a preview would create, judged one by one. */
async function findMissing(
    cli: PulumiCli,
    probe: PlatformProbe,
    state: StackState,
    ownerOf: (urn: string) => { tenant: string; environment: string } | undefined,
    handled: readonly { readonly urn: string }[],
): Promise<{
    lines: string[];
    refusals: string[];
    imports: ImportItem[];
    forgets: HelmRecords[];
    deferred: string[];
}> {
    const preview = JSON.parse(
        cli.run(["preview", "--json", "--suppress-progress"], "previewing the program"),
    ) as {
        steps?: Array<{
            op: string;
            urn: string;
            newState?: {
                type: string;
                custom?: boolean;
                inputs?: Record<string, unknown>;
                parent?: string;
                provider?: string;
            };
        }>;
    };
    const inState = new Set(state.resources.map((resource) => resource.urn));
    const result = {
        lines: [] as string[],
        refusals: [] as string[],
        imports: [] as ImportItem[],
        forgets: [] as HelmRecords[],
        deferred: [] as string[],
    };
    for (const step of preview.steps ?? []) {
        const planned = step.newState;
        if (step.op !== "create" || !planned?.custom || inState.has(step.urn)) continue;
        if (handled.some((item) => item.urn === step.urn)) continue;
        const candidate: Candidate = {
            urn: step.urn,
            type: planned.type,
            inputs: planned.inputs ?? {},
            origin: "missing-from-state",
        };
        const action = await judge(candidate, probe, ownerOf);
        const label = `${shortUrn(step.urn)}: not in the state`;
        switch (action.kind) {
            case "refuse":
                result.lines.push(`${label}: refusing: ${action.reason}`);
                result.refusals.push(`${label}: ${action.reason}`);
                break;
            case "import": {
                const provider = planned.provider?.split("::").slice(0, -1).join("::");
                if (
                    !planned.parent ||
                    !inState.has(planned.parent) ||
                    !provider ||
                    !inState.has(provider) ||
                    planned.provider?.endsWith(UNKNOWN_VALUE)
                ) {
                    result.lines.push(
                        `${label}: refusing: ${action.reason}, but its parent or provider is not in the state`,
                    );
                    result.refusals.push(`${label}: its parent or provider is not in the state`);
                    break;
                }
                result.lines.push(`${label}: ${action.reason}: imported as ${action.id}`);
                result.imports.push({
                    urn: step.urn,
                    type: planned.type,
                    id: action.id,
                    parent: planned.parent,
                    provider: planned.provider,
                });
                break;
            }
            case "defer":
                result.deferred.push(`${label}: ${action.reason}`);
                break;
            case "forget-helm-record":
                result.lines.push(
                    `${label}: ${action.reason}: Helm's record forgotten, the next update installs it`,
                );
                result.forgets.push({ urn: step.urn, ...action });
                break;
            default:
                // Absent: the next update creates it, as it would anyway.
                break;
        }
    }
    return result;
}

/** One `pulumi import --file` for every item: parents and providers by URN, nothing protected (the next update applies the program's options). */
function importAll(cli: PulumiCli, items: readonly ImportItem[]): void {
    const nameTable: Record<string, string> = {};
    const nameOf = (urn: string) => {
        const key =
            Object.keys(nameTable).find((name) => nameTable[name] === urn) ??
            `r${Object.keys(nameTable).length}`;
        nameTable[key] = urn;
        return key;
    };
    const resources = items.map((item) => ({
        type: item.type,
        name: urnName(item.urn),
        id: item.id,
        ...(item.parent && { parent: nameOf(item.parent) }),
        ...(item.provider && {
            provider: nameOf(item.provider.split("::").slice(0, -1).join("::")),
        }),
    }));
    cli.withJsonFile({ nameTable, resources }, (file) =>
        cli.run(
            [
                "import",
                "--file",
                file,
                "--yes",
                "--skip-preview",
                "--protect=false",
                "--generate-code=false",
            ],
            "importing what the killed update created",
        ),
    );
}

function runCancel(cli: PulumiCli, blind: boolean): void {
    try {
        cli.run(["cancel", "--yes"], "removing the stale lock");
    } catch (err) {
        // On a backend that holds no lock, a blind cancel has nothing to cancel.
        if (!blind || !/no (update|.*in progress)|not.*in progress/i.test((err as Error).message))
            throw err;
    }
}

const backendKind = (url: string): string =>
    url.startsWith("https://") ? "Pulumi Cloud" : `the ${url.split("://")[0]} backend`;

/** `<type>::<name>` of a URN, enough to tell a resource in a report. */
export const shortUrn = (urn: string): string => {
    const parts = urn.split("::");
    return `${parts[2]?.split("$").pop()}::${parts[3]}`;
};

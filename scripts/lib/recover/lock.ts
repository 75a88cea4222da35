/**
 * Stack locks of a self-managed (file) backend, and when one is stale. Pulumi writes one JSON
 * file per running update under `.pulumi/locks/<org>/<project>/<stack>/`, holding the process id,
 * user, host and start time of its holder, and deletes it when the update ends. A killed update
 * leaves it behind, and every later update then fails with "the stack is currently locked".
 *
 * A lock is stale, and may be deleted, only when no update can still be running under it:
 * - taken on this host: its process is gone (or the id now belongs to a process that is not Pulumi);
 * - taken on another host: it is older than the longest a deploy job may run (the job's timeout),
 *   or this is a deploy job, whose concurrency group runs one deploy per stack at a time, and the
 *   lock was taken by the same user as this job (another run of the deploy job, so it has ended).
 * Anything else may be live: a person's update from their own machine, or a lock that cannot be read.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface LockHolder {
    readonly pid: number;
    readonly username: string;
    readonly hostname: string;
    readonly timestamp: string;
}

export interface StackLock {
    /** The lock file, for the report. */
    readonly file: string;
    /** Undefined when the file is not a lock Pulumi wrote. */
    readonly holder?: LockHolder;
}

export interface LockContext {
    readonly now: Date;
    readonly hostname: string;
    readonly username: string;
    /** Whether `pid` on this host is a running Pulumi process: "pulumi", "other" (an id reused), or "none". */
    readonly processOnThisHost: (pid: number) => "pulumi" | "other" | "none";
    /** The caller is a deploy job, run one at a time per stack by its CI concurrency group. */
    readonly deployJob: boolean;
    /** No update runs longer than this (the deploy job's timeout). */
    readonly maxUpdateMinutes: number;
}

export type LockVerdict = { readonly stale: boolean; readonly reason: string };

export function lockVerdict(lock: StackLock, context: LockContext): LockVerdict {
    const holder = lock.holder;
    if (!holder)
        return { stale: false, reason: `${lock.file} is not a lock Pulumi wrote; look at it` };
    const who = `pid ${holder.pid} of ${holder.username}@${holder.hostname}, taken ${holder.timestamp}`;
    if (holder.hostname === context.hostname) {
        const process = context.processOnThisHost(holder.pid);
        if (process === "pulumi")
            return { stale: false, reason: `${who}: that update is still running` };
        return {
            stale: true,
            reason: `${who}: ${process === "none" ? "no such process on this host" : "that process id now belongs to another program"}`,
        };
    }
    const taken = Date.parse(holder.timestamp);
    if (Number.isNaN(taken)) return { stale: false, reason: `${who}: its time cannot be read` };
    const minutes = (context.now.getTime() - taken) / 60_000;
    if (minutes > context.maxUpdateMinutes)
        return {
            stale: true,
            reason: `${who}: ${Math.floor(minutes)} minutes old, longer than any update runs (${context.maxUpdateMinutes})`,
        };
    if (context.deployJob && holder.username === context.username)
        return {
            stale: true,
            reason: `${who}: an earlier deploy job's, and the deploy jobs of a stack run one at a time`,
        };
    return {
        stale: false,
        reason:
            `${who}: taken ${Math.max(0, Math.floor(minutes))} minutes ago on another host` +
            (context.deployJob ? ` by another user than this job's (${context.username})` : "") +
            "; it may belong to an update that is still running",
    };
}

/** Parses a lock file's content; undefined when it is not what Pulumi writes. */
export function parseLockHolder(text: string): LockHolder | undefined {
    try {
        const value = JSON.parse(text) as Partial<LockHolder>;
        if (
            typeof value === "object" &&
            value !== null &&
            Number.isInteger(value.pid) &&
            typeof value.username === "string" &&
            typeof value.hostname === "string" &&
            typeof value.timestamp === "string"
        )
            return value as LockHolder;
    } catch {
        // not JSON: reported as not a lock Pulumi wrote
    }
    return undefined;
}

/** The folder of a file backend (`file://<path>`), or undefined for any other backend. */
export function fileBackendFolder(backendUrl: string, home: string): string | undefined {
    if (!backendUrl.startsWith("file://")) return undefined;
    const rest = decodeURIComponent(backendUrl.slice("file://".length).split("?")[0]);
    return rest === "~" || rest.startsWith("~/") ? path.join(home, rest.slice(1)) : rest;
}

/** The locks of `project`/`stack` in a file backend's folder. */
export function readFileBackendLocks(folder: string, project: string, stack: string): StackLock[] {
    const locks = path.join(folder, ".pulumi", "locks");
    if (!fs.existsSync(locks)) return [];
    const found: StackLock[] = [];
    const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) visit(full);
            else if (
                entry.name.endsWith(".json") &&
                isLockOf(path.relative(locks, dir), project, stack)
            )
                found.push({ file: full, holder: parseLockHolder(fs.readFileSync(full, "utf8")) });
        }
    };
    visit(locks);
    return found;
}

/** Project-scoped stacks lock under `<org>/<project>/<stack>`, legacy ones under `<stack>`. */
function isLockOf(relativeDir: string, project: string, stack: string): boolean {
    const parts = relativeDir.split(path.sep);
    const name = stack.split("/").pop();
    return (
        parts[parts.length - 1] === name &&
        (parts.length === 1 || parts[parts.length - 2] === project)
    );
}

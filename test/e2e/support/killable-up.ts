/**
 * `pulumi up` as a deploy job runs it, in a process group of its own, stopped from outside at a
 * point of its own event stream: the N-th step of some kind, read from `--event-log` as the
 * engine writes it. The same point stops the same update the same way on every run, unlike a
 * sleep. SIGKILL goes to the whole group (the CLI, the language host, the program, the
 * providers), as when a runner dies; SIGINT to the CLI alone, as when a job is cancelled.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RealStack } from "./project";

/** One step start of the event stream. */
export interface StepStart {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
}

/**
 * Where to act on the update: once `count` steps matching `op` and `type` have started. It is
 * sent `signal`, or, with `act`, left running while `act` does something to the platform.
 */
export interface KillPoint {
    readonly label: string;
    readonly type: string;
    readonly op: string;
    readonly count: number;
    readonly signal: "SIGKILL" | "SIGINT" | "none";
    readonly act?: () => void;
}

export interface KilledUp {
    /** Whether the update reached the point (else it ran to its end). */
    readonly killed: boolean;
    readonly exitCode: number | null;
    readonly signal: NodeJS.Signals | null;
    /** Step starts seen before the kill. */
    readonly started: readonly StepStart[];
    /** Step ends (`resOutputsEvent`) seen before the kill: what the engine had recorded as done. */
    readonly done: number;
    readonly seconds: number;
    readonly output: string;
}

const matches = (point: KillPoint, step: StepStart) =>
    step.op === point.op && step.type === point.type;

/** Runs `pulumi <command>` on `stack` and stops it at `point`; resolves once every process of its group is gone. */
export async function runUntil(
    stack: RealStack,
    point: KillPoint,
    command: readonly string[] = ["up"],
): Promise<KilledUp> {
    const logDir = fs.mkdtempSync(path.join(stack.dir, ".events-"));
    const eventLog = path.join(logDir, "events.jsonl");
    const started = Date.now();
    const child = spawn(
        "pulumi",
        [
            ...command,
            "--yes",
            "--skip-preview",
            "--non-interactive",
            "--stack",
            stack.name,
            "--event-log",
            eventLog,
        ],
        {
            cwd: stack.dir,
            env: { ...process.env, ...stack.pulumiEnvironment(), PULUMI_DEBUG_COMMANDS: "true" },
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal })),
    );

    const steps: StepStart[] = [];
    let done = 0;
    let offset = 0;
    let partial = "";
    let killed = false;
    const readNew = () => {
        if (!fs.existsSync(eventLog)) return;
        const buffer = fs.readFileSync(eventLog);
        const text = partial + buffer.subarray(offset).toString("utf8");
        offset = buffer.length;
        const lines = text.split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
            if (killed || !line.trim()) continue;
            const event = JSON.parse(line);
            const metadata = event.resourcePreEvent?.metadata;
            if (event.resOutputsEvent) done++;
            if (!metadata) continue;
            const step = { op: metadata.op, urn: metadata.urn, type: metadata.type };
            steps.push(step);
            if (steps.filter((s) => matches(point, s)).length >= point.count) {
                killed = true;
                point.act?.();
                if (point.signal !== "none") stop(child, point.signal);
            }
        }
    };
    const timer = setInterval(readNew, 20);
    const { code, signal } = await exited;
    clearInterval(timer);
    if (!killed) readNew();
    await groupGone(child.pid!);
    fs.rmSync(logDir, { recursive: true, force: true });
    return {
        killed,
        exitCode: code,
        signal,
        started: steps,
        done,
        seconds: (Date.now() - started) / 1000,
        output,
    };
}

function stop(child: ChildProcess, signal: "SIGKILL" | "SIGINT"): void {
    // A runner that dies takes every process with it; a cancelled job signals the CLI.
    if (signal === "SIGKILL") process.kill(-child.pid!, "SIGKILL");
    else child.kill("SIGINT");
}

/** Waits until no process of the group is left (a provider the CLI started in it, say). */
async function groupGone(pgid: number, timeoutSeconds = 120): Promise<void> {
    for (
        const deadline = Date.now() + timeoutSeconds * 1000;
        Date.now() < deadline;
        await sleep(200)
    ) {
        const ps = spawnSync("ps", ["-e", "-o", "pgid="], { encoding: "utf8" });
        if (!ps.stdout.split("\n").some((line) => Number(line.trim()) === pgid)) return;
    }
    throw new Error(
        `processes of group ${pgid} still run ${timeoutSeconds} s after the update was stopped`,
    );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

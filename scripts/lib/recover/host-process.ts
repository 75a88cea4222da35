/** Whether a process id on this machine is a running Pulumi CLI: what a lock taken here is judged by. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

export function processOnThisHost(pid: number): "pulumi" | "other" | "none" {
    try {
        process.kill(pid, 0);
    } catch (err) {
        // EPERM: the process exists but belongs to another user.
        if ((err as NodeJS.ErrnoException).code !== "EPERM") return "none";
    }
    return /pulumi/i.test(commandOf(pid)) ? "pulumi" : "other";
}

function commandOf(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
        return (
            spawnSync("ps", ["-p", String(pid), "-o", "command="], { encoding: "utf8" }).stdout ??
            ""
        );
    }
}

/**
 * Loading image archives into the cluster's node, with the command the environment gives
 * (AIMS_E2E_LOAD_IMAGE): each archive once per run of the suite.
 */
import { execFileSync } from "node:child_process";
import { shellQuote } from "../../../../components/support/shell";

export const LOAD_IMAGE_SETTING = "AIMS_E2E_LOAD_IMAGE";

const loadedThisRun = new Set<string>();

export function loadImageCommand(env: NodeJS.ProcessEnv = process.env): string {
    const template = env[LOAD_IMAGE_SETTING];
    if (!template || !template.includes("{}")) {
        throw new Error(
            [
                `${LOAD_IMAGE_SETTING} ${template ? "has no {}" : "is not set"}: the end-to-end suite builds its stand-in tenant images as archives and needs a command that loads one into the cluster's node, with {} where the archive's path goes. For example:`,
                `  ${LOAD_IMAGE_SETTING}='kind load image-archive {}'`,
                `  ${LOAD_IMAGE_SETTING}='ctr --namespace k8s.io images import {}'   (on the node itself, with containerd)`,
            ].join("\n"),
        );
    }
    return template;
}

/** Runs the load command for the archive unless this process has loaded it already. */
export function loadImageArchive(archive: string, env: NodeJS.ProcessEnv = process.env): boolean {
    if (loadedThisRun.has(archive)) return false;
    const command = loadImageCommand(env).split("{}").join(shellQuote(archive));
    try {
        execFileSync("sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"], env });
    } catch (error) {
        const failed = error as { status?: number; stderr?: Buffer; stdout?: Buffer };
        throw new Error(
            `loading ${archive} failed (${LOAD_IMAGE_SETTING}: ${command}), exit ${failed.status}: ${String(failed.stderr ?? "")}${String(failed.stdout ?? "")}`,
        );
    }
    loadedThisRun.add(archive);
    return true;
}

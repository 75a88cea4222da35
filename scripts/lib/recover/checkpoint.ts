/**
 * The stack's checkpoint in a file backend. The backend writes the checkpoint itself atomically
 * (a temporary file, then a rename), but then writes its attributes to a sidecar file,
 * `<stack>.json.attrs`, in place. An update killed during that second write leaves the sidecar
 * empty, and every later command fails with "failed to load checkpoint: EOF" although the
 * checkpoint is whole. An empty sidecar holds nothing, and the backend reads a missing one as no
 * attributes, so it may be removed; only when the checkpoint next to it is whole JSON.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type SidecarVerdict =
    | { readonly action: "none" }
    | { readonly action: "remove"; readonly file: string; readonly reason: string }
    | { readonly action: "refuse"; readonly reason: string };

/** The checkpoint files of `project`/`stack` in a file backend's folder (project-scoped, or legacy). */
function checkpointFiles(folder: string, project: string, stack: string): string[] {
    const name = `${stack.split("/").pop()}.json`;
    const stacks = path.join(folder, ".pulumi", "stacks");
    return [path.join(stacks, project, name), path.join(stacks, name)].filter((file) =>
        fs.existsSync(file),
    );
}

export function checkpointSidecarVerdict(
    folder: string,
    project: string,
    stack: string,
): SidecarVerdict {
    for (const checkpoint of checkpointFiles(folder, project, stack)) {
        const sidecar = `${checkpoint}.attrs`;
        if (!fs.existsSync(sidecar) || fs.statSync(sidecar).size > 0) continue;
        try {
            JSON.parse(fs.readFileSync(checkpoint, "utf8"));
        } catch {
            return {
                action: "refuse",
                reason: `checkpoint ${checkpoint}: its attributes file is empty and the checkpoint is not whole JSON; restore it from ${checkpoint}.bak or the backend's history (docs/recovery.md)`,
            };
        }
        return {
            action: "remove",
            file: sidecar,
            reason: `checkpoint attributes ${sidecar}: empty (a write cut off by the kill), the checkpoint itself is whole: removed`,
        };
    }
    return { action: "none" };
}

/**
 * The git history the delivery commands read: commits named by refs, the files changed between
 * two commits, and file contents at a commit. Paths come NUL-separated (`-z`), so no file name
 * can be misread, and renames are never paired (`--no-renames`): a renamed file is a removal and
 * an addition, each judged on its own. A ref git does not know, or a history too shallow to hold
 * the merge base, fails with a message that says what to fetch.
 */
import { execFileSync } from "node:child_process";

/** One changed path, as `git diff --raw` gives it; a side without the file has mode "000000". */
export interface ChangedFile {
    /** A added, D deleted, M modified, T type changed (file, link, submodule). */
    readonly status: string;
    readonly path: string;
    readonly oldMode: string;
    readonly newMode: string;
    readonly oldBlob: string;
    readonly newBlob: string;
}

/** What a file at a commit is, from its git mode. */
export type FileKind = "absent" | "file" | "executable" | "symlink" | "submodule" | "other";

export class GitError extends Error {}

/** Large enough for any diff or batch of small files, small enough to fail before exhausting memory. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export function git(repoDir: string, args: readonly string[], input?: string): Buffer {
    try {
        return execFileSync("git", args, {
            cwd: repoDir,
            input,
            maxBuffer: MAX_OUTPUT_BYTES,
            stdio: ["pipe", "pipe", "pipe"],
        });
    } catch (err) {
        const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
        throw new GitError(`git ${args[0]} failed: ${stderr || (err as Error).message}`);
    }
}

/** The commit `ref` names; fails with `what` (e.g. "--changed-since") named when git does not know it. */
export function resolveCommit(repoDir: string, ref: string, what: string): string {
    try {
        return git(repoDir, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])
            .toString()
            .trim();
    } catch {
        throw new GitError(
            `${what}: ${JSON.stringify(ref)} is not a commit in this repository; fetch it first`,
        );
    }
}

/**
 * The merge base of `base` and `head`: the point the change started from, so that what the base
 * branch gained since is not counted as part of the change.
 */
export function mergeBase(repoDir: string, base: string, head: string): string {
    try {
        return git(repoDir, ["merge-base", base, head]).toString().trim();
    } catch {
        const shallow =
            git(repoDir, ["rev-parse", "--is-shallow-repository"]).toString().trim() === "true";
        throw new GitError(
            `no merge base between ${base.slice(0, 12)} and ${head.slice(0, 12)}` +
                (shallow
                    ? ": this clone is shallow and lacks it; fetch the whole history (actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 on GitLab, or git fetch --unshallow)"
                    : ": the two commits share no history"),
        );
    }
}

/** The repository's top folder must be the project's: the paths git gives are from the top. */
export function requireTopLevel(repoDir: string): void {
    let prefix: string;
    try {
        prefix = git(repoDir, ["rev-parse", "--show-prefix"]).toString().trim();
    } catch {
        throw new GitError(`${repoDir} is not inside a git repository`);
    }
    if (prefix !== "") {
        throw new GitError(
            `run this from the repository's top folder (this is its subfolder ${prefix})`,
        );
    }
}

/** Every file that differs between the commits `from` and `to`, in path order. */
export function changedFiles(repoDir: string, from: string, to: string): ChangedFile[] {
    const out = git(repoDir, [
        "diff",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--no-ext-diff",
        "--ignore-submodules=none",
        from,
        to,
        "--",
    ]).toString("utf8");
    const fields = out.split("\0");
    const changes: ChangedFile[] = [];
    // Each entry is ":<old mode> <new mode> <old blob> <new blob> <status>" NUL "<path>" NUL.
    for (let i = 0; i + 1 < fields.length; i += 2) {
        const [oldMode, newMode, oldBlob, newBlob, status] = fields[i].replace(/^:/, "").split(" ");
        changes.push({
            status: status[0],
            path: fields[i + 1],
            oldMode,
            newMode,
            oldBlob,
            newBlob,
        });
    }
    return changes;
}

/** A change's verb: what happened to the file. */
export function verbOf(file: ChangedFile): string {
    switch (file.status) {
        case "A":
            return "added";
        case "D":
            return "removed";
        case "M":
            return "modified";
        case "T":
            return "changed type";
        default:
            return `changed (${file.status})`;
    }
}

export function kindOfMode(mode: string): FileKind {
    switch (mode) {
        case "000000":
            return "absent";
        case "100644":
            return "file";
        case "100755":
            return "executable";
        case "120000":
            return "symlink";
        case "160000":
            return "submodule";
        default:
            return "other";
    }
}

/**
 * The contents of `blobs`, each read only when at most `maxBytes` long; a larger one maps to its
 * size instead, so that no file in a pull request can make the command read gigabytes.
 */
export function readBlobs(
    repoDir: string,
    blobs: readonly string[],
    maxBytes: number,
): Map<string, Buffer | number> {
    const unique = [...new Set(blobs)];
    const result = new Map<string, Buffer | number>();
    if (unique.length === 0) return result;
    const sizes = git(
        repoDir,
        ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
        unique.join("\n") + "\n",
    )
        .toString()
        .trim()
        .split("\n")
        .map((line) => line.split(" "));
    const small: string[] = [];
    for (const [blob, size] of sizes) {
        if (size === "missing") throw new GitError(`git object ${blob} is missing from this clone`);
        if (Number(size) > maxBytes) result.set(blob, Number(size));
        else small.push(blob);
    }
    if (small.length === 0) return result;
    const out = git(repoDir, ["cat-file", "--batch"], small.join("\n") + "\n");
    // Each object is "<blob> blob <size>\n<content>\n".
    let offset = 0;
    while (offset < out.length) {
        const headerEnd = out.indexOf(0x0a, offset);
        const [blob, , size] = out.subarray(offset, headerEnd).toString().split(" ");
        const start = headerEnd + 1;
        result.set(blob, out.subarray(start, start + Number(size)));
        offset = start + Number(size) + 1;
    }
    return result;
}

/** The entries of the commit's top folder: name, mode and object. */
export function topLevelEntries(
    repoDir: string,
    commit: string,
): { readonly name: string; readonly mode: string; readonly object: string }[] {
    return git(repoDir, ["ls-tree", "-z", commit])
        .toString("utf8")
        .split("\0")
        .filter((entry) => entry !== "")
        .map((entry) => {
            const tab = entry.indexOf("\t");
            const [mode, , object] = entry.slice(0, tab).split(" ");
            return { name: entry.slice(tab + 1), mode, object };
        });
}

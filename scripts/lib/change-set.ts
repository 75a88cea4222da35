/**
 * A change as the delivery commands judge it: every file that differs between the merge base of
 * a base ref and a head ref, and the head. What the base branch gained since the change branched
 * off is not part of the change.
 */
import { ChangedFile, changedFiles, mergeBase, requireTopLevel, resolveCommit } from "./git";

export interface ChangeSet {
    /** The merge base: the commit the change started from. */
    readonly base: string;
    readonly head: string;
    readonly files: readonly ChangedFile[];
}

export interface ChangeRefs {
    readonly base: string;
    readonly head: string;
    /** The options the refs came from, for messages: ["--changed-since", "--head"]. */
    readonly options: readonly [string, string];
}

export function readChangeSet(repoDir: string, refs: ChangeRefs): ChangeSet {
    requireTopLevel(repoDir);
    const base = resolveCommit(repoDir, refs.base, refs.options[0]);
    const head = resolveCommit(repoDir, refs.head, refs.options[1]);
    const start = mergeBase(repoDir, base, head);
    return { base: start, head, files: changedFiles(repoDir, start, head) };
}

/**
 * The version a ring had before its current one, from the git history of its stack file: the
 * newest committed value older than the current version. The stack file is what was reviewed and
 * deployed, and reading it needs no access to the Pulumi backend.
 */
import * as yaml from "js-yaml";
import { git } from "../git";
import { compareTags } from "../../../components/vocabulary/versions";

/** Commits looked at, newest first: far more than a ring's versions between two rollbacks. */
const MAX_COMMITS = 500;

export function earlierRingVersion(
    repoDir: string,
    file: string,
    ring: string,
    current: string,
): string | undefined {
    const commits = git(repoDir, ["log", `-n${MAX_COMMITS}`, "--format=%H", "--", file])
        .toString()
        .split("\n")
        .filter(Boolean);
    for (const commit of commits) {
        const version = ringVersionIn(git(repoDir, ["show", `${commit}:${file}`]).toString(), ring);
        if (version !== undefined && (compareTags(version, current) ?? 0) < 0) return version;
    }
    return undefined;
}

function ringVersionIn(text: string, ring: string): string | undefined {
    try {
        const document = yaml.load(text) as { config?: Record<string, unknown> } | undefined;
        const rings = document?.config?.["aims:rings"];
        if (!Array.isArray(rings)) return undefined;
        const found = rings.find((r: { name?: unknown } | null) => r?.name === ring) as
            { version?: unknown } | undefined;
        return typeof found?.version === "string" ? found.version : undefined;
    } catch {
        return undefined;
    }
}

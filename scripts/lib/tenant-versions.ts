/**
 * The changed tenant files of a change, read at both of its commits and validated as the program
 * validates them, one file at a time: the tenant before and after the change, no file, or why
 * the file is not a valid tenant (a link, a submodule, too large, a problem of the schema or the
 * rules).
 */
import {
    MAX_TENANT_FILE_BYTES,
    parseTenantFile,
    TenantSpec,
} from "../../components/tenant-files/registry";
import { ChangedFile, kindOfMode, readBlobs } from "./git";
import { TENANT_FILE } from "./change-scope";

export type TenantVersion =
    | { readonly state: "absent" }
    | { readonly state: "tenant"; readonly tenant: TenantSpec }
    /** `problems` as the program words them, without the leading file name. */
    | { readonly state: "invalid"; readonly problems: readonly string[] };

export interface TenantChange {
    readonly change: ChangedFile;
    readonly before: TenantVersion;
    readonly after: TenantVersion;
}

/** The changes to tenant files among `changes`, each with both versions, in path order. */
export function tenantChanges(repoDir: string, changes: readonly ChangedFile[]): TenantChange[] {
    const tenantFiles = changes.filter((change) => TENANT_FILE.test(change.path));
    const contents = readBlobs(
        repoDir,
        tenantFiles.flatMap((change) => [
            ...(hasContent(change.oldMode) ? [change.oldBlob] : []),
            ...(hasContent(change.newMode) ? [change.newBlob] : []),
        ]),
        MAX_TENANT_FILE_BYTES,
    );
    return tenantFiles.map((change) => ({
        change,
        before: versionOf(change.path, change.oldMode, contents.get(change.oldBlob)),
        after: versionOf(change.path, change.newMode, contents.get(change.newBlob)),
    }));
}

const hasContent = (mode: string) => ["file", "executable"].includes(kindOfMode(mode));

function versionOf(
    file: string,
    mode: string,
    content: Buffer | number | undefined,
): TenantVersion {
    switch (kindOfMode(mode)) {
        case "absent":
            return { state: "absent" };
        case "symlink":
            return invalid("a symbolic link, which the program refuses to read");
        case "submodule":
            return invalid("a submodule, not a file");
        case "other":
            return invalid(`not a regular file (git mode ${mode})`);
    }
    if (typeof content === "number") {
        return invalid(
            `the file is ${content} bytes, over the ${MAX_TENANT_FILE_BYTES}-byte limit of a tenant file`,
        );
    }
    const { tenant, problems } = parseTenantFile(file, content ?? "");
    if (tenant) return { state: "tenant", tenant };
    const prefix = `${file}: `;
    return {
        state: "invalid",
        problems: problems.map((problem) =>
            problem.startsWith(prefix) ? problem.slice(prefix.length) : problem,
        ),
    };
}

const invalid = (problem: string): TenantVersion => ({ state: "invalid", problems: [problem] });

/**
 * The base domain of every stack of the project. The program gets only its own stack's config,
 * but the stack files sit next to it in the repository, so it reads `aims:baseDomain` from each
 * to check hosts across environments. A file it cannot read is left out: that stack's own
 * validation reports it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { StackDomain } from "../tenant-files/hosts";

const STACK_FILE = /^Pulumi\.[^/]+\.yaml$/;
/** Far above any stack file; a larger one is not read. */
const MAX_STACK_FILE_BYTES = 1024 * 1024;

/** Base domains of the stack files in `projectDir`, with `running`'s own (from its config) in place of its file's. */
export function projectStackDomains(projectDir: string, running: StackDomain): StackDomain[] {
    const others = fs
        .readdirSync(projectDir)
        .filter((file) => STACK_FILE.test(file) && file !== running.file)
        .sort()
        .flatMap((file) => {
            const baseDomain = readBaseDomain(path.join(projectDir, file));
            return baseDomain === undefined ? [] : [{ file, baseDomain }];
        });
    return [running, ...others];
}

function readBaseDomain(file: string): string | undefined {
    try {
        const stats = fs.lstatSync(file);
        if (!stats.isFile() || stats.size > MAX_STACK_FILE_BYTES) return undefined;
        const document = yaml.load(fs.readFileSync(file, "utf8")) as
            { config?: Record<string, unknown> } | undefined;
        const baseDomain = document?.config?.["aims:baseDomain"];
        return typeof baseDomain === "string" ? baseDomain : undefined;
    } catch {
        return undefined;
    }
}

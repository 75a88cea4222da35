/**
 * The stacks of a commit, by the same discovery as `npm run stacks` on a checkout: the commit's
 * Pulumi.<stack>.yaml files are written to a temporary folder, as a checkout would have them (a
 * link stays a link, which discovery refuses), and read there.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MAX_STACK_FILE_BYTES } from "../../components/stack/project-stacks";
import { discoverStacks, DiscoveredStack } from "./stack-groups";
import { throwIfProblems } from "../../components/support/errors";
import { FileKind, kindOfMode, readBlobs, topLevelEntries } from "./git";

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;
/** The entries whose content is read: files, and links (their content is the target). */
const READ: readonly FileKind[] = ["file", "executable", "symlink"];

export function stacksAtCommit(repoDir: string, commit: string): DiscoveredStack[] {
    const entries = topLevelEntries(repoDir, commit).filter((entry) => STACK_FILE.test(entry.name));
    const withContent = entries.filter((entry) => READ.includes(kindOfMode(entry.mode)));
    const contents = readBlobs(
        repoDir,
        withContent.map((entry) => entry.object),
        MAX_STACK_FILE_BYTES,
    );
    const oversized = withContent.filter((entry) => typeof contents.get(entry.object) === "number");
    throwIfProblems(
        oversized.map(
            (entry) =>
                `${entry.name}: is ${contents.get(entry.object)} bytes, over the ${MAX_STACK_FILE_BYTES} bytes a stack file may have`,
        ),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-stacks-"));
    try {
        for (const entry of entries) {
            const file = path.join(dir, entry.name);
            const content = contents.get(entry.object) as Buffer | undefined;
            const kind = kindOfMode(entry.mode);
            if (kind === "symlink") fs.symlinkSync(String(content), file);
            else if (content === undefined)
                fs.mkdirSync(file); // a folder or a submodule
            else fs.writeFileSync(file, content);
        }
        return discoverStacks(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

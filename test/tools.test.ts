/**
 * The pinned tools (scripts/lib/tools.ts): the installed binaries are the pinned versions, only
 * those are ever used, the installer builds them with the real `go install` and says what went
 * wrong when it cannot, and no file of the project names another version.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/support/project-root";
import { builtModuleVersion, installMissingTools, installTool } from "../scripts/lib/install-tools";
import { findTool, requireTool, toolPath, TOOLS } from "../scripts/lib/tools";

/** Folders of the project that are not its own files. */
const NOT_THE_PROJECT = new Set([".git", ".cache", "node_modules", "out", "bin"]);

const withTemporaryDir = async (use: (dir: string) => Promise<void> | void): Promise<void> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-tools-"));
    try {
        await use(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
};

function projectFiles(dir = PROJECT_ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) return NOT_THE_PROJECT.has(entry.name) ? [] : projectFiles(file);
        return entry.isFile() ? [file] : [];
    });
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("tools: the pinned helm, kube-score and actionlint", function () {
    this.timeout(300_000);

    it("are installed at exactly the pinned module versions", () => {
        for (const tool of Object.values(TOOLS)) {
            const binary = requireTool(tool.name);
            assert.equal(binary, toolPath(tool));
            assert.equal(builtModuleVersion(binary), `${tool.module} ${tool.version}`, tool.name);
        }
    });

    it("are looked up only in their version's folder, never on the PATH", async () => {
        await withTemporaryDir((dir) => {
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "helm"), "#!/bin/sh\necho v3.0.0\n", { mode: 0o755 });
            const env = { ...process.env, PATH: bin, AIMS_TOOLS_DIR: path.join(dir, "tools") };
            assert.equal(findTool("helm", env), undefined);
            const expected = path.join(dir, "tools", `helm-${TOOLS.helm.version}`, "helm");
            assert.throws(() => requireTool("helm", env), {
                message:
                    `helm ${TOOLS.helm.version} is not installed (expected ${expected}): ` +
                    "`npm run tools` installs it with `go install`, and so does `npm test`",
            });
        });
    });

    it("cannot be installed without go: the message says what to install", async () => {
        await withTemporaryDir(async (dir) => {
            const env = { ...process.env, PATH: dir, AIMS_TOOLS_DIR: path.join(dir, "tools") };
            const pinned = Object.values(TOOLS).map((tool) => `${tool.name} ${tool.version}`);
            await assert.rejects(
                installMissingTools(env, () => undefined),
                (err: Error) => {
                    assert.match(
                        err.message,
                        /^go is not installed or does not run \(.*ENOENT\): /,
                    );
                    assert.ok(
                        err.message.endsWith(
                            `: the tests need ${pinned.join(", ")}, which they build with \`go install\`. ` +
                                "Install Go 1.26 or later (https://go.dev/doc/install), put it on the PATH " +
                                "and run the tests again.",
                        ),
                        err.message,
                    );
                    return true;
                },
            );
            assert.equal(fs.existsSync(path.join(dir, "tools")), false);
        });
    });

    it("installs a tool with go install into its version's folder, reporting progress", async () => {
        await withTemporaryDir(async (dir) => {
            const env = { ...process.env, AIMS_TOOLS_DIR: dir };
            const lines: string[] = [];
            const binary = await installTool(TOOLS.actionlint, env, (line) => lines.push(line));
            assert.equal(
                binary,
                path.join(dir, `actionlint-${TOOLS.actionlint.version}`, "actionlint"),
            );
            assert.equal(findTool("actionlint", env), binary);
            assert.equal(
                builtModuleVersion(binary),
                `github.com/rhysd/actionlint ${TOOLS.actionlint.version}`,
            );
            assert.deepEqual(fs.readdirSync(dir), [`actionlint-${TOOLS.actionlint.version}`]);
            assert.equal(
                lines[0],
                `  go install github.com/rhysd/actionlint/cmd/actionlint@${TOOLS.actionlint.version}`,
            );
            assert.match(lines[lines.length - 1], /^ {2}actionlint v[\d.]+ installed in \d+ s$/);
        });
    });

    it("leaves nothing behind when go install fails, and shows go's message", async () => {
        await withTemporaryDir(async (dir) => {
            // A version that exists nowhere, with module downloads turned off: go fails at once.
            const env = { ...process.env, AIMS_TOOLS_DIR: dir, GOPROXY: "off" };
            const unknown = { ...TOOLS.actionlint, version: "v0.0.1" };
            await assert.rejects(
                installTool(unknown, env, () => undefined),
                /^Error: go install github\.com\/rhysd\/actionlint\/cmd\/actionlint@v0\.0\.1 failed \(exit 1\):\n.*GOPROXY=off/,
            );
            assert.deepEqual(fs.readdirSync(dir), []);
        });
    });

    it("are named nowhere in the project at another version", () => {
        const mentions: string[] = [];
        for (const file of projectFiles()) {
            const text = fs.readFileSync(file, "utf8");
            for (const tool of Object.values(TOOLS)) {
                // <tool> v1.2.3, cmd/<tool>@v1.2.3, <tool>-v1.2.3, `<tool>` v1.2.3, [<tool>](link) v1.2.3
                const named = new RegExp(
                    `\\b${escape(tool.name)}\`?(?:\\]\\([^)\\s]*\\))?[ @-](v\\d+\\.\\d+\\.\\d+)\\b`,
                    "g",
                );
                for (const [, version] of text.matchAll(named)) {
                    const where = path.relative(PROJECT_ROOT, file);
                    assert.equal(version, tool.version, `${where} names ${tool.name} ${version}`);
                    mentions.push(`${where}: ${tool.name}`);
                }
            }
        }
        // The check reads the files: the scan's documentation names the kube-score it runs.
        assert.ok(
            mentions.includes(path.join("security", "accepted-findings.md") + ": kube-score"),
        );
    });
});

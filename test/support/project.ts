/**
 * A throw-away copy of the project for tests that run the program or a CLI against other
 * tenant files: index.ts and the stack files are copied (so `__dirname/tenants` is the copy's),
 * the code and node_modules are linked.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";

const LINKED = ["components", "scripts", "schema", "charts", "node_modules"];
const COPIED = [
    "index.ts",
    "package.json",
    "tsconfig.json",
    "Pulumi.yaml",
    "Pulumi.dev.yaml",
    "Pulumi.sit.yaml",
    "Pulumi.prod.yaml",
    ".gitlab-ci.yml",
];

export interface ProjectCopy {
    readonly dir: string;
    /** Runs `node scripts/<script>.ts args...` in the copy, as `npm run <script>` would. */
    run(
        script: "synth" | "tenant" | "stacks" | "gitlab-pipeline",
        ...args: string[]
    ): { status: number; stdout: string; stderr: string };
    remove(): void;
}

/** `tenants`: file name -> content; by default the real tenant files. */
export function copyProject(tenants?: Record<string, string>): ProjectCopy {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-project-"));
    for (const entry of LINKED) {
        if (fs.existsSync(path.join(PROJECT_ROOT, entry)))
            fs.symlinkSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry));
    }
    for (const entry of COPIED)
        fs.copyFileSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry));
    const tenantsDir = path.join(dir, "tenants");
    fs.mkdirSync(tenantsDir);
    const files =
        tenants ??
        Object.fromEntries(
            fs
                .readdirSync(path.join(PROJECT_ROOT, "tenants"))
                .filter((file) => file.endsWith(".yaml"))
                .map((file) => [
                    file,
                    fs.readFileSync(path.join(PROJECT_ROOT, "tenants", file), "utf8"),
                ]),
        );
    for (const [file, content] of Object.entries(files))
        fs.writeFileSync(path.join(tenantsDir, file), content);
    return {
        dir,
        run(script, ...args) {
            const result = spawnSync(
                process.execPath,
                [
                    "-r",
                    "ts-node/register/transpile-only",
                    path.join(PROJECT_ROOT, "scripts", `${script}.ts`),
                    ...args,
                ],
                {
                    cwd: dir,
                    encoding: "utf8",
                    env: {
                        ...process.env,
                        TS_NODE_PROJECT: path.join(PROJECT_ROOT, "tsconfig.json"),
                    },
                },
            );
            return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
        },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

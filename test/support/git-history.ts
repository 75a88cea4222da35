/**
 * A throw-away git repository with a small copy of the project, for the commands that read git
 * history (affected stacks, the signup lane): four stack files (dev, sit, and prod in two
 * shards), three tenants, and one file of each other kind (the program, the chart, a document,
 * a test, a workflow), committed on `main`. Tests then branch, change and commit as a pull
 * request would.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";

/** A shard stack file: only what discovery reads. */
export const stackFile = (environment: string, shard: number) =>
    `config:\n  aims:environment: ${environment}\n  aims:stackShard: ${shard}\n`;

/** A valid tenant file. */
export function tenantFile(
    name: string,
    fields: { environments?: string[]; stackShard?: Record<string, number>; extra?: string } = {},
): string {
    return [
        `name: ${name}`,
        `displayName: ${name} school`,
        "plan: small",
        ...(fields.environments ? [`environments: [${fields.environments.join(", ")}]`] : []),
        ...(fields.stackShard
            ? [
                  `stackShard: { ${Object.entries(fields.stackShard)
                      .map(([env, shard]) => `${env}: ${shard}`)
                      .join(", ")} }`,
              ]
            : []),
        ...(fields.extra ? [fields.extra] : []),
        "",
    ].join("\n");
}

/**
 * On main: alpha in dev, sit and prod (shard 1 everywhere), beta in sit and prod shard 2, gamma
 * in dev only; stacks dev, sit, prod (prod shard 1) and prod-2 (prod shard 2).
 */
export const BASE_FILES: Readonly<Record<string, string>> = {
    "Pulumi.yaml": "name: aims\nruntime: nodejs\n",
    "Pulumi.dev.yaml": stackFile("dev", 1),
    "Pulumi.sit.yaml": stackFile("sit", 1),
    "Pulumi.prod.yaml": stackFile("prod", 1),
    "Pulumi.prod-2.yaml": stackFile("prod", 2),
    "tenants/alpha.yaml": tenantFile("alpha"),
    "tenants/beta.yaml": tenantFile("beta", {
        environments: ["sit", "prod"],
        stackShard: { prod: 2 },
    }),
    "tenants/gamma.yaml": tenantFile("gamma", { environments: ["dev"] }),
    "index.ts": "export = async () => ({});\n",
    "charts/tenant/values.yaml": "replicas: 1\n",
    "docs/delivery.md": "# Delivery\n",
    "README.md": "# aims\n",
    "test/stacks.test.ts": "// a test\n",
    ".github/workflows/preview.yml": "name: preview\n",
};

/** The commands that read git history. */
export type HistoryScript = "stacks" | "lane" | "gitlab-pipeline";

export interface GitHistory {
    readonly dir: string;
    git(...args: string[]): string;
    /** Writes each file (creating folders). */
    write(files: Readonly<Record<string, string>>): void;
    remove(...files: string[]): void;
    /** Stages everything and commits; returns the commit. */
    commit(message: string): string;
    /** Runs `node scripts/<script>.ts args...` in the repository, as `npm run <script>` would. */
    run(
        script: HistoryScript,
        ...args: string[]
    ): { status: number; stdout: string; stderr: string };
    cleanup(): void;
}

/** Git with no user or system configuration, so that nothing on the machine changes the answers. */
const GIT_ENV = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: os.devNull,
    GIT_AUTHOR_NAME: "test",
    GIT_AUTHOR_EMAIL: "test@example.org",
    GIT_COMMITTER_NAME: "test",
    GIT_COMMITTER_EMAIL: "test@example.org",
};

/** Runs `node scripts/<script>.ts args...` in `dir`, as `npm run <script>` would. */
export function runScript(
    dir: string,
    script: HistoryScript,
    ...args: string[]
): { status: number; stdout: string; stderr: string } {
    const result = spawnSync(
        process.execPath,
        [
            "-r",
            require.resolve("ts-node/register/transpile-only"),
            path.join(PROJECT_ROOT, "scripts", `${script}.ts`),
            ...args,
        ],
        {
            cwd: dir,
            encoding: "utf8",
            env: { ...GIT_ENV, TS_NODE_PROJECT: path.join(PROJECT_ROOT, "tsconfig.json") },
        },
    );
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A new repository on `main` with BASE_FILES committed. */
export function gitHistory(): GitHistory {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-history-"));
    const history: GitHistory = {
        dir,
        git: (...args) =>
            execFileSync("git", args, { cwd: dir, env: GIT_ENV, encoding: "utf8" }).trim(),
        write(files) {
            for (const [file, content] of Object.entries(files)) {
                fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
                fs.writeFileSync(path.join(dir, file), content);
            }
        },
        remove: (...files) => files.forEach((file) => fs.rmSync(path.join(dir, file))),
        commit(message) {
            history.git("add", "-A");
            history.git("commit", "-q", "--allow-empty", "-m", message);
            return history.git("rev-parse", "HEAD");
        },
        run: (script, ...args) => runScript(dir, script, ...args),
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
    history.git("init", "-q", "-b", "main");
    history.write(BASE_FILES);
    history.commit("the project");
    return history;
}

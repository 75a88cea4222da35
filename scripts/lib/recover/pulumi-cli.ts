/**
 * The Pulumi CLI on one stack, run in the project folder with the caller's environment (backend,
 * passphrase or access token). Output is captured; a command's own output is never printed, as a
 * refresh or an import could show values of the state.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export class PulumiCli {
    constructor(
        readonly stack: string,
        private readonly cwd: string,
        private readonly env: NodeJS.ProcessEnv = process.env,
    ) {}

    /** Runs `pulumi <args> --stack <stack> --non-interactive`; throws with its error output when it fails. */
    run(args: readonly string[], what: string): string {
        const result = spawnSync("pulumi", [...args, "--stack", this.stack, "--non-interactive"], {
            cwd: this.cwd,
            env: { ...this.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
        });
        if (result.error) throw new Error(`${what}: could not run pulumi: ${result.error.message}`);
        if (result.status !== 0)
            throw new Error(
                `${what} failed (pulumi ${args[0]}, exit ${result.status}):\n${lastLines(result.stderr || result.stdout)}`,
            );
        return result.stdout;
    }

    exportState(): string {
        return this.run(["stack", "export"], "reading the stack's state");
    }

    /** The result of the stack's last recorded update ("succeeded", "failed", ...), or undefined when it has none. */
    lastUpdateResult(): string | undefined {
        const history = JSON.parse(
            this.run(
                ["stack", "history", "--json", "--page-size", "1"],
                "reading the stack's history",
            ),
        ) as { kind?: string; result?: string }[] | null;
        return history?.[0]?.result;
    }

    /** A plain config value at `key` (a path), or undefined when unset. */
    config(key: string): string | undefined {
        const result = spawnSync(
            "pulumi",
            ["config", "get", "--path", key, "--stack", this.stack, "--non-interactive"],
            { cwd: this.cwd, env: this.env, encoding: "utf8" },
        );
        return result.status === 0 ? result.stdout.replace(/\n$/, "") : undefined;
    }

    /** The backend's URL, as `pulumi whoami` reports it. */
    backendUrl(): string {
        const result = spawnSync("pulumi", ["whoami", "--output", "json", "--non-interactive"], {
            cwd: this.cwd,
            env: this.env,
            encoding: "utf8",
        });
        if (result.status !== 0)
            throw new Error(`pulumi whoami failed:\n${lastLines(result.stderr)}`);
        return (JSON.parse(result.stdout) as { url: string }).url;
    }

    /** Runs `pulumi <args>` with a JSON file holding `content` as its last argument. */
    withJsonFile<T>(content: unknown, use: (file: string) => T): T {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-recover-"));
        const file = path.join(dir, "input.json");
        fs.writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
        try {
            return use(file);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
}

function lastLines(text: string, count = 15): string {
    return text.trim().split("\n").slice(-count).join("\n");
}

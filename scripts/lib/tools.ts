/**
 * The command-line tools the tests and synth run: helm (renders the tenant chart), kube-score
 * (the security scan) and actionlint (lints the workflows). Their versions are pinned here and
 * nowhere else. Each is built with `go install` into its own folder of a per-user cache, named
 * after its version, and looked up only there: a different version on the PATH is never used.
 * The tests install what is missing before they start (test/support/install-tools.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface GoTool {
    readonly name: string;
    /** The package `go install` builds. */
    readonly goPackage: string;
    /** The module of that package: `go version -m` reports its version for the binary. */
    readonly module: string;
    readonly version: string;
}

export const TOOLS = {
    helm: {
        name: "helm",
        goPackage: "helm.sh/helm/v3/cmd/helm",
        module: "helm.sh/helm/v3",
        version: "v3.21.4",
    },
    "kube-score": {
        name: "kube-score",
        goPackage: "github.com/zegl/kube-score/cmd/kube-score",
        module: "github.com/zegl/kube-score",
        version: "v1.20.0",
    },
    actionlint: {
        name: "actionlint",
        goPackage: "github.com/rhysd/actionlint/cmd/actionlint",
        module: "github.com/rhysd/actionlint",
        version: "v1.7.12",
    },
} as const satisfies Record<string, GoTool>;

export type ToolName = keyof typeof TOOLS;

/** The project's per-user cache: $XDG_CACHE_HOME/aims-tenants, else ~/.cache/aims-tenants. */
export function projectCacheHome(env: NodeJS.ProcessEnv = process.env): string {
    const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(cache, "aims-tenants");
}

/** The cache of every installed version: AIMS_TOOLS_DIR, else ~/.cache/aims-tenants/tools. */
export function toolsHome(env: NodeJS.ProcessEnv = process.env): string {
    if (env.AIMS_TOOLS_DIR) return path.resolve(env.AIMS_TOOLS_DIR);
    return path.join(projectCacheHome(env), "tools");
}

/** The folder of one pinned version, such as `helm-v3.21.4`: it holds that binary only. */
export function toolFolder(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string {
    return path.join(toolsHome(env), `${tool.name}-${tool.version}`);
}

export function executableName(tool: GoTool): string {
    return process.platform === "win32" ? `${tool.name}.exe` : tool.name;
}

export function toolPath(tool: GoTool, env: NodeJS.ProcessEnv = process.env): string {
    return path.join(toolFolder(tool, env), executableName(tool));
}

/** The pinned binary of the tool, or undefined when it has not been installed yet. */
export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const file = toolPath(TOOLS[name], env);
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile() ? file : undefined;
    } catch {
        return undefined;
    }
}

/** The pinned binary of the tool; throws saying how to install it when it is missing. */
export function requireTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
    const found = findTool(name, env);
    if (!found) throw new Error(missingToolMessage(name, env));
    return found;
}

export function missingToolMessage(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
    const tool = TOOLS[name];
    return (
        `${tool.name} ${tool.version} is not installed (expected ${toolPath(tool, env)}): ` +
        "`npm run tools` installs it with `go install`, and so does `npm test`"
    );
}

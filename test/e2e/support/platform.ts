/**
 * What the end-to-end suite needs from the machine: `pulumi` on the PATH (with the kubernetes,
 * postgresql, random and command providers it can find), a kubeconfig, and a PostgreSQL admin
 * login that may create databases and roles. A missing piece fails the suite with what to do.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Platform {
    readonly kubeconfig: string;
    /** kubeconfig context of the cluster; the current context when unset. */
    readonly kubeContext?: string;
    readonly pgHost: string;
    readonly pgPort: number;
    /** The provider's admin: CREATEDB and CREATEROLE, not a superuser, as on RDS. */
    readonly admin: { readonly user: string; readonly password: string };
    readonly pulumiVersion: string;
    /**
     * Where the cluster's pods reach this machine: its PostgreSQL (the tenants' database host)
     * and the suite's stand-ins of the core and of S3. The node's bridge on a one-node platform,
     * the gateway of kind's Docker network.
     */
    readonly nodeHost: string;
}

/**
 * The setting that lets the engine find plugins that `pulumi plugin install` put in a Pulumi home
 * (a CI job's, say): each stack of the suite has a PULUMI_HOME of its own, so the engine would
 * not look there. Without it, the providers must be on the PATH.
 */
export const PLUGINS_DIR_SETTING = "AIMS_E2E_PLUGINS_DIR";

/** The folder AIMS_E2E_PLUGINS_DIR names, when set; platformFromEnvironment checks that it exists. */
export function installedPluginsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const dir = env[PLUGINS_DIR_SETTING];
    return dir ? path.resolve(dir) : undefined;
}

const HOW_TO = [
    "The end-to-end suite runs the program under the real Pulumi engine against a real cluster and PostgreSQL.",
    "Provide them, then run `npm run e2e` again:",
    "  - the Pulumi CLI on the PATH, with the kubernetes, postgresql, random and command plugins on the PATH or installed with `pulumi plugin install resource NAME VERSION` and AIMS_E2E_PLUGINS_DIR naming their folder (~/.pulumi/plugins);",
    "  - KUBECONFIG (and AIMS_KUBE_CONTEXT) for a cluster such as kind or k3d;",
    "  - PGHOST, PGPORT, AIMS_PG_ADMIN_USER and AIMS_PG_ADMIN_PASSWORD for a PostgreSQL role with CREATEDB and CREATEROLE;",
    "  - AIMS_NODE_HOST_IP: the address at which the cluster's pods reach this machine, where that PostgreSQL must listen on PGPORT too;",
    "  - AIMS_E2E_LOAD_IMAGE: the command that loads an image archive into the cluster's nodes, {} for its path (`kind load image-archive {}`);",
    'README.md, "End-to-end tests", shows how, with kind and a PostgreSQL container.',
].join("\n");

/** The platform from the environment; throws one error listing everything missing. */
export function platformFromEnvironment(env: NodeJS.ProcessEnv = process.env): Platform {
    const missing: string[] = [];
    const required = (name: string): string => {
        const value = env[name];
        if (!value) missing.push(`${name} is not set`);
        return value ?? "";
    };
    const kubeconfig = required("KUBECONFIG");
    if (kubeconfig && !fs.existsSync(kubeconfig))
        missing.push(`KUBECONFIG names ${kubeconfig}, which does not exist`);
    const pgHost = required("PGHOST");
    const pgPort = Number(required("PGPORT"));
    const admin = {
        user: required("AIMS_PG_ADMIN_USER"),
        password: required("AIMS_PG_ADMIN_PASSWORD"),
    };
    const nodeHost = required("AIMS_NODE_HOST_IP").trim();
    if (!env.AIMS_E2E_LOAD_IMAGE?.includes("{}"))
        missing.push("AIMS_E2E_LOAD_IMAGE is not set, or has no {} for the image archive");
    const plugins = installedPluginsDir(env);
    if (plugins && !fs.existsSync(plugins))
        missing.push(`${PLUGINS_DIR_SETTING} names ${plugins}, which does not exist`);
    const version = spawnSync("pulumi", ["version"], { encoding: "utf8", env });
    if (version.error || version.status !== 0) missing.push("`pulumi` is not on the PATH");
    if (missing.length > 0)
        throw new Error(`${missing.map((m) => `- ${m}`).join("\n")}\n\n${HOW_TO}`);
    return {
        kubeconfig,
        ...(env.AIMS_KUBE_CONTEXT && { kubeContext: env.AIMS_KUBE_CONTEXT }),
        pgHost,
        pgPort,
        admin,
        pulumiVersion: version.stdout.trim(),
        nodeHost,
    };
}

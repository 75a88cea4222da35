/**
 * The core's cleanup of a removed tenant: a command resource that does nothing while the tenant
 * exists, and whose delete step calls `POST <core>/api/admin/delete-tenant/`. Pulumi deletes it
 * before the tenant's workload (it depends on it), so a core that refuses fails `pulumi up` with
 * the tenant still whole. The admin API key reaches the call through the command's environment,
 * a secret, never its command line; the environment is refreshed on every update.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { CoreSettings, deleteTenantUrl } from "./stack/core";
import { shellQuote } from "./support/shell";
import { PROJECT_ROOT } from "./support/project-root";

export const DELETE_TENANT_SCRIPT_PATH = path.join(
    PROJECT_ROOT,
    "components",
    "core-cleanup",
    "delete-tenant.js",
);
export const DELETE_TENANT_SCRIPT: string = fs.readFileSync(DELETE_TENANT_SCRIPT_PATH, "utf8");
/** The delete command: the script inline, so the state holds all it needs, whatever the checkout. */
export const DELETE_TENANT_COMMAND = `node -e ${shellQuote(DELETE_TENANT_SCRIPT)}`;

export interface CoreCleanupArgs {
    readonly tenant: string;
    readonly core: Pick<CoreSettings, "url" | "adminApiKey">;
    /** Whether the tenant's data is protected: the cleanup is, too, so it never runs before an offboarding. */
    readonly protect: boolean;
}

/** The cleanup command's environment: the URL and subdomain in plain text, the key secret. */
export function cleanupEnvironment(
    tenant: string,
    core: Pick<CoreSettings, "url" | "adminApiKey">,
): Record<string, pulumi.Input<string>> {
    return {
        CORE_DELETE_TENANT_URL: deleteTenantUrl(core),
        TENANT_SUBDOMAIN: tenant,
        CORE_ADMIN_API_KEY: pulumi.secret(core.adminApiKey),
    };
}

/** `opts.dependsOn`: what is deleted only after the cleanup has run (the tenant's platform part). */
export function createCoreCleanup(
    name: string,
    args: CoreCleanupArgs,
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    return new command.local.Command(
        `${name}-core-cleanup`,
        {
            delete: DELETE_TENANT_COMMAND,
            environment: cleanupEnvironment(args.tenant, args.core),
        },
        { ...opts, protect: args.protect, additionalSecretOutputs: ["environment"] },
    );
}

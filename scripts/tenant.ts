/**
 * npm run tenant -- validate | list [--env ENV] | add NAME [options] | remove NAME
 *
 * Manages the tenant files in tenants/ so that creating or removing a school is a reviewed
 * change to this repository; `pulumi up` (or the deploy pipeline) applies it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ValidationError } from "../components/support/errors";
import { hostProblems } from "../components/tenant-files/hosts";
import { TENANT_NAME_PATTERN } from "../components/vocabulary/naming";
import { PLAN_NAMES } from "../components/vocabulary/plans";
import {
    crossTenantProblems,
    loadTenants,
    parseTenantFile,
    TenantSpec,
} from "../components/tenant-files/registry";
import { removalSummary } from "../components/safety/removal";
import { stackFile, StackSettings, tenantsOfStack } from "../components/stack/settings";
import {
    ENVIRONMENTS,
    Environment,
    isOneOf,
    PLATFORMS,
    TENANT_STATUSES,
} from "../components/vocabulary/words";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { listStacks, readOfflineSettings } from "../components/stack/stack-file";
import { projectStacks } from "../components/stack/project-stacks";
import { deploys, leastLoadedShard, shardStackProblems } from "../components/stack/shard-stacks";
import { formatTable } from "./lib/table";
import { tenantRingProblems } from "../components/stack/ring-stacks";
import { displayNameOf, NewTenant, renderTenantFile, withStatus } from "./lib/tenant-file";

const USAGE = `usage:
  npm run tenant -- validate
  npm run tenant -- list [--env ${ENVIRONMENTS.join("|")} | --stack STACK]
  npm run tenant -- add NAME [--display-name TEXT] [--plan ${PLAN_NAMES.join("|")}] [--env dev,sit,prod]
                             [--platform ${PLATFORMS.join("|")}] [--domain HOST] [--status ${TENANT_STATUSES.join("|")}]
                             [--school-id ID]
  npm run tenant -- offboard NAME
  npm run tenant -- remove NAME`;

const projectDir = process.cwd();
const tenantsDir = path.join(projectDir, "tenants");

runCli(() => {
    const { values, positionals } = parseCommandLine(
        process.argv.slice(2),
        {
            env: { type: "string" },
            stack: { type: "string" },
            "display-name": { type: "string" },
            plan: { type: "string" },
            platform: { type: "string" },
            domain: { type: "string" },
            status: { type: "string" },
            "school-id": { type: "string" },
            help: { type: "boolean", short: "h" },
        },
        USAGE,
    );
    const [command, name, ...extra] = positionals;
    if (values.help) {
        console.log(USAGE);
        return;
    }
    if (extra.length > 0)
        throw new UsageError(`unexpected arguments: ${extra.join(" ")}\n${USAGE}`);
    switch (command) {
        case "validate":
            return validate();
        case "list":
            return list(values.env, values.stack);
        case "add":
            return add(requireName(name), values);
        case "offboard":
            return offboard(requireName(name));
        case "remove":
            return remove(requireName(name));
        default:
            throw new UsageError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
    }
});

/** Checked before the name becomes a path, so `remove ../x` can never touch another file. */
function requireName(name: string | undefined): string {
    if (!name) throw new UsageError(`a tenant NAME is required\n${USAGE}`);
    if (!TENANT_NAME_PATTERN.test(name)) {
        throw new ValidationError([
            `tenants/${name}.yaml: name: must be a DNS label: lowercase letters a-z, digits and hyphens, starting with a letter (got ${JSON.stringify(name)})`,
        ]);
    }
    return name;
}

/**
 * Every stack's settings must accept `tenants` (platform blocks present, AWS placement valid,
 * within its tenant limit), the hosts must be apart across stacks, and every shard a tenant
 * names must have its one stack.
 */
function checkStacks(tenants: readonly TenantSpec[]): Map<string, StackSettings> {
    const problems: string[] = [];
    const settings = new Map<string, StackSettings>();
    for (const stack of listStacks(projectDir)) {
        try {
            settings.set(stack, readOfflineSettings(projectDir, stack, tenants));
        } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            problems.push(...err.problems);
        }
    }
    const stacks = projectStacks(projectDir);
    problems.push(...hostProblems(tenants, stacks));
    problems.push(...shardStackProblems(stacks, tenants));
    problems.push(...tenantRingProblems(stacks, tenants));
    if (problems.length > 0) throw new ValidationError(problems);
    return settings;
}

function validate(): void {
    const tenants = loadTenants(tenantsDir);
    const stacks = checkStacks(tenants);
    console.log(
        `${tenants.length} tenant files are valid: ${tenants.map((t) => t.name).join(", ")}`,
    );
    for (const [stack, settings] of stacks) {
        const deployed = tenantsOfStack(tenants, settings);
        console.log(
            `${stackFile(stack)}: valid; deploys ${deployed.length} tenant${deployed.length === 1 ? "" : "s"} to ${settings.environment}, ` +
                `shard ${settings.stackShard} (limit ${settings.maxTenantsPerStack})`,
        );
    }
}

function list(env: string | undefined, stack: string | undefined): void {
    if (env !== undefined && !isOneOf(ENVIRONMENTS, env)) {
        throw new UsageError(`--env: must be one of ${ENVIRONMENTS.join(", ")} (got "${env}")`);
    }
    if (env !== undefined && stack !== undefined) {
        throw new UsageError("--env and --stack: give one of them, not both");
    }
    const stacks = projectStacks(projectDir);
    const shown = stacks.find((candidate) => candidate.stack === stack);
    if (stack !== undefined && !shown?.environment) {
        throw new UsageError(
            `--stack: ${shown ? `${shown.file} names no environment of ${ENVIRONMENTS.join(", ")}` : `no stack file ${stackFile(stack)}`}; stacks: ${stacks.map((s) => s.stack).join(", ")}`,
        );
    }
    const tenants = loadTenants(tenantsDir).filter(
        (tenant) =>
            (!env || tenant.environments.includes(env as Environment)) &&
            (!shown || deploys(shown, tenant)),
    );
    const stacksOf = (tenant: TenantSpec) =>
        stacks
            .filter((candidate) => deploys(candidate, tenant))
            .map((candidate) => candidate.stack)
            .join(",");
    const rows = tenants.map((t) => [
        t.name,
        t.displayName,
        t.plan,
        t.status,
        t.platform ?? "(stack default)",
        t.environments.join(","),
        stacksOf(t),
    ]);
    const header = ["NAME", "DISPLAY NAME", "PLAN", "STATUS", "PLATFORM", "ENVIRONMENTS", "STACKS"];
    console.log(formatTable(header, rows));
}

function add(name: string, options: Record<string, string | boolean | undefined>): void {
    const file = path.join(tenantsDir, `${name}.yaml`);
    const display = `tenants/${name}.yaml`;
    if (fs.existsSync(file)) {
        throw new ValidationError([
            `${display}: already exists; edit it instead (add never overwrites a tenant)`,
        ]);
    }
    const existing = loadTenants(tenantsDir);
    const text = renderTenantFile({
        name,
        displayName: (options["display-name"] as string | undefined) ?? displayNameOf(name),
        environments:
            typeof options.env === "string"
                ? options.env.split(",").map((env) => env.trim())
                : [...ENVIRONMENTS],
        plan: (options.plan as string | undefined) ?? "standard",
        status: (options.status as string | undefined) ?? "active",
        platform: options.platform as string | undefined,
        domain: options.domain as string | undefined,
        schoolId: options["school-id"] as string | undefined,
        stackShard: leastLoadedShards(
            existing,
            typeof options.env === "string"
                ? options.env.split(",").map((env) => env.trim())
                : [...ENVIRONMENTS],
        ),
    } as NewTenant);
    const parsed = parseTenantFile(display, text);
    if (!parsed.tenant) throw new ValidationError(parsed.problems);
    const tenants = [...existing, parsed.tenant];
    const problems = crossTenantProblems(tenants);
    if (problems.length > 0) throw new ValidationError(problems);
    checkStacks(tenants);
    fs.writeFileSync(file, text, { flag: "wx" });
    console.log(`wrote ${display}:\n\n${text}`);
    console.log(
        `Next: commit it and open a pull request; the preview of each stack (${parsed.tenant.environments.join(", ")}) shows what it creates.`,
    );
}

/**
 * The least-loaded shard of each of `environments` that has more than one shard stack; an
 * environment of one stack needs no entry (shard 1). Written into the new file, so that the
 * assignment never changes when other tenants come and go.
 */
function leastLoadedShards(
    existing: readonly TenantSpec[],
    environments: readonly string[],
): Partial<Record<Environment, number>> | undefined {
    const stacks = [...checkStacks(existing).values()];
    const entries = ENVIRONMENTS.filter((env) => environments.includes(env))
        .filter((env) => stacks.filter((stack) => stack.environment === env).length > 1)
        .map((env) => [env, leastLoadedShard(stacks, existing, env)!] as const);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** First step of a removal: `status: offboarding` stops the tenant and dumps its database; its file stays. */
/** The file of an existing tenant, and its path as messages show it. */
function existingTenantFile(name: string): { file: string; display: string } {
    const file = path.join(tenantsDir, `${name}.yaml`);
    const display = `tenants/${name}.yaml`;
    if (!fs.existsSync(file)) {
        throw new ValidationError([`${display}: no such tenant file`]);
    }
    return { file, display };
}

function offboard(name: string): void {
    const { file, display } = existingTenantFile(name);
    const tenants = loadTenants(tenantsDir);
    const text = withStatus(fs.readFileSync(file, "utf8"), "offboarding");
    const parsed = parseTenantFile(display, text);
    if (!parsed.tenant) throw new ValidationError(parsed.problems);
    checkStacks(tenants.map((tenant) => (tenant.name === name ? parsed.tenant! : tenant)));
    fs.writeFileSync(file, text);
    console.log(
        `set status: offboarding in ${display}. Deploying it stops the tenant and dumps its database (docs/offboarding.md);`,
    );
    console.log("removing the file is a later, separately reviewed change.");
}

function remove(name: string): void {
    const { file, display } = existingTenantFile(name);
    const tenants = loadTenants(tenantsDir);
    const removed = tenants.find((tenant) => tenant.name === name);
    if (!removed) throw new ValidationError([`${display}: not a tenant of the list`]);
    const stacks = checkStacks(tenants);
    fs.rmSync(file);
    console.log(`removed ${display}. What each stack will remove on its next \`pulumi up\`:`);
    for (const [stack, settings] of stacks) {
        const enabled = tenantsOfStack([removed], settings).length > 0;
        console.log(
            `  ${stack}: ${enabled ? removalSummary(removed, settings) : "nothing (the tenant is not enabled there)"}`,
        );
    }
    if (removed.status !== "offboarding") {
        console.log(
            `Note: ${name} is ${removed.status}, so no offboarding backup of its database was taken: the deletion guard refuses to ` +
                "remove it unless a stack lists it in aims:forceTenantRemoval as well as aims:allowTenantRemoval. To keep its data, restore the " +
                "file, set status: offboarding and deploy that first (docs/offboarding.md).",
        );
    }
    console.log(
        "Next: list the name in aims:allowTenantRemoval of each stack it leaves, commit and open a pull request; check each stack's preview before merging.",
    );
}

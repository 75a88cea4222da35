/**
 * The tenants list: load every tenants/*.yaml, validate it against tenant.schema.json and the
 * rules no schema can say (file name, reserved and duplicate names, derived-name limits), and
 * return normalised TenantSpecs. It fails closed: any problem in any file stops everything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ErrorObject } from "ajv";
import * as yaml from "js-yaml";
import { throwIfProblems, ValidationError } from "../support/errors";
import { describe, quote } from "../support/quote";
import { RESERVED_NAMES, RESERVED_PREFIXES } from "./reserved-names";
import { MAX_TENANT_FILE_BYTES, readTenantFolder, TENANT_FILE_EXTENSION } from "./tenant-folder";
import { unreadableTextProblems, yamlErrorDetail } from "./untrusted-text";
import { schemaOf, validatorOf } from "../json-schema/schemas";
import { schemaProblems } from "../json-schema/problems";
import { derivedNameCollisions } from "./derived-names";
import { restoreProblems, RestoreSpecs } from "./restore";
import { canonicalHost, domainShapeProblem } from "./hosts";
import {
    MAX_TENANT_NAME_LENGTH,
    nameLimitProblems,
    TENANT_NAME_PATTERN,
} from "../vocabulary/naming";
import { PlanName } from "../vocabulary/plans";
import { ENVIRONMENTS, Environment, isOneOf, Platform, TenantStatus } from "../vocabulary/words";

export interface TenantSpec {
    /** DNS label; the subdomain, namespace and base of every derived name. */
    readonly name: string;
    readonly displayName: string;
    readonly environments: readonly Environment[];
    /** The shard stack of each environment that names one; the others deploy it in shard 1. */
    readonly stackShard?: Readonly<Partial<Record<Environment, number>>>;
    readonly plan: PlanName;
    readonly status: TenantStatus;
    /** Overrides the stack's default platform when set. */
    readonly platform?: Platform;
    /** Custom host instead of `<name>.<baseDomain>`. */
    readonly domain?: string;
    /** The school's id in the core database: TENANT_SCHOOL_ID. */
    readonly schoolId?: string;
    /** Environments where the school already runs under the Argo CD setup and is imported (docs/adoption.md). */
    readonly adopt?: readonly Environment[];
    /** Per environment, the dump the tenant's database is restored from before the app starts. */
    readonly restore?: RestoreSpecs;
    /** The ring of fleet upgrades, in stacks that declare rings; their default ring when unset. */
    readonly ring?: string;
    readonly image?: { readonly tag?: string };
    readonly aws?: { readonly listenerPriority?: number; readonly shard?: number };
    /** Where the tenant was read from, for messages: `tenants/<name>.yaml`. */
    readonly file: string;
}

export { RESERVED_NAMES };

export { MAX_TENANT_FILE_BYTES };

const MAX_DOCUMENT_NODES = 1000;

const validateSchema = validatorOf("tenant.schema.json");

/** Reads, validates and normalises every tenant in `dir`; throws a ValidationError listing all problems. */
export function loadTenants(dir: string): TenantSpec[] {
    const folder = path.basename(dir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new ValidationError([
            `${folder}/: the tenants folder is missing; refusing to continue with zero tenants`,
        ]);
    }
    const problems: string[] = [];
    const tenants: TenantSpec[] = [];
    for (const entry of readTenantFolder(dir)) {
        if ("problem" in entry) {
            problems.push(`${entry.file}: ${entry.problem}`);
            continue;
        }
        const result = parseTenantFile(entry.file, entry.content);
        problems.push(...result.problems);
        if (result.tenant) {
            tenants.push(result.tenant);
        }
    }
    if (problems.length === 0 && tenants.length === 0) {
        problems.push(
            `${folder}/: no tenant files (*${TENANT_FILE_EXTENSION}); refusing to continue with zero tenants`,
        );
    }
    problems.push(...crossTenantProblems(tenants));
    throwIfProblems(problems);
    return tenants;
}

export interface ParsedTenantFile {
    readonly tenant?: TenantSpec;
    readonly problems: string[];
}

/** Validates one tenant file's content; `file` is its display path, `tenants/<name>.yaml`. */
export function parseTenantFile(file: string, content: Buffer | string): ParsedTenantFile {
    const bytes = typeof content === "string" ? Buffer.byteLength(content) : content.length;
    if (bytes > MAX_TENANT_FILE_BYTES) {
        return {
            problems: [
                `${file}: the file is ${bytes} bytes, over the ${MAX_TENANT_FILE_BYTES}-byte limit of a tenant file`,
            ],
        };
    }
    let document: unknown;
    try {
        document = yaml.load(content.toString(), { filename: file });
    } catch (err) {
        return { problems: [`${file}: not valid YAML${yamlErrorDetail(err)}`] };
    }
    if (document === undefined || document === null) {
        return {
            problems: [
                `${file}: the file is empty; a tenant file needs at least name, displayName and plan`,
            ],
        };
    }
    if (typeof document !== "object" || Array.isArray(document)) {
        return {
            problems: [
                `${file}: must be a mapping of fields (name, displayName, plan, ...), got ${kindOfValue(document)}`,
            ],
        };
    }
    if (countNodes(document, MAX_DOCUMENT_NODES) > MAX_DOCUMENT_NODES) {
        return {
            problems: [
                `${file}: the document has more than ${MAX_DOCUMENT_NODES} values; a tenant file is a handful of fields`,
            ],
        };
    }

    const fields = document as Record<string, unknown>;
    const unreadable = unreadableTextProblems(file, fields);
    const problems = validateSchema(document)
        ? []
        : tenantSchemaProblems(file, validateSchema.errors ?? [], document);
    if (typeof fields.name === "string") {
        problems.push(...nameProblems(file, fields.name));
    }
    problems.push(...adoptProblems(file, fields));
    problems.push(...stackShardProblems(file, fields));
    problems.push(...restoreProblems(file, fields));
    const domainShape =
        typeof fields.domain === "string" && !unreadable.fields.includes("domain")
            ? domainShapeProblem(fields.domain)
            : undefined;
    // A field with a specific problem (an unreadable character, an IP as domain) gets that one message, not a second one about its format.
    const specific = [
        ...unreadable.problems,
        ...(domainShape ? [`${file}: domain: ${domainShape}`] : []),
    ];
    const specificFields = [...unreadable.fields, ...(domainShape ? ["domain"] : [])];
    problems.splice(
        0,
        problems.length,
        ...specific,
        ...problems.filter(
            (problem) => !specificFields.some((field) => problem.startsWith(`${file}: ${field}: `)),
        ),
    );
    if (problems.length > 0) {
        return { problems };
    }
    return { tenant: normalise(file, fields), problems };
}

function nameProblems(file: string, name: string): string[] {
    const expected = path.basename(file, TENANT_FILE_EXTENSION);
    const problems: string[] = [];
    if (!TENANT_NAME_PATTERN.test(name)) {
        problems.push(
            `${file}: name: must be a DNS label: lowercase letters a-z, digits and hyphens, starting with a letter and not ending with a hyphen (got ${quote(name)})`,
        );
    } else if (name.includes("--")) {
        problems.push(`${file}: name: must not contain consecutive hyphens (got "${name}")`);
    } else if (
        RESERVED_NAMES.has(name) ||
        RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))
    ) {
        problems.push(`${file}: name: "${name}" is reserved by the platform; choose another name`);
    } else {
        const limits = nameLimitProblems(name);
        if (limits.length > 0) {
            problems.push(
                `${file}: name: too long: ${name.length} characters, at most ${MAX_TENANT_NAME_LENGTH} fit every derived name (${limits[0]})`,
            );
        }
    }
    if (problems.length === 0 && name !== expected) {
        problems.push(
            `${file}: name: must match the file name "${expected}" (got ${quote(name)}); rename the file to ${quote(name + TENANT_FILE_EXTENSION)} or fix the name`,
        );
    }
    return problems;
}

const ADOPT_SHAPE =
    "must be true, false, or a list of the environments where the school runs under Argo CD, such as [prod]";

/** `adopt`: its shape (one message, not the schema's one per branch), and what it may go with. */
function adoptProblems(file: string, fields: Record<string, unknown>): string[] {
    const adopt = fields.adopt;
    if (adopt === undefined || adopt === false) {
        return [];
    }
    if (adopt !== true && !Array.isArray(adopt)) {
        return [`${file}: adopt: ${ADOPT_SHAPE} (got ${describe(adopt)})`];
    }
    const list: unknown[] = Array.isArray(adopt) ? adopt : [];
    if (Array.isArray(adopt) && list.length === 0) {
        return [
            `${file}: adopt: ${ADOPT_SHAPE}; an empty list adopts nothing, leave it out instead`,
        ];
    }
    const unknown = list.flatMap((env, index) =>
        (ENVIRONMENTS as readonly unknown[]).includes(env)
            ? []
            : [
                  `${file}: adopt[${index}]: must be one of ${ENVIRONMENTS.join(", ")} (got ${describe(env)})`,
              ],
    );
    const twice = list.filter(
        (env, index) => list.indexOf(env) !== index && typeof env === "string",
    );
    const problems = [
        ...unknown,
        ...[...new Set(twice)].map((env) => `${file}: adopt: lists ${describe(env)} twice`),
    ];
    if (problems.length > 0) {
        return problems;
    }
    if (fields.platform === "aws") {
        problems.push(
            `${file}: adopt: only a Kubernetes tenant can be adopted from the Argo CD setup, and this tenant says platform: aws`,
        );
    }
    const environments: unknown[] = Array.isArray(fields.environments)
        ? fields.environments
        : [...ENVIRONMENTS];
    for (const env of list.filter((env) => !environments.includes(env))) {
        problems.push(
            `${file}: adopt: lists ${describe(env)}, which is not one of the tenant's environments (${environments.map(String).join(", ")})`,
        );
    }
    return problems;
}

/** `stackShard` may name only environments the tenant is deployed to. */
function stackShardProblems(file: string, fields: Record<string, unknown>): string[] {
    const shards = fields.stackShard;
    if (shards === null || typeof shards !== "object" || Array.isArray(shards)) return [];
    const environments: unknown[] = Array.isArray(fields.environments)
        ? fields.environments
        : [...ENVIRONMENTS];
    return Object.keys(shards)
        .filter((env) => isOneOf(ENVIRONMENTS, env) && !environments.includes(env))
        .map(
            (env) =>
                `${file}: stackShard.${env}: names a shard of ${env}, which is not one of the tenant's environments (${environments.map(String).join(", ")}); remove it`,
        );
}

/** Problems only visible across files: two tenants that would share a name, a host or any derived name. */
export function crossTenantProblems(tenants: readonly TenantSpec[]): string[] {
    const problems: string[] = [];
    const claims = new Map<string, string>();
    const claim = (key: string, tenant: TenantSpec, message: (other: string) => string) => {
        const other = claims.get(key);
        if (other === undefined) {
            claims.set(key, tenant.file);
        } else if (other !== tenant.file) {
            problems.push(message(other));
        }
    };
    for (const tenant of tenants) {
        claim(
            `name:${normaliseName(tenant.name)}`,
            tenant,
            (other) => `${tenant.file}: name: "${tenant.name}" is also the name of ${other}`,
        );
        if (tenant.domain) {
            claim(
                `host:${canonicalHost(tenant.domain)}`,
                tenant,
                (other) =>
                    `${tenant.file}: domain: "${tenant.domain}" is also the domain of ${other}`,
            );
        }
    }
    problems.push(...derivedNameCollisions(tenants));
    return problems;
}

/** Folds Unicode compatibility forms and case, so look-alike spellings count as one name. */
function normaliseName(name: string): string {
    return name.normalize("NFKC").toLowerCase();
}

function normalise(file: string, fields: Record<string, unknown>): TenantSpec {
    const doc = fields as Omit<TenantSpec, "file" | "environments" | "status" | "adopt"> & {
        environments?: Environment[];
        status?: TenantStatus;
        adopt?: boolean | Environment[];
    };
    const environments = doc.environments
        ? ENVIRONMENTS.filter((env) => doc.environments!.includes(env))
        : [...ENVIRONMENTS];
    const adopt =
        doc.adopt === true
            ? environments
            : ENVIRONMENTS.filter((env) => Array.isArray(doc.adopt) && doc.adopt.includes(env));
    return {
        name: doc.name,
        displayName: doc.displayName.trim(),
        environments,
        plan: doc.plan,
        status: doc.status ?? "active",
        ...(doc.platform && { platform: doc.platform }),
        ...(doc.domain && { domain: doc.domain }),
        ...(doc.schoolId !== undefined && { schoolId: doc.schoolId }),
        ...(adopt.length > 0 && { adopt }),
        ...(doc.stackShard && { stackShard: { ...doc.stackShard } }),
        ...(doc.restore && { restore: restoreCopy(doc.restore) }),
        ...(doc.ring && { ring: doc.ring }),
        ...(doc.image && { image: { ...doc.image } }),
        ...(doc.aws && { aws: { ...doc.aws } }),
        file,
    };
}

function restoreCopy(restore: RestoreSpecs): RestoreSpecs {
    return Object.fromEntries(
        ENVIRONMENTS.filter((env) => restore[env]).map((env) => [env, { ...restore[env]! }]),
    );
}

function tenantSchemaProblems(
    file: string,
    errors: readonly ErrorObject[],
    document: unknown,
): string[] {
    const shown = errors
        // nameProblems and adoptProblems say what is wrong with these fields in one message each.
        .filter(
            (error) =>
                !(
                    error.instancePath === "/name" &&
                    ["pattern", "maxLength", "minLength"].includes(error.keyword)
                ),
        )
        .filter((error) => !/^\/adopt(\/|$)/.test(error.instancePath));
    const context = { schema: schemaOf("tenant.schema.json"), document, entry: "field" } as const;
    return schemaProblems(shown, context).map(({ key, message }) => `${file}: ${key}: ${message}`);
}

function kindOfValue(value: unknown): string {
    return typeof value === "string" ? "a string" : describe(value);
}

/** Counts values up to `limit`, so a small file of YAML aliases cannot expand into a huge walk. */
function countNodes(value: unknown, limit: number): number {
    let count = 0;
    const stack: unknown[] = [value];
    while (stack.length > 0 && count <= limit) {
        const current = stack.pop();
        count++;
        if (current !== null && typeof current === "object") {
            stack.push(...Object.values(current as object));
        }
    }
    return count;
}

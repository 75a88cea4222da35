/**
 * The tenants list: load every tenants/*.yaml, validate it against tenant.schema.json and the
 * rules no schema can say (file name, reserved and duplicate names, derived-name limits), and
 * return normalised TenantSpecs. It fails closed: any problem in any file stops everything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ErrorObject } from "ajv";
import * as yaml from "js-yaml";
import { throwIfProblems, ValidationError } from "./errors";
import { MAX_TENANT_NAME_LENGTH, nameLimitProblems, TARGET_GROUP_ROLES, targetGroupName, TENANT_NAME_PATTERN } from "./naming";
import { PlanName } from "./plans";
import { ENVIRONMENTS, Environment, Platform, TenantStatus } from "./vocabulary";
import tenantSchema from "../tenants/tenant.schema.json";

export interface TenantSpec {
    /** DNS label; the subdomain, namespace and base of every derived name. */
    readonly name: string;
    readonly displayName: string;
    readonly environments: readonly Environment[];
    readonly plan: PlanName;
    readonly status: TenantStatus;
    /** Overrides the stack's default platform when set. */
    readonly platform?: Platform;
    /** Custom host instead of `<name>.<baseDomain>`. */
    readonly domain?: string;
    /** The school's id in the core database: TENANT_SCHOOL_ID. */
    readonly schoolId?: string;
    readonly image?: { readonly tag?: string };
    readonly aws?: { readonly listenerPriority?: number; readonly shard?: number };
    /** Where the tenant was read from, for messages: `tenants/<name>.yaml`. */
    readonly file: string;
}

/** Names the platform, the cluster or the product already use, as subdomains or namespaces. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
    "www", "api", "admin", "app", "mail", "core", "static", "assets", "status", "auth", "login",
    "argocd", "database", "aims-core", "postgres", "pgbouncer", "traefik", "cert-manager", "ingress-nginx",
    "monitoring", "logging", "default", "aims", "kube-system", "kube-public", "kube-node-lease",
]);
const RESERVED_PREFIXES = ["kube-"];

export const MAX_TENANT_FILE_BYTES = 64 * 1024;
const MAX_DOCUMENT_NODES = 1000;
const TENANT_FILE_EXTENSION = ".yaml";

const validateSchema = new Ajv({ allErrors: true, strict: true, verbose: true }).compile(tenantSchema);

/** Reads, validates and normalises every tenant in `dir`; throws a ValidationError listing all problems. */
export function loadTenants(dir: string): TenantSpec[] {
    const folder = path.basename(dir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new ValidationError([`${folder}/: the tenants folder is missing; refusing to continue with zero tenants`]);
    }
    const problems: string[] = [];
    const specs: TenantSpec[] = [];
    const entries = fs.readdirSync(dir).sort();
    for (const entry of entries) {
        const file = `${folder}/${entry}`;
        if (entry.endsWith(".yml")) {
            problems.push(`${file}: tenant files end in ${TENANT_FILE_EXTENSION}; rename it to ${entry.replace(/\.yml$/, TENANT_FILE_EXTENSION)}`);
            continue;
        }
        if (!entry.endsWith(TENANT_FILE_EXTENSION)) {
            continue;
        }
        const result = parseTenantFile(file, fs.readFileSync(path.join(dir, entry)));
        problems.push(...result.problems);
        if (result.spec) {
            specs.push(result.spec);
        }
    }
    if (problems.length === 0 && specs.length === 0) {
        problems.push(`${folder}/: no tenant files (*${TENANT_FILE_EXTENSION}); refusing to continue with zero tenants`);
    }
    problems.push(...crossTenantProblems(specs));
    throwIfProblems(problems);
    return specs;
}

export interface ParsedTenantFile {
    readonly spec?: TenantSpec;
    readonly problems: string[];
}

/** Validates one tenant file's content; `file` is its display path, `tenants/<name>.yaml`. */
export function parseTenantFile(file: string, content: Buffer | string): ParsedTenantFile {
    const bytes = typeof content === "string" ? Buffer.byteLength(content) : content.length;
    if (bytes > MAX_TENANT_FILE_BYTES) {
        return { problems: [`${file}: the file is ${bytes} bytes, over the ${MAX_TENANT_FILE_BYTES}-byte limit of a tenant file`] };
    }
    let document: unknown;
    try {
        document = yaml.load(content.toString(), { filename: file });
    } catch (err) {
        const reason = err instanceof yaml.YAMLException ? err.reason : String(err);
        const line = err instanceof yaml.YAMLException && err.mark ? ` (line ${err.mark.line + 1})` : "";
        return { problems: [`${file}: not valid YAML${line}: ${reason}`] };
    }
    if (document === undefined || document === null) {
        return { problems: [`${file}: the file is empty; a tenant file needs at least name, displayName and plan`] };
    }
    if (typeof document !== "object" || Array.isArray(document)) {
        return { problems: [`${file}: must be a mapping of fields (name, displayName, plan, ...), got ${describe(document)}`] };
    }
    if (countNodes(document, MAX_DOCUMENT_NODES) > MAX_DOCUMENT_NODES) {
        return { problems: [`${file}: the document has more than ${MAX_DOCUMENT_NODES} values; a tenant file is a handful of fields`] };
    }

    const problems = validateSchema(document) ? [] : schemaProblems(file, validateSchema.errors ?? []);
    const fields = document as Record<string, unknown>;
    if (typeof fields.name === "string") {
        problems.push(...nameProblems(file, fields.name));
    }
    if (problems.length > 0) {
        return { problems };
    }
    return { spec: normalise(file, fields), problems };
}

function nameProblems(file: string, name: string): string[] {
    const expected = path.basename(file, TENANT_FILE_EXTENSION);
    const problems: string[] = [];
    if (!TENANT_NAME_PATTERN.test(name)) {
        problems.push(`${file}: name: must be a DNS label: lowercase letters a-z, digits and hyphens, starting with a letter and not ending with a hyphen (got ${JSON.stringify(name)})`);
    } else if (name.includes("--")) {
        problems.push(`${file}: name: must not contain consecutive hyphens (got "${name}")`);
    } else if (RESERVED_NAMES.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
        problems.push(`${file}: name: "${name}" is reserved by the platform; choose another name`);
    } else {
        const limits = nameLimitProblems(name);
        if (limits.length > 0) {
            problems.push(`${file}: name: too long: ${name.length} characters, at most ${MAX_TENANT_NAME_LENGTH} fit every derived name (${limits[0]})`);
        }
    }
    if (problems.length === 0 && name !== expected) {
        problems.push(`${file}: name: must match the file name "${expected}" (got ${JSON.stringify(name)}); rename the file to ${JSON.stringify(name + TENANT_FILE_EXTENSION)} or fix the name`);
    }
    return problems;
}

/** Problems only visible across files: two tenants that would share a name, a host or an AWS name. */
export function crossTenantProblems(specs: readonly TenantSpec[]): string[] {
    const problems: string[] = [];
    const claims = new Map<string, string>();
    const claim = (key: string, spec: TenantSpec, message: (other: string) => string) => {
        const other = claims.get(key);
        if (other === undefined) {
            claims.set(key, spec.file);
        } else if (other !== spec.file) {
            problems.push(message(other));
        }
    };
    for (const spec of specs) {
        claim(`name:${normaliseName(spec.name)}`, spec, (other) => `${spec.file}: name: "${spec.name}" is also the name of ${other}`);
        if (spec.domain) {
            claim(`host:${spec.domain}`, spec, (other) => `${spec.file}: domain: "${spec.domain}" is also the domain of ${other}`);
        }
        for (const env of spec.environments) {
            for (const role of TARGET_GROUP_ROLES) {
                const group = targetGroupName(env, spec.name, role);
                claim(`tg:${group}`, spec, (other) => `${spec.file}: name: its AWS target group name "${group}" is also one of ${other}; rename one tenant`);
            }
        }
    }
    return problems;
}

/** Folds Unicode compatibility forms and case, so look-alike spellings count as one name. */
function normaliseName(name: string): string {
    return name.normalize("NFKC").toLowerCase();
}

function normalise(file: string, fields: Record<string, unknown>): TenantSpec {
    const doc = fields as Omit<TenantSpec, "file" | "environments" | "status"> & {
        environments?: Environment[];
        status?: TenantStatus;
    };
    return {
        name: doc.name,
        displayName: doc.displayName.trim(),
        environments: doc.environments ? ENVIRONMENTS.filter((env) => doc.environments!.includes(env)) : [...ENVIRONMENTS],
        plan: doc.plan,
        status: doc.status ?? "active",
        ...(doc.platform && { platform: doc.platform }),
        ...(doc.domain && { domain: doc.domain }),
        ...(doc.schoolId !== undefined && { schoolId: doc.schoolId }),
        ...(doc.image && { image: { ...doc.image } }),
        ...(doc.aws && { aws: { ...doc.aws } }),
        file,
    };
}

const PATTERN_HINTS: Record<string, string> = {
    domain: "must be a lowercase hostname such as portal.school1.org",
    schoolId: "must be the school's id in the core: letters, digits, '_' and '-', such as \"42\" (quote a number)",
    "image.tag": "must be an image tag: letters, digits, '_', '.' and '-', at most 128 characters",
};

function schemaProblems(file: string, errors: readonly ErrorObject[]): string[] {
    const lines = errors
        .filter((error) => !(error.instancePath === "/name" && ["pattern", "maxLength", "minLength"].includes(error.keyword)))
        .map((error) => `${file}: ${schemaMessage(error)}`);
    return [...new Set(lines)];
}

function schemaMessage(error: ErrorObject): string {
    const field = fieldOf(error.instancePath);
    const at = (name: string) => (field ? `${field}.${name}` : name);
    const got = (value: unknown) => ` (got ${describe(value)})`;
    const params = error.params as Record<string, any>;
    switch (error.keyword) {
        case "required":
            return `${at(params.missingProperty)}: is required`;
        case "additionalProperties":
            return `${at(params.additionalProperty)}: unknown field; allowed: ${allowedFields(error.parentSchema)}`;
        case "enum":
            return `${field}: must be one of ${params.allowedValues.join(", ")}${got(error.data)}`;
        case "type":
            return `${field}: must be ${params.type === "integer" ? "a whole number" : `a${/^[aeiou]/.test(params.type) ? "n" : ""} ${params.type}`}${got(error.data)}`;
        case "pattern":
            return `${field}: ${PATTERN_HINTS[field] ?? `must match ${params.pattern}`}${got(error.data)}`;
        case "minItems":
            return `${field}: must list at least ${params.limit} item${params.limit === 1 ? "" : "s"}`;
        case "uniqueItems":
            return `${field}: lists ${describe((error.data as unknown[])[params.i])} twice`;
        case "minProperties":
            return `${field}: must set at least one field, or be left out`;
        case "minLength":
            return `${field}: must not be empty`;
        case "maxLength":
            return `${field}: must be at most ${params.limit} characters${got(error.data)}`;
        case "minimum":
        case "maximum":
            return `${field}: must be ${params.comparison} ${params.limit}${got(error.data)}`;
        default:
            return `${field || "(file)"}: ${error.message ?? error.keyword}`;
    }
}

/** `/aws/shard` -> `aws.shard`, `/environments/1` -> `environments[1]`. */
function fieldOf(instancePath: string): string {
    return instancePath
        .split("/")
        .slice(1)
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function allowedFields(schema: unknown): string {
    const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
    return Object.keys(properties ?? {}).join(", ");
}

function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a mapping";
    if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    return String(value);
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

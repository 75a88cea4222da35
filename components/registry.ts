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
import { describe, quote } from "./quote";
import { RESERVED_NAMES, RESERVED_PREFIXES } from "./reserved-names";
import { MAX_TENANT_FILE_BYTES, readTenantFolder, TENANT_FILE_EXTENSION } from "./tenant-folder";
import { unreadableTextProblems, yamlErrorDetail } from "./untrusted-text";
import { derivedNameCollisions } from "./derived-names";
import { canonicalHost, domainShapeProblem } from "./hosts";
import { MAX_TENANT_NAME_LENGTH, nameLimitProblems, TENANT_NAME_PATTERN } from "./naming";
import { PlanName } from "./plans";
import { ENVIRONMENTS, Environment, Platform, TenantStatus } from "./vocabulary";
import tenantSchema from "../schema/tenant.schema.json";

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
    /** Environments where the school already runs under the Argo CD setup and is imported (docs/adoption.md). */
    readonly adopt?: readonly Environment[];
    readonly image?: { readonly tag?: string };
    readonly aws?: { readonly listenerPriority?: number; readonly shard?: number };
    /** Where the tenant was read from, for messages: `tenants/<name>.yaml`. */
    readonly file: string;
}

export { RESERVED_NAMES };

export { MAX_TENANT_FILE_BYTES };

const MAX_DOCUMENT_NODES = 1000;

const validateSchema = new Ajv({ allErrors: true, strict: true, verbose: true }).compile(
    tenantSchema,
);

/** Reads, validates and normalises every tenant in `dir`; throws a ValidationError listing all problems. */
export function loadTenants(dir: string): TenantSpec[] {
    const folder = path.basename(dir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new ValidationError([
            `${folder}/: the tenants folder is missing; refusing to continue with zero tenants`,
        ]);
    }
    const problems: string[] = [];
    const specs: TenantSpec[] = [];
    for (const entry of readTenantFolder(dir)) {
        if ("problem" in entry) {
            problems.push(`${entry.file}: ${entry.problem}`);
            continue;
        }
        const result = parseTenantFile(entry.file, entry.content);
        problems.push(...result.problems);
        if (result.spec) {
            specs.push(result.spec);
        }
    }
    if (problems.length === 0 && specs.length === 0) {
        problems.push(
            `${folder}/: no tenant files (*${TENANT_FILE_EXTENSION}); refusing to continue with zero tenants`,
        );
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
        : schemaProblems(file, validateSchema.errors ?? []);
    if (typeof fields.name === "string") {
        problems.push(...nameProblems(file, fields.name));
    }
    problems.push(...adoptProblems(file, fields));
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
    return { spec: normalise(file, fields), problems };
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

/** Problems only visible across files: two tenants that would share a name, a host or any derived name. */
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
        claim(
            `name:${normaliseName(spec.name)}`,
            spec,
            (other) => `${spec.file}: name: "${spec.name}" is also the name of ${other}`,
        );
        if (spec.domain) {
            claim(
                `host:${canonicalHost(spec.domain)}`,
                spec,
                (other) => `${spec.file}: domain: "${spec.domain}" is also the domain of ${other}`,
            );
        }
    }
    problems.push(...derivedNameCollisions(specs));
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
        ...(doc.image && { image: { ...doc.image } }),
        ...(doc.aws && { aws: { ...doc.aws } }),
        file,
    };
}

const PATTERN_HINTS: Record<string, string> = {
    displayName: "must not be blank: the name of the school as people read it",
    domain: "must be a lowercase hostname such as portal.school1.org",
    schoolId:
        "must be the school's id in the core: letters, digits, '_' and '-', such as \"42\" (quote a number)",
    "image.tag": "must be an image tag: letters, digits, '_', '.' and '-', at most 128 characters",
};

function schemaProblems(file: string, errors: readonly ErrorObject[]): string[] {
    const lines = errors
        .filter(
            (error) =>
                !(
                    error.instancePath === "/name" &&
                    ["pattern", "maxLength", "minLength"].includes(error.keyword)
                ),
        )
        // adoptProblems says what is wrong with adopt in one message.
        .filter((error) => !/^\/adopt(\/|$)/.test(error.instancePath))
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
            return `${at(fieldName(params.additionalProperty))}: unknown field; allowed: ${allowedFields(error.parentSchema)}`;
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
        .reduce(
            (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
            "",
        );
}

function allowedFields(schema: unknown): string {
    const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
    return Object.keys(properties ?? {}).join(", ");
}

/** A field name as written in the file, escaped when it is not a plain word. */
function fieldName(name: string): string {
    return /^[A-Za-z0-9_-]+$/.test(name) ? name : quote(name);
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

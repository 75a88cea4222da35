/**
 * The checks of the policy pack as plain functions of resource inputs, so that they are tested
 * without the policy engine. Each returns one message per violation; none means compliant.
 */

import { TENANT_STATUS_LABEL, TENANT_STATUS_TAG } from "../components/naming";

/** Environment variable names whose values are secrets and must come from a secret reference. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** Values no real secret has: placeholders that mean someone typed a literal into the code. */
const PLACEHOLDER_SECRET = /^(|changeme|change-me|password|secret|admin|test|example|default|todo|xxx+|1234.*)$/i;

type Props = Record<string, any>;

interface Container {
    name?: string;
    env?: Array<{ name?: string; value?: unknown; valueFrom?: unknown }>;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; privileged?: boolean; allowPrivilegeEscalation?: boolean };
}

/** The pod spec inside a workload object, whatever its kind. */
export function podSpecOf(kind: string, spec: Props | undefined): Props | undefined {
    if (!spec) return undefined;
    switch (kind) {
        case "Pod": return spec;
        case "CronJob": return spec.jobTemplate?.spec?.template?.spec;
        default: return spec.template?.spec;
    }
}

export function podSecurityViolations(podSpec: Props): string[] {
    const podContext = podSpec.securityContext ?? {};
    const containers: Container[] = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
    const violations: string[] = [];
    for (const container of containers) {
        const context = container.securityContext ?? {};
        const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
        const user = context.runAsUser ?? podContext.runAsUser;
        if (nonRoot !== true || user === 0) {
            violations.push(`container "${container.name}" may run as root: set securityContext.runAsNonRoot: true and a non-zero runAsUser`);
        }
        if (context.privileged === true) {
            violations.push(`container "${container.name}" is privileged`);
        }
        if (context.allowPrivilegeEscalation !== false) {
            violations.push(`container "${container.name}" allows privilege escalation: set securityContext.allowPrivilegeEscalation: false`);
        }
    }
    return violations;
}

export function literalSecretEnvViolations(containers: Container[]): string[] {
    return containers.flatMap((container) => (container.env ?? [])
        .filter((variable) => variable.name && SECRET_NAME.test(variable.name) && variable.value !== undefined)
        .map((variable) => `container "${container.name}" sets ${variable.name} as a literal value; use valueFrom.secretKeyRef`));
}

/** The parts of a Helm release's values that declare container env (`frontend.env`, ...), as containers. */
export function releaseContainers(values: Props | undefined): Container[] {
    return Object.entries(values ?? {})
        .filter(([, part]) => part && typeof part === "object" && Array.isArray((part as Container).env))
        .map(([name, part]) => ({ name, env: (part as Container).env }));
}

/** A Secret whose values are placeholders, or a ConfigMap holding what looks like a secret. */
export function literalSecretObjectViolations(kind: "Secret" | "ConfigMap", props: Props): string[] {
    if (kind === "ConfigMap") {
        return Object.keys(props.data ?? {}).filter((key) => SECRET_NAME.test(key))
            .map((key) => `ConfigMap key "${key}" looks like a secret; keep it in a Secret`);
    }
    const values: Record<string, unknown> = { ...(props.stringData ?? {}), ...decodeAll(props.data ?? {}) };
    return Object.entries(values)
        .filter(([, value]) => typeof value === "string" && PLACEHOLDER_SECRET.test(value.trim()))
        .map(([key]) => `Secret key "${key}" holds a literal placeholder value; generate it (random) or read it from secret config`);
}

function decodeAll(data: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(data).map(([key, value]) =>
        [key, typeof value === "string" ? Buffer.from(value, "base64").toString("utf8") : value]));
}

export function ingressTlsViolations(spec: Props | undefined): string[] {
    const tls: Array<{ hosts?: string[]; secretName?: string }> = spec?.tls ?? [];
    if (tls.length === 0) return ["the Ingress has no TLS section"];
    const covered = new Set(tls.filter((entry) => entry.secretName).flatMap((entry) => entry.hosts ?? []));
    return (spec?.rules ?? [])
        .map((rule: { host?: string }) => rule.host)
        .filter((host: string | undefined) => !host || !covered.has(host))
        .map((host: string | undefined) => `host ${host ?? "(any)"} is served without a TLS secret`);
}

interface EcsContainer {
    name?: string;
    user?: string;
    privileged?: boolean;
    environment?: Array<{ name?: string; value?: string }>;
}

function parseContainers(containerDefinitions: unknown): EcsContainer[] | string {
    try {
        const parsed = typeof containerDefinitions === "string" ? JSON.parse(containerDefinitions) : containerDefinitions;
        return Array.isArray(parsed) ? parsed : "containerDefinitions is not a list";
    } catch {
        return "containerDefinitions is not valid JSON";
    }
}

export function ecsPlainSecretViolations(containerDefinitions: unknown): string[] {
    const containers = parseContainers(containerDefinitions);
    if (typeof containers === "string") return [containers];
    return containers.flatMap((container) => (container.environment ?? [])
        .filter((variable) => variable.name && SECRET_NAME.test(variable.name))
        .map((variable) => `container "${container.name}" passes ${variable.name} as a plain environment value; use secrets (valueFrom)`));
}

export function ecsRootViolations(containerDefinitions: unknown): string[] {
    const containers = parseContainers(containerDefinitions);
    if (typeof containers === "string") return [containers];
    return containers.flatMap((container) => [
        ...(container.privileged === true ? [`container "${container.name}" is privileged`] : []),
        ...(container.user === undefined || /^(root|0)(:.*)?$/.test(container.user) ? [`container "${container.name}" runs as root: set a non-root user`] : []),
    ]);
}

/** Allow statements of an IAM policy document whose Resource is or contains a wildcard. */
export function iamWildcardViolations(policy: unknown): string[] {
    let document: { Statement?: unknown };
    try {
        document = typeof policy === "string" ? JSON.parse(policy) : (policy as { Statement?: unknown });
    } catch {
        return ["the policy is not valid JSON"];
    }
    const statements = ([] as Array<Record<string, unknown>>).concat((document?.Statement as Array<Record<string, unknown>>) ?? []);
    return statements
        .filter((statement) => statement.Effect === "Allow")
        .flatMap((statement, index) => {
            if (statement.NotResource !== undefined) return [`statement ${index} uses NotResource`];
            const resources = ([] as unknown[]).concat(statement.Resource ?? []);
            return resources.filter((resource) => typeof resource === "string" && resource.includes("*") && !isObjectKeyPrefix(resource))
                .map((resource) => `statement ${index} allows Resource "${resource}"; name the tenant's own resources`);
        });
}

/**
 * `arn:<partition>:s3:::<bucket>/<prefix>/*`: the objects under one key prefix, which S3 can only
 * name with a trailing wildcard. A whole bucket (`<bucket>/*`) or any other wildcard still counts.
 */
const S3_KEY_PREFIX = /^arn:[a-z-]+:s3:::[a-z0-9][a-z0-9.-]+\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/\*$/;
export const isObjectKeyPrefix = (resource: string): boolean => S3_KEY_PREFIX.test(resource);

/** A resource as the stack-level rules need it: the tenant is the name of its Tenant ancestor. */
export interface RuleResource {
    type: string;
    urn: string;
    props: Props;
    protect: boolean;
    tenant?: string;
}

export const DATA_TYPES = new Set([
    "postgresql:index/database:Database",
    "postgresql:index/role:Role",
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:Secret",
    "aws:secretsmanager/secret:Secret",
    "aws:efs/accessPoint:AccessPoint",
]);

/** `urn:pulumi:<stack>::<project>::...` -> `<stack>` */
export function stackOfUrn(urn: string): string {
    return urn.split("::")[0].split(":").slice(2).join(":");
}

/**
 * Unprotected data resources of tenants in a protected stack. An offboarding tenant (status
 * label on its namespace or status tag on an AWS resource) is exempt: its removal is intended.
 */
export function unprotectedDataViolations(resources: RuleResource[], protectedStacks: RegExp): Array<{ urn: string; message: string }> {
    const offboarding = new Set(resources
        .filter((r) => r.props?.metadata?.labels?.[TENANT_STATUS_LABEL] === "offboarding" || r.props?.tags?.[TENANT_STATUS_TAG] === "offboarding")
        .map((r) => r.tenant));
    return resources
        .filter((r) => DATA_TYPES.has(r.type) && r.tenant !== undefined && protectedStacks.test(stackOfUrn(r.urn)))
        .filter((r) => !r.protect && !offboarding.has(r.tenant))
        .map((r) => ({ urn: r.urn, message: `${r.type} of tenant ${r.tenant} is not protected in stack ${stackOfUrn(r.urn)}` }));
}

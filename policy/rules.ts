/**
 * The checks of the policy pack as plain functions of resource inputs, so that they are tested
 * without the policy engine. Each returns one message per violation; none means compliant.
 */

/** Environment variable names whose values are secrets and must come from a secret reference. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** Values no real secret has: placeholders that mean someone typed a literal into the code. */
const PLACEHOLDER_SECRET =
    /^(|changeme|change-me|password|secret|admin|test|example|default|todo|xxx+|1234.*)$/i;

import { isComputed, Props, listOf } from "./unknowns";

interface Container {
    name?: string;
    env?: Array<{ name?: string; value?: unknown; valueFrom?: unknown }>;
    securityContext?: {
        runAsNonRoot?: boolean;
        runAsUser?: number;
        privileged?: boolean;
        allowPrivilegeEscalation?: boolean;
    };
}

/** The pod spec inside a workload object, whatever its kind. */
export function podSpecOf(kind: string, spec: Props | undefined): Props | undefined {
    if (!spec) return undefined;
    switch (kind) {
        case "Pod":
            return spec;
        case "CronJob":
            return spec.jobTemplate?.spec?.template?.spec;
        default:
            return spec.template?.spec;
    }
}

export function podSecurityViolations(podSpec: Props): string[] {
    const podContext = podSpec.securityContext ?? {};
    const violations: string[] = [];
    for (const container of containersOf(podSpec)) {
        const context = container.securityContext ?? {};
        // Judged on `pulumi up`, once known.
        if (
            [
                podContext,
                podContext.runAsNonRoot,
                podContext.runAsUser,
                context,
                context.runAsNonRoot,
                context.runAsUser,
                context.allowPrivilegeEscalation,
            ].some(isComputed)
        )
            continue;
        const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
        const user = context.runAsUser ?? podContext.runAsUser;
        if (nonRoot !== true || user === 0) {
            violations.push(
                `container "${container.name}" may run as root: set securityContext.runAsNonRoot: true and a non-zero runAsUser`,
            );
        }
        if (context.privileged === true) {
            violations.push(`container "${container.name}" is privileged`);
        }
        if (context.allowPrivilegeEscalation !== false) {
            violations.push(
                `container "${container.name}" allows privilege escalation: set securityContext.allowPrivilegeEscalation: false`,
            );
        }
    }
    return violations;
}

/** Init containers and containers of a pod spec. */
export function containersOf(podSpec: Props): Container[] {
    return [...listOf(podSpec.initContainers), ...listOf(podSpec.containers)].filter(
        (container) => container && !isComputed(container),
    );
}

export function literalSecretEnvViolations(containers: Container[]): string[] {
    return containers.flatMap((container) =>
        listOf(container.env)
            .filter(
                (variable) =>
                    variable.name &&
                    SECRET_NAME.test(variable.name) &&
                    variable.value !== undefined,
            )
            .map(
                (variable) =>
                    `container "${container.name}" sets ${variable.name} as a literal value; use valueFrom.secretKeyRef`,
            ),
    );
}

/** The parts of a Helm release's values that declare container env (`frontend.env`, ...), as containers. */
export function releaseContainers(values: Props | undefined): Container[] {
    return Object.entries(values ?? {})
        .filter(
            ([, part]) =>
                part && typeof part === "object" && Array.isArray((part as Container).env),
        )
        .map(([name, part]) => ({ name, env: (part as Container).env }));
}

/** A Secret whose values are placeholders, or a ConfigMap holding what looks like a secret. */
export function literalSecretObjectViolations(
    kind: "Secret" | "ConfigMap",
    props: Props,
): string[] {
    if (kind === "ConfigMap") {
        return Object.keys(props.data ?? {})
            .filter((key) => SECRET_NAME.test(key))
            .map((key) => `ConfigMap key "${key}" looks like a secret; keep it in a Secret`);
    }
    const values: Record<string, unknown> = {
        ...(props.stringData ?? {}),
        ...decodeAll(props.data ?? {}),
    };
    return Object.entries(values)
        .filter(([, value]) => typeof value === "string" && PLACEHOLDER_SECRET.test(value.trim()))
        .map(
            ([key]) =>
                `Secret key "${key}" holds a literal placeholder value; generate it (random) or read it from secret config`,
        );
}

function decodeAll(data: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(data).map(([key, value]) => [
            key,
            typeof value === "string" ? Buffer.from(value, "base64").toString("utf8") : value,
        ]),
    );
}

export function ingressTlsViolations(spec: Props | undefined): string[] {
    // Judged on `pulumi up`, once known.
    if (isComputed(spec) || isComputed(spec?.tls) || isComputed(spec?.rules)) return [];
    const tls: Array<{ hosts?: string[]; secretName?: string }> = listOf(spec?.tls);
    if (tls.length === 0) return ["the Ingress has no TLS section"];
    if (
        tls.some(
            (entry) =>
                isComputed(entry) ||
                isComputed(entry?.hosts) ||
                isComputed(entry?.secretName) ||
                listOf(entry?.hosts).some(isComputed),
        )
    )
        return [];
    const covered = new Set(
        tls.filter((entry) => entry.secretName).flatMap((entry) => listOf(entry.hosts)),
    );
    return listOf(spec?.rules)
        .filter((rule: unknown) => !isComputed(rule))
        .map((rule: { host?: string }) => rule?.host)
        .filter((host: unknown) => !isComputed(host))
        .filter((host: string | undefined) => !host || !covered.has(host))
        .map(
            (host: string | undefined) => `host ${host ?? "(any)"} is served without a TLS secret`,
        );
}

interface EcsContainer {
    name?: string;
    user?: string;
    privileged?: boolean;
    environment?: Array<{ name?: string; value?: string }>;
}

function parseContainers(containerDefinitions: unknown): EcsContainer[] | string {
    // Judged on `pulumi up`, once known: on a preview of a new tenant the definitions hold its new ARNs.
    if (isComputed(containerDefinitions)) return [];
    try {
        const parsed =
            typeof containerDefinitions === "string"
                ? JSON.parse(containerDefinitions)
                : containerDefinitions;
        return Array.isArray(parsed) ? parsed : "containerDefinitions is not a list";
    } catch {
        return "containerDefinitions is not valid JSON";
    }
}

export function ecsPlainSecretViolations(containerDefinitions: unknown): string[] {
    const containers = parseContainers(containerDefinitions);
    if (typeof containers === "string") return [containers];
    return containers.flatMap((container) =>
        listOf(container.environment)
            .filter((variable) => variable.name && SECRET_NAME.test(variable.name))
            .map(
                (variable) =>
                    `container "${container.name}" passes ${variable.name} as a plain environment value; use secrets (valueFrom)`,
            ),
    );
}

export function ecsRootViolations(containerDefinitions: unknown): string[] {
    const containers = parseContainers(containerDefinitions);
    if (typeof containers === "string") return [containers];
    return containers.flatMap((container) => [
        ...(container.privileged === true ? [`container "${container.name}" is privileged`] : []),
        ...(container.user === undefined || /^(root|0)(:.*)?$/.test(container.user)
            ? [`container "${container.name}" runs as root: set a non-root user`]
            : []),
    ]);
}

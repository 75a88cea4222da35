/** The policies of the aims tenants pack, all mandatory. The checks themselves are in rules.ts and the modules beside it. */
import {
    PolicyResource,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { iamWildcardViolations } from "./iam";
import { allowAllIngressViolations } from "./network-policy";
import { prodDataViolations, RuleResource } from "./prod-data";
import * as rules from "./rules";
import { isComputed, listOf, Props } from "./unknowns";
import { TENANT_TYPE } from "../components/vocabulary/type-tokens";

/** A resource policy with one validation function, so tests can call it directly. */
export type ResourcePolicy = ResourceValidationPolicy & { validateResource: ResourceValidation };

const WORKLOAD_KINDS: Record<string, string> = {
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:apps/v1:DaemonSet": "DaemonSet",
    "kubernetes:batch/v1:Job": "Job",
    "kubernetes:batch/v1:CronJob": "CronJob",
    "kubernetes:core/v1:Pod": "Pod",
};
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const podSecurity: ResourcePolicy = {
    name: "containers-not-root",
    description: "No container runs as root, privileged, or with privilege escalation.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const podSpec = podSpecOfWorkload(args.type, args.props);
        if (podSpec) rules.podSecurityViolations(podSpec).forEach((v) => report(v));
        if (args.type === "aws:ecs/taskDefinition:TaskDefinition") {
            rules.ecsRootViolations(args.props.containerDefinitions).forEach((v) => report(v));
        }
    },
};

const noLiteralSecrets: ResourcePolicy = {
    name: "no-literal-secrets",
    description:
        "Secrets are references (secretKeyRef, generated or secret config), never literal values in a Secret, ConfigMap or container env.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const podSpec = podSpecOfWorkload(args.type, args.props);
        if (podSpec)
            rules.literalSecretEnvViolations(rules.containersOf(podSpec)).forEach((v) => report(v));
        if (args.type === "kubernetes:core/v1:Secret")
            rules.literalSecretObjectViolations("Secret", args.props).forEach((v) => report(v));
        if (args.type === "kubernetes:core/v1:ConfigMap")
            rules.literalSecretObjectViolations("ConfigMap", args.props).forEach((v) => report(v));
        if (args.type === "kubernetes:helm.sh/v3:Release") {
            rules
                .literalSecretEnvViolations(rules.releaseContainers(args.props.values))
                .forEach((v) => report(v));
        }
    },
};

const ecsSecrets: ResourcePolicy = {
    name: "task-definition-secrets-from-secrets-manager",
    description:
        "An ECS task definition passes secrets through `secrets` (valueFrom), never as plain environment values.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:ecs/taskDefinition:TaskDefinition") return;
        rules.ecsPlainSecretViolations(args.props.containerDefinitions).forEach((v) => report(v));
    },
};

const ingressTls: ResourcePolicy = {
    name: "ingress-requires-tls",
    description: "Every Ingress serves each of its hosts with TLS.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:networking.k8s.io/v1:Ingress") return;
        rules.ingressTlsViolations(args.props.spec).forEach((v) => report(v));
    },
};

const iamNoWildcard: ResourcePolicy = {
    name: "iam-no-wildcard",
    description:
        "IAM policies of tenants name their actions and resources; no Allow statement has a wildcard (* or ?) in an Action or Resource, or uses NotAction or NotResource.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (
            args.type === "aws:iam/rolePolicy:RolePolicy" ||
            args.type === "aws:iam/policy:Policy"
        ) {
            iamWildcardViolations(args.props.policy).forEach((v) => report(v));
        }
        if (args.type === "aws:iam/role:Role") {
            for (const inline of listOf(args.props.inlinePolicies)) {
                if (inline?.policy)
                    iamWildcardViolations(inline.policy).forEach((v) =>
                        report(`inline policy ${inline.name}: ${v}`),
                    );
            }
        }
    },
};

const networkPolicyNotAllowAll: ResourcePolicy = {
    name: "network-policy-not-allow-all",
    description:
        "No NetworkPolicy admits every source: each ingress rule names the namespaces, pods or address ranges it admits.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === NETWORK_POLICY)
            allowAllIngressViolations(args.props.spec).forEach((v) => report(v));
    },
};

const namespaceIsolation: StackValidationPolicy = {
    name: "namespace-isolated",
    description:
        "Every tenant namespace has a NetworkPolicy that selects all its pods and restricts ingress.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const networkPolicies = args.resources.filter((r) => r.type === NETWORK_POLICY);
        const decisive = (r: PolicyResource) => [
            r.props.spec,
            r.props.spec?.podSelector,
            r.props.spec?.policyTypes,
            r.props.metadata,
            r.props.metadata?.namespace,
        ];
        // Which namespaces the policies isolate is judged on `pulumi up`, once known.
        if (
            networkPolicies.some(
                (r) =>
                    decisive(r).some(isComputed) ||
                    listOf(r.props.spec?.policyTypes).some(isComputed),
            )
        )
            return;
        const isolated = new Set(
            networkPolicies
                .filter(
                    (r) =>
                        isEmptySelector(r.props.spec?.podSelector) &&
                        listOf(r.props.spec?.policyTypes).includes("Ingress"),
                )
                .map((r) => r.props.metadata?.namespace),
        );
        for (const namespace of args.resources.filter((r) => r.type === NAMESPACE)) {
            const name = namespace.props.metadata?.name;
            if (!isComputed(namespace.props.metadata) && !isComputed(name) && !isolated.has(name)) {
                report(
                    `namespace ${name} has no NetworkPolicy selecting all its pods for Ingress`,
                    namespace.urn,
                );
            }
        }
    },
};

const protectedData: StackValidationPolicy = {
    name: "prod-data-protected",
    description:
        "In environment prod, tenant databases, roles, namespaces and secrets are protected (unless the tenant is offboarding) and retained on delete.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        prodDataViolations(args.resources.map(toRuleResource)).forEach(({ urn, message }) =>
            report(message, urn),
        );
    },
};

/** The pod spec of a Kubernetes workload resource; undefined for any other type. */
function podSpecOfWorkload(type: string, props: Props): Props | undefined {
    const kind = WORKLOAD_KINDS[type];
    return kind ? rules.podSpecOf(kind, props.spec) : undefined;
}

function isEmptySelector(selector: unknown): boolean {
    return (
        selector !== undefined && selector !== null && Object.keys(selector as object).length === 0
    );
}

function toRuleResource(resource: PolicyResource): RuleResource {
    let tenant: string | undefined;
    for (let current: PolicyResource | undefined = resource; current; current = current.parent) {
        if (current.type === TENANT_TYPE) tenant = current.name;
    }
    return {
        type: resource.type,
        urn: resource.urn,
        props: resource.props,
        protect: resource.opts.protect,
        tenant,
    };
}

export const policies: Array<ResourcePolicy | StackValidationPolicy> = [
    podSecurity,
    noLiteralSecrets,
    ecsSecrets,
    ingressTls,
    iamNoWildcard,
    networkPolicyNotAllowAll,
    namespaceIsolation,
    protectedData,
];

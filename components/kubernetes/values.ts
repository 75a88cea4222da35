/**
 * The values of the tenant chart (charts/tenant/values.yaml documents each one), built from the
 * tenant file and the settings alone. Secrets are referenced by name: no secret value is ever part of
 * the values, which Helm stores in the cluster and Pulumi in its state in plain text.
 */
import { isRunning } from "../vocabulary/app-contract";
import {
    BOOTSTRAP_READY_ATTEMPTS,
    BOOTSTRAP_READY_DEADLINE_SECONDS,
    coreEnvironment,
    coreSecretVariables,
} from "../core-contract";
import { djangoKeySecretName, tenantDatabaseName } from "../adoption";
import { coreSecretName, databaseSecretName, imagePullSecretName } from "../vocabulary/naming";
import { PLANS } from "../vocabulary/plans";
import type { TenantSpec } from "../tenant-files/registry";
import type { StackSettings } from "../stack/settings";
import { KubernetesSettings } from "../stack/kubernetes";
import { appVersionOf } from "../stack/rings";
import { ContainerResources, containerResources } from "./sizing";

export interface ImageValues {
    readonly repository: string;
    readonly tag: string;
    readonly pullPolicy: "IfNotPresent" | "Always" | "Never";
}

export interface ComponentValues {
    readonly image: ImageValues;
    readonly replicas: number;
    readonly resources: ContainerResources;
}

/** A container environment variable: a plain value, or a reference to a key of a Secret. */
export type EnvVar =
    | { readonly name: string; readonly value: string }
    | {
          readonly name: string;
          readonly valueFrom: {
              readonly secretKeyRef: { readonly name: string; readonly key: string };
          };
      };

export interface BackendValues extends ComponentValues {
    /** The core's variables, added to the backend and its init containers; secrets by reference only. */
    readonly env: readonly EnvVar[];
    /** The init container that calls the core back once migrate and bootstrap succeeded. */
    readonly bootstrapReady: {
        readonly enabled: boolean;
        readonly attempts: number;
        readonly deadlineSeconds: number;
    };
}

export interface TenantChartValues {
    readonly tenant: { readonly name: string; readonly host: string };
    readonly frontend: ComponentValues;
    readonly backend: BackendValues;
    readonly database: {
        readonly host: string;
        readonly port: number;
        readonly name: string;
        readonly credentialsSecret: string;
    };
    /** The Secret with SECRET_KEY: `database.credentialsSecret`, or an adopted school's own Django secret. */
    readonly djangoSecret: string;
    readonly imagePullSecrets: ReadonlyArray<{ readonly name: string }>;
}

export function tenantChartValues(
    tenant: Pick<TenantSpec, "name" | "plan" | "status" | "image" | "ring" | "schoolId" | "adopt">,
    settings: Pick<StackSettings, "images" | "rings" | "database" | "core" | "environment">,
    kubernetes: Pick<KubernetesSettings, "registry" | "imagePullPolicy">,
    host: string,
): TenantChartValues {
    const plan = PLANS[tenant.plan].kubernetes;
    // A tenant that is not running keeps its Deployments, scaled to zero.
    const running = isRunning(tenant.status);
    const resources = containerResources(plan);
    const { tag } = appVersionOf(tenant, settings);
    const image = (repository: string): ImageValues => ({
        repository,
        tag,
        pullPolicy: kubernetes.imagePullPolicy,
    });
    return {
        tenant: { name: tenant.name, host },
        frontend: {
            image: image(settings.images.frontend),
            replicas: running ? plan.frontendReplicas : 0,
            resources,
        },
        backend: {
            image: image(settings.images.backend),
            replicas: running ? plan.backendReplicas : 0,
            resources,
            env: backendCoreEnv(tenant, settings),
            bootstrapReady: {
                enabled: settings.core !== undefined,
                attempts: BOOTSTRAP_READY_ATTEMPTS,
                deadlineSeconds: BOOTSTRAP_READY_DEADLINE_SECONDS,
            },
        },
        database: {
            host: settings.database.appHost,
            port: settings.database.appPort,
            name: tenantDatabaseName(tenant, settings.environment),
            credentialsSecret: databaseSecretName(tenant.name),
        },
        djangoSecret: djangoKeySecretName(tenant, settings.environment),
        imagePullSecrets: kubernetes.registry ? [{ name: imagePullSecretName(tenant.name) }] : [],
    };
}

/** The core's variables of the backend: plain values, then the secret ones from the tenant's core Secret. */
export function backendCoreEnv(
    tenant: Pick<TenantSpec, "name" | "schoolId">,
    settings: Pick<StackSettings, "core">,
): EnvVar[] {
    const plain = Object.entries(
        coreEnvironment(settings.core, { name: tenant.name, schoolId: tenant.schoolId }),
    ).map(([name, value]) => ({ name, value }));
    if (!settings.core) return plain;
    const secretName = coreSecretName(tenant.name);
    const secret = Object.entries(
        coreSecretVariables(settings.core, settings.core.objectStorage?.credentials !== undefined),
    ).map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: secretName, key } } }));
    return [...plain, ...secret];
}

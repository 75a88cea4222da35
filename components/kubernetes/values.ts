/**
 * The values of the tenant chart (charts/tenant/values.yaml documents each one), built from the
 * spec and the settings alone. Secrets are referenced by name: no secret value is ever part of
 * the values, which Helm stores in the cluster and Pulumi in its state in plain text.
 */
import { databaseName, databaseSecretName, djangoSecretName, imagePullSecretName } from "../naming";
import { PLANS } from "../plans";
import type { TenantSpec } from "../registry";
import type { StackSettings } from "../settings";
import { TenantStatus } from "../vocabulary";
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

export interface TenantChartValues {
    readonly tenant: { readonly name: string; readonly host: string };
    readonly frontend: ComponentValues;
    readonly backend: ComponentValues & { readonly bootstrap: { readonly coreReadyUrl: string } };
    readonly database: { readonly host: string; readonly port: number; readonly name: string; readonly credentialsSecret: string };
    readonly djangoSecret: string;
    readonly imagePullSecrets: ReadonlyArray<{ readonly name: string }>;
}

/** Statuses that keep the tenant's pods running; the others scale both Deployments to zero. */
export const RUNNING_STATUSES: readonly TenantStatus[] = ["active"];

export function tenantChartValues(
    spec: Pick<TenantSpec, "name" | "plan" | "status" | "image">,
    settings: Pick<StackSettings, "images" | "database" | "kubernetes">,
    host: string,
): TenantChartValues {
    const plan = PLANS[spec.plan].kubernetes;
    const running = RUNNING_STATUSES.includes(spec.status);
    const resources = containerResources(plan);
    const tag = spec.image?.tag ?? settings.images.tag;
    const image = (repository: string): ImageValues => ({ repository, tag, pullPolicy: "Always" });
    return {
        tenant: { name: spec.name, host },
        frontend: {
            image: image(settings.images.frontend),
            replicas: running ? plan.frontendReplicas : 0,
            resources,
        },
        backend: {
            image: image(settings.images.backend),
            replicas: running ? plan.backendReplicas : 0,
            resources,
            bootstrap: { coreReadyUrl: settings.kubernetes?.coreBootstrapReadyUrl ?? "" },
        },
        database: {
            host: settings.database.appHost,
            port: settings.database.appPort,
            name: databaseName(spec.name),
            credentialsSecret: databaseSecretName(spec.name),
        },
        djangoSecret: djangoSecretName(spec.name),
        imagePullSecrets: settings.kubernetes?.registry ? [{ name: imagePullSecretName(spec.name) }] : [],
    };
}


/** The Helm release of the tenant chart: the frontend and backend Deployments and Services. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { releaseName } from "../vocabulary/naming";
import { KubernetesSettings } from "../stack/kubernetes";
import { tenantChartValues } from "./values";

/** Release revisions Helm keeps, each a Secret in the namespace (the ResourceQuota counts them). */
export const RELEASE_MAX_HISTORY = 10;

/**
 * The chart as the provider looks it up: relative to the project root, which is the working
 * directory of a Pulumi program and its providers. Not an absolute path: the provider diffs
 * `chart`, so a checkout-specific path would upgrade every release when someone else deploys.
 * The leading `./` makes Helm read a local folder, never a `repo/chart` reference.
 */
export function chartReference(settings: Pick<KubernetesSettings, "chartPath">): string {
    return `./${settings.chartPath}`;
}

export interface TenantReleaseArgs {
    readonly tenant: Parameters<typeof tenantChartValues>[0];
    readonly settings: Parameters<typeof tenantChartValues>[1];
    readonly kubernetes: Pick<KubernetesSettings, "chartPath" | "registry" | "imagePullPolicy">;
    readonly host: string;
    /** The tenant's namespace; an Output, so the release waits for it. */
    readonly namespace: pulumi.Input<string>;
}

/** `opts.dependsOn`: what must exist before the pods start (their Secrets, the NetworkPolicy, the quota). */
export function createRelease(
    name: string,
    args: TenantReleaseArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        `${name}-release`,
        {
            name: releaseName(args.tenant.name),
            namespace: args.namespace,
            createNamespace: false,
            chart: chartReference(args.kubernetes),
            values: tenantChartValues(args.tenant, args.settings, args.kubernetes, args.host),
            // Helm's own wait says only, after its whole timeout, that the release is not ready;
            // the rollout check (rollout.ts) waits instead, and names what is wrong at once.
            skipAwait: true,
            // A failed upgrade leaves the old pods serving (maxUnavailable 0); Helm removes what it created.
            atomic: false,
            cleanupOnFail: true,
            maxHistory: RELEASE_MAX_HISTORY,
        },
        opts,
    );
}

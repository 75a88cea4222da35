/**
 * The rollout check of a tenant: after each Helm upgrade, Pulumi runs
 * rollout-watch/wait-for-rollout.js, which waits until the tenant's Deployments are done and fails
 * within seconds when a pod cannot start (a missing image, a crashing migration, a missing
 * variable, no room on the nodes), naming the tenant, the container and its reason. Helm's own
 * wait would only say, after its whole timeout, that the release did not become ready.
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { backendServiceName, frontendServiceName, releaseName } from "../vocabulary/naming";
import type { KubernetesSettings } from "../stack/kubernetes";

/** Relative to the project root, the working directory of the program and its providers. */
export const ROLLOUT_CHECK_SCRIPT = "components/kubernetes/rollout-watch/wait-for-rollout.js";
export const ROLLOUT_CHECK_COMMAND = `node ${ROLLOUT_CHECK_SCRIPT}`;
/** The longest a rollout may take: the image pulls and the longest migration. */
export const ROLLOUT_TIMEOUT_SECONDS = 600;

export interface RolloutCheckArgs {
    readonly tenant: string;
    /** The tenant's ring of fleet upgrades, in a stack with rings: a failure names it. */
    readonly ring?: string;
    readonly kubernetes: Pick<KubernetesSettings, "context">;
    readonly namespace: pulumi.Input<string>;
    /** The release whose rollout is checked: each new revision runs the check again. */
    readonly release: k8s.helm.v3.Release;
}

/** The check's environment: what to watch, and the release revision that makes each upgrade a change. */
export function rolloutCheckEnvironment(
    args: RolloutCheckArgs,
): Record<string, pulumi.Input<string>> {
    const release = releaseName(args.tenant);
    return {
        AIMS_ROLLOUT_TENANT: args.tenant,
        ...(args.ring && { AIMS_ROLLOUT_RING: args.ring }),
        AIMS_ROLLOUT_NAMESPACE: args.namespace,
        // The chart's Deployments have the names of its Services.
        AIMS_ROLLOUT_DEPLOYMENTS: [frontendServiceName(release), backendServiceName(release)].join(
            ",",
        ),
        AIMS_ROLLOUT_TIMEOUT_SECONDS: String(ROLLOUT_TIMEOUT_SECONDS),
        // Unknown only under mocks, which give a release no status.
        AIMS_ROLLOUT_REVISION: args.release.status.apply((status) =>
            String(status?.revision ?? ""),
        ),
        ...(args.kubernetes.context && { AIMS_ROLLOUT_CONTEXT: args.kubernetes.context }),
    };
}

/** `opts.dependsOn` should hold the release. */
export function createRolloutCheck(
    name: string,
    args: RolloutCheckArgs,
    opts: pulumi.CustomResourceOptions,
): command.local.Command {
    return new command.local.Command(
        `${name}-rollout`,
        {
            create: ROLLOUT_CHECK_COMMAND,
            update: ROLLOUT_CHECK_COMMAND,
            environment: rolloutCheckEnvironment(args),
        },
        opts,
    );
}

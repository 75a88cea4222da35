/** The suite looks at the cluster with the same client as `recover` (scripts/lib/kube-client.ts). */
export * from "../../../scripts/lib/kube-client";

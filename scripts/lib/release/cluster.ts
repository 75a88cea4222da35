/** What `release` reads of a cluster: objects by path, as scripts/lib/kube-client.ts gives them; tests pass a fake. */
import * as os from "node:os";
import * as path from "node:path";
import { KubeClient, KubeObject } from "../kube-client";

export interface ClusterReader {
    get(path: string): Promise<KubeObject | undefined>;
    list(path: string, labelSelector?: string): Promise<KubeObject[]>;
}

/** The cluster of a stack's `aims:kubernetes.context`, through KUBECONFIG (its first file) or ~/.kube/config. */
export function kubeconfigCluster(context: string | undefined): ClusterReader {
    const file =
        process.env.KUBECONFIG?.split(path.delimiter).find(Boolean) ??
        path.join(os.homedir(), ".kube", "config");
    return KubeClient.fromKubeconfig(file, context);
}

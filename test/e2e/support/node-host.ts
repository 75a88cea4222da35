/**
 * Where tenant pods reach this machine: the node's bridge address on the single-node platform,
 * or AIMS_NODE_HOST_IP where the host is reachable differently (kind, say). The stand-ins bind
 * it, or bind elsewhere and advertise it.
 */
export const DEFAULT_NODE_HOST_IP = "10.88.0.1";

export const nodeHostAddress = (env: NodeJS.ProcessEnv = process.env): string =>
    env.AIMS_NODE_HOST_IP?.trim() || DEFAULT_NODE_HOST_IP;

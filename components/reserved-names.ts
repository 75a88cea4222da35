/** Names the platform, the cluster or the product already use, as subdomains or namespaces. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
    "www", "api", "admin", "app", "mail", "core", "static", "assets", "status", "auth", "login",
    "argocd", "database", "postgres", "pgbouncer", "traefik", "cert-manager", "ingress-nginx",
    "monitoring", "logging", "default", "aims", "aims-core", "flux-system", "kube-system", "kube-public", "kube-node-lease",
]);
/** Prefixes of names Kubernetes keeps for itself. */
export const RESERVED_PREFIXES = ["kube-"];

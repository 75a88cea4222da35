/**
 * Looks on the platform for the object a resource stands for: does it exist, and what recovery
 * needs to know whether the program made it. It changes one thing only, outside Pulumi: Helm's
 * record of a first install that was cut off, which Helm itself would never let go.
 */
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { KubeClient, KubeObject } from "../kube-client";
import { PhysicalIdentity } from "./physical-id";
import { DatabaseFacts, HelmRevision, RoleFacts } from "./ownership";

export interface AdminConnection {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    /** Never printed. */
    readonly password: string;
    readonly sslmode?: string;
}

export type Found =
    | { readonly kind: "absent" }
    | { readonly kind: "kubernetes"; readonly labels?: Record<string, string> }
    | {
          readonly kind: "helm-release";
          readonly namespaceLabels?: Record<string, string>;
          readonly revisions: HelmRevision[];
      }
    | { readonly kind: "postgres-role"; readonly facts: RoleFacts }
    | { readonly kind: "postgres-database"; readonly facts: DatabaseFacts };

export class PlatformProbe {
    private kube?: KubeClient;

    constructor(
        private readonly kubeContext: string | undefined,
        private readonly admin: () => AdminConnection,
    ) {}

    async find(identity: PhysicalIdentity): Promise<Found> {
        switch (identity.kind) {
            case "kubernetes": {
                const object = await this.cluster().get<KubeObject>(identity.apiPath);
                return object
                    ? { kind: "kubernetes", labels: object.metadata.labels }
                    : { kind: "absent" };
            }
            case "helm-release": {
                const revisions = await this.cluster().list(
                    `/api/v1/namespaces/${encodeURIComponent(identity.namespace)}/secrets`,
                    `owner=helm,name=${identity.name}`,
                );
                if (revisions.length === 0) return { kind: "absent" };
                const namespace = await this.cluster().get<KubeObject>(
                    `/api/v1/namespaces/${encodeURIComponent(identity.namespace)}`,
                );
                return {
                    kind: "helm-release",
                    namespaceLabels: namespace?.metadata.labels,
                    revisions: revisions.map((r) => ({
                        secret: r.metadata.name,
                        labels: r.metadata.labels ?? {},
                    })),
                };
            }
            case "postgres-role":
                return this.role(identity.name);
            case "postgres-database":
                return this.database(identity.name);
            default:
                throw new Error(`nothing to look for: ${identity.why}`);
        }
    }

    /** Deletes Helm's records (Secrets) of a release in `namespace`; the release's objects stay. */
    async forgetHelmRecords(namespace: string, records: readonly string[]): Promise<void> {
        for (const record of records)
            await this.cluster().delete(
                `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(record)}`,
            );
    }

    private async role(name: string): Promise<Found> {
        return this.query(async (client) => {
            const { rows } = await client.query(
                `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolconnlimit,
                        ARRAY(SELECT datname::text FROM pg_database WHERE datdba = r.oid ORDER BY datname) AS owned
                   FROM pg_roles r WHERE rolname = $1`,
                [name],
            );
            if (rows.length === 0) return { kind: "absent" };
            const row = rows[0];
            return {
                kind: "postgres-role",
                facts: {
                    canLogin: row.rolcanlogin,
                    superuser: row.rolsuper,
                    createDatabase: row.rolcreatedb,
                    createRole: row.rolcreaterole,
                    connectionLimit: row.rolconnlimit,
                    ownedDatabases: row.owned,
                },
            };
        });
    }

    private async database(name: string): Promise<Found> {
        const owner = await this.query(async (client) => {
            const { rows } = await client.query(
                "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1",
                [name],
            );
            return rows[0]?.owner as string | undefined;
        });
        if (owner === undefined) return { kind: "absent" };
        // Counted inside the database; a database that refuses the admin's connection is reported as used.
        const userRelations = await this.query(async (client) => {
            const { rows } = await client.query(
                `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
            );
            return rows[0].n as number;
        }, name).catch(() => Number.POSITIVE_INFINITY);
        return { kind: "postgres-database", facts: { owner, userRelations } };
    }

    private cluster(): KubeClient {
        this.kube ??= KubeClient.fromKubeconfig(
            process.env.KUBECONFIG?.split(path.delimiter)[0] ||
                path.join(os.homedir(), ".kube", "config"),
            this.kubeContext,
        );
        return this.kube;
    }

    private async query<T>(
        work: (client: Client) => Promise<T>,
        database = "postgres",
    ): Promise<T> {
        const admin = this.admin();
        const client = new Client({
            host: admin.host,
            port: admin.port,
            user: admin.user,
            password: admin.password,
            database,
            ssl:
                admin.sslmode && admin.sslmode !== "disable"
                    ? { rejectUnauthorized: admin.sslmode === "verify-full" }
                    : undefined,
            connectionTimeoutMillis: 10_000,
        });
        await client.connect();
        try {
            return await work(client);
        } finally {
            await client.end();
        }
    }
}

/**
 * The `restore` field of a tenant file: per environment, the dump of the backup bucket the
 * tenant's database is restored from. The schema checks the shape of the key and the version;
 * this file checks what the schema cannot: the environment is one of the tenant's, the dump lies
 * in the tenant's own folder of that environment, the tenant is not offboarding, and it runs on
 * Kubernetes (an AWS restore is not supported yet). The stack checks the bucket prefix
 * (components/stack/restore.ts).
 */
import { ENVIRONMENTS, Environment, isOneOf } from "../vocabulary/words";
import tenantSchema from "../../schema/tenant.schema.json";

const DUMP_KEY = new RegExp(tenantSchema.definitions.restore.properties.dump.pattern);

/** One restore: the object key of a dump in `aims:backup.bucket`, and optionally its S3 version. */
export interface RestoreSpec {
    readonly dump: string;
    readonly versionId?: string;
}

export type RestoreSpecs = Readonly<Partial<Record<Environment, RestoreSpec>>>;

/** The folder a restore's dump must lie in, below the stack's prefix: `<env>/<tenant>/`. */
export const restoreFolder = (env: Environment, tenant: string): string => `${env}/${tenant}/`;

/**
 * A restore may only read a dump of the same tenant and environment: a dump of another school
 * would hand its pupils' data to this one, and a prod dump restored in dev would leave prod data
 * where prod's protections do not apply. `dump` is already a valid key (the schema).
 */
export function dumpFolderProblem(
    dump: string,
    env: Environment,
    tenant: string,
): string | undefined {
    const parts = dump.split("/");
    const folder = parts.slice(-3, -1).join("/") + "/";
    return parts.length >= 4 && folder === restoreFolder(env, tenant)
        ? undefined
        : `must be a dump of this tenant in ${env}, in the folder <aims:backup.prefix>/${restoreFolder(env, tenant)} of the bucket, such as offboarding/${env}/${tenant}/tenant_<name>.dump (got ${JSON.stringify(dump)}); a dump of another school or environment is restored by hand (docs/offboarding.md)`;
}

/** The rules of `restore` beyond its schema, each naming the file and the field. */
export function restoreProblems(file: string, fields: Record<string, unknown>): string[] {
    const restore = fields.restore;
    if (restore === null || typeof restore !== "object" || Array.isArray(restore)) return [];
    const environments: unknown[] = Array.isArray(fields.environments)
        ? fields.environments
        : [...ENVIRONMENTS];
    const problems: string[] = [];
    if (fields.status === "offboarding") {
        problems.push(
            `${file}: restore: a tenant that is offboarding is being dumped and closed, not restored; remove restore, or set status: active (or suspended) to bring the school back`,
        );
    }
    if (fields.platform === "aws") {
        problems.push(
            `${file}: restore: is not supported yet for a tenant on aws (platform: aws); restore its database by hand (docs/offboarding.md)`,
        );
    }
    for (const [env, entry] of Object.entries(restore as Record<string, unknown>)) {
        if (!isOneOf(ENVIRONMENTS, env)) continue;
        if (!environments.includes(env)) {
            problems.push(
                `${file}: restore.${env}: names ${env}, which is not one of the tenant's environments (${environments.map(String).join(", ")}); remove it`,
            );
            continue;
        }
        const dump = (entry as Record<string, unknown> | null)?.dump;
        // A key the schema refused already has its message.
        if (typeof dump === "string" && DUMP_KEY.test(dump) && typeof fields.name === "string") {
            const problem = dumpFolderProblem(dump, env, fields.name);
            if (problem) problems.push(`${file}: restore.${env}.dump: ${problem}`);
        }
    }
    return problems;
}

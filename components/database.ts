/**
 * TenantDatabase: the tenant's own PostgreSQL login role and the database it owns, closed to
 * every other role.
 *
 * The provider's admin is not a superuser (the RDS master user's shape), and PostgreSQL lets only
 * the owner of a database, or a member of the owning role, revoke what the owner granted; anyone
 * else gets the warning "no privileges could be revoked" and the ACL stays open. So the admin is
 * made a member of the tenant role before the database exists, and the revokes act as the owner.
 * The membership gives the admin nothing it lacked: CREATEROLE can grant it at any time.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { AdoptionImportIds, KEPT_ON_ADOPTION } from "./adoption";
import { DataProtection } from "./safety/protection";
import { TENANT_DATABASE_TYPE } from "./vocabulary/type-tokens";

export interface TenantDatabaseArgs {
    /** Name of both the database and its owner role: `tenant_<name>`. */
    readonly name: string;
    /** Password of the role; a secret. None for an adopted role, which keeps its own. */
    readonly password?: pulumi.Input<string>;
    /** Set when the role and database already exist (adopted from the Argo CD setup): what to import. */
    readonly adoption?: Pick<AdoptionImportIds, "role" | "database">;
    /** Most connections the role may hold at once (the plan's). */
    readonly connectionLimit: number;
    /** The provider's admin role, which must act as the owner to close the database. */
    readonly adminRole: string;
    /** Applied to the role and the database. */
    readonly protection: DataProtection;
}

/** A privilege set of PUBLIC on the tenant database, as the provider's Grant states it. */
export interface PublicPrivileges {
    /** Suffix of the Grant's resource name. */
    readonly suffix: string;
    readonly objectType: "database" | "schema";
    readonly schema?: string;
    /** What PUBLIC keeps; the provider revokes everything else. */
    readonly privileges: readonly string[];
}

/**
 * What every role other than the owner may do in a tenant database: nothing on the database
 * (no CONNECT, TEMPORARY or CREATE), and only USAGE on schema public, whose CREATE for PUBLIC
 * PostgreSQL 14 and older grant by default.
 */
export const PUBLIC_PRIVILEGES: readonly PublicPrivileges[] = [
    { suffix: "db-revoke-public", objectType: "database", privileges: [] },
    {
        suffix: "db-revoke-public-schema-create",
        objectType: "schema",
        schema: "public",
        privileges: ["USAGE"],
    },
];

export class TenantDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;
    /** The role's password, secret; undefined for an adopted role, whose password the program never sees. */
    public readonly password?: pulumi.Output<string>;

    constructor(name: string, args: TenantDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TENANT_DATABASE_TYPE, name, {}, opts);
        const data = { parent: this, ...args.protection };
        const { adoption } = args;

        const role = new postgresql.Role(
            `${name}-db-role`,
            {
                name: args.name,
                login: true,
                ...(args.password !== undefined && { password: pulumi.secret(args.password) }),
                superuser: false,
                createDatabase: false,
                createRole: false,
                inherit: true,
                connectionLimit: args.connectionLimit,
            },
            {
                ...data,
                ...(adoption && {
                    import: adoption.role,
                    ignoreChanges: [...KEPT_ON_ADOPTION.role],
                }),
            },
        );

        const adminMembership = new postgresql.GrantRole(
            `${name}-db-admin-membership`,
            {
                role: args.adminRole,
                grantRole: role.name,
                withAdminOption: false,
            },
            { parent: this },
        );

        const database = new postgresql.Database(
            `${name}-db`,
            {
                name: args.name,
                owner: role.name,
                // The encoding cannot change in place: an adopted database keeps the one it has.
                ...(!adoption && { encoding: "UTF8" }),
                allowConnections: true,
            },
            {
                ...data,
                dependsOn: [adminMembership],
                ...(adoption && { import: adoption.database }),
            },
        );

        for (const grant of PUBLIC_PRIVILEGES) {
            new postgresql.Grant(
                `${name}-${grant.suffix}`,
                {
                    database: database.name,
                    role: "public",
                    objectType: grant.objectType,
                    ...(grant.schema && { schema: grant.schema }),
                    privileges: [...grant.privileges],
                },
                { parent: this, dependsOn: [adminMembership] },
            );
        }

        this.databaseName = database.name;
        this.roleName = role.name;
        this.password = args.password === undefined ? undefined : pulumi.secret(args.password);
        this.registerOutputs({ databaseName: this.databaseName, roleName: this.roleName });
    }
}

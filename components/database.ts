/** TenantDatabase: the tenant's own PostgreSQL login role and the database it owns. */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { DataProtection } from "./protection";

export interface TenantDatabaseArgs {
    /** Name of both the database and its owner role: `tenant_<name>`. */
    readonly name: string;
    /** Password of the role; a secret. */
    readonly password: pulumi.Input<string>;
    /** Applied to the role and the database. */
    readonly protection: DataProtection;
}

export class TenantDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;
    /** The role's password, secret. */
    public readonly password: pulumi.Output<string>;

    constructor(name: string, args: TenantDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aims:index:TenantDatabase", name, {}, opts);
        const data = { parent: this, ...args.protection };

        const role = new postgresql.Role(`${name}-db-role`, {
            name: args.name,
            login: true,
            password: pulumi.secret(args.password),
            superuser: false,
            createDatabase: false,
            createRole: false,
            inherit: true,
        }, data);

        const database = new postgresql.Database(`${name}-db`, {
            name: args.name,
            owner: role.name,
            encoding: "UTF8",
            allowConnections: true,
        }, data);

        // Every role may connect to a new database by default; only its owner should.
        new postgresql.Grant(`${name}-db-revoke-public-connect`, {
            database: database.name,
            role: "public",
            objectType: "database",
            privileges: [],
        }, { parent: this });

        this.databaseName = database.name;
        this.roleName = role.name;
        this.password = pulumi.secret(args.password);
        this.registerOutputs({ databaseName: this.databaseName, roleName: this.roleName });
    }
}

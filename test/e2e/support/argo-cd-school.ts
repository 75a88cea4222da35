/**
 * A school as the Argo CD setup runs it, made directly on the platform for the adoption tests:
 * its role and database `tenant_<name>`, its namespace, and its Django and database Secrets.
 */
import * as crypto from "node:crypto";
import type { KubeClient } from "./kube";
import type { Platform } from "./platform";
import { adminQuery } from "./postgres";

export interface ArgoCdSchool {
    readonly name: string;
    readonly database: string;
    /** The role's password and Django's SECRET_KEY, random for each run. */
    readonly password: string;
    readonly secretKey: string;
}

export function argoCdSchool(name: string): ArgoCdSchool {
    return {
        name,
        database: `tenant_${name}`,
        password: crypto.randomBytes(12).toString("hex"),
        secretKey: crypto.randomBytes(32).toString("hex"),
    };
}

/** Creates the school on the platform; the admin is a member of its role only while it creates the database. */
export async function startArgoCdSchool(
    platform: Platform,
    kube: KubeClient,
    school: ArgoCdSchool,
): Promise<void> {
    const { name, database, password } = school;
    await adminQuery(platform, `CREATE ROLE "${database}" LOGIN PASSWORD '${password}'`);
    await adminQuery(platform, `GRANT "${database}" TO "${platform.admin.user}"`);
    await adminQuery(platform, `CREATE DATABASE "${database}" OWNER "${database}"`);
    await adminQuery(platform, `REVOKE "${database}" FROM "${platform.admin.user}"`);
    await kube.create("/api/v1/namespaces", { metadata: { name } });
    const secret = (secretName: string, stringData: Record<string, string>) =>
        kube.create(`/api/v1/namespaces/${name}/secrets`, {
            metadata: { name: secretName },
            type: "Opaque",
            stringData,
        });
    await secret(`${name}-django-secret`, { "secret-key": school.secretKey });
    await secret(`${name}-database`, {
        host: platform.pgHost,
        port: String(platform.pgPort),
        database,
        username: database,
        password,
    });
}

/** PostgreSQL sessions of the end-to-end suite: as the admin, and as a tenant's own role. */
import { Client } from "pg";
import type { Platform } from "./platform";

export interface Login {
    readonly user: string;
    readonly password: string;
}

/** Runs `work` in a session as `login` on `database`, and always closes it. */
export async function withSession<T>(
    platform: Platform,
    login: Login,
    database: string,
    work: (client: Client) => Promise<T>,
): Promise<T> {
    const client = new Client({
        host: platform.pgHost,
        port: platform.pgPort,
        user: login.user,
        password: login.password,
        database,
        connectionTimeoutMillis: 10_000,
    });
    await client.connect();
    try {
        return await work(client);
    } finally {
        await client.end();
    }
}

/** The rows of one query as the admin on `postgres`. */
export async function adminQuery<T = Record<string, unknown>>(
    platform: Platform,
    sql: string,
    values: unknown[] = [],
): Promise<T[]> {
    return withSession(
        platform,
        platform.admin,
        "postgres",
        async (client) => (await client.query(sql, values)).rows as T[],
    );
}

/** The error PostgreSQL raises for `work` as `login` on `database`, or undefined when it succeeds. */
export async function refusal(
    platform: Platform,
    login: Login,
    database: string,
    work: (client: Client) => Promise<unknown> = async () => undefined,
): Promise<{ code?: string; message: string } | undefined> {
    try {
        await withSession(platform, login, database, work);
        return undefined;
    } catch (err) {
        const error = err as { code?: string; message: string };
        return { code: error.code, message: error.message };
    }
}

/** The stack's PostgreSQL admin connection, from its config (`aims:database`); the password is never printed. */
import type { AdminConnection } from "./platform";
import type { PulumiCli } from "./pulumi-cli";

export function adminConnection(cli: PulumiCli): AdminConnection {
    const value = (key: string) => cli.config(`aims:database.${key}`);
    const host = value("host");
    const port = Number(value("port") ?? 5432);
    const user = value("username");
    const password = value("password") ?? process.env.PGPASSWORD;
    const missing = [
        !host && "aims:database.host",
        !user && "aims:database.username",
        !password && "aims:database.password (or PGPASSWORD)",
    ].filter(Boolean);
    if (missing.length > 0 || !Number.isInteger(port))
        throw new Error(
            `stack ${cli.stack}: cannot reach PostgreSQL without ${missing.join(", ") || "a valid aims:database.port"}`,
        );
    return { host: host!, port, user: user!, password: password!, sslmode: value("sslmode") };
}

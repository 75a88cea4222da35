/**
 * The core stand-in where the tenant pods reach it: https with a certificate of the suite's test
 * CA, on the node's host address, and a stack configured to use it (aims:core and its secrets).
 */
import * as crypto from "node:crypto";
import { CoreStandin, startCoreStandin } from "./core-standin";
import type { Platform } from "./platform";
import type { RealStack } from "./project";
import { serverCertificate, subjectAltNames } from "./test-ca";

export interface CoreSecrets {
    readonly bootstrapSecret: string;
    readonly adminApiKey: string;
}

export const newCoreSecrets = (): CoreSecrets => ({
    bootstrapSecret: crypto.randomBytes(16).toString("hex"),
    adminApiKey: crypto.randomBytes(16).toString("hex"),
});

/** The stand-in, knowing `schools` (subdomain to school id). */
export function startCoreOnNode(
    platform: Platform,
    secrets: CoreSecrets,
    schools: Readonly<Record<string, string>>,
): Promise<CoreStandin> {
    const certificate = serverCertificate(subjectAltNames([platform.nodeHost]));
    return startCoreStandin({
        host: platform.nodeHost,
        tls: { cert: certificate.certPem, key: certificate.keyPem },
        ...secrets,
        schools,
    });
}

/** Points the stack's aims:core at the stand-in, with the secrets it checks. */
export async function useCore(
    stack: RealStack,
    platform: Platform,
    core: CoreStandin,
    secrets: CoreSecrets,
): Promise<void> {
    stack.editConfig((config) => ({
        ...config,
        "aims:core": {
            url: core.url,
            // The stand-in has no database; the tenants only get its address in CORE_DB_*.
            database: { host: platform.nodeHost, port: 5432, name: "aimsgodb", user: "aims" },
        },
    }));
    await stack.setSecret("aims:core.database.password", crypto.randomBytes(12).toString("hex"));
    await stack.setSecret("aims:core.bootstrapSecret", secrets.bootstrapSecret);
    await stack.setSecret("aims:core.adminApiKey", secrets.adminApiKey);
}

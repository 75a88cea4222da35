/**
 * The stack's backup bucket in the end-to-end suite: the S3 stand-in, started where the tenant
 * pods reach this machine, and what the suite reads back from it: a dump, as the SQL it restores.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { postgresClient } from "./images/host-runtime";
import type { Platform } from "./platform";
import type { RealStack } from "./project";
import { S3Standin, startS3Standin } from "./s3-standin";

export const BACKUP_BUCKET = "aims-e2e-tenant-backups";

export function startBackupStorage(platform: Platform): Promise<S3Standin> {
    return startS3Standin({ host: platform.nodeHost, bucket: BACKUP_BUCKET });
}

/** Points the stack's aims:backup at the stand-in; its secret key stays what the stack set. */
export function useBackupStorage(stack: RealStack, s3: S3Standin): void {
    stack.editConfig((config) => ({
        ...config,
        "aims:backup": {
            ...(config["aims:backup"] as Record<string, unknown>),
            bucket: s3.bucket,
            region: s3.region,
            endpoint: s3.endpoint,
            accessKeyId: s3.credentials.accessKeyId,
        },
    }));
}

/** The data of a custom-format dump as the SQL pg_restore would run: its COPY blocks included. */
export function dumpAsSql(dump: Buffer): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-dump-"));
    try {
        const file = path.join(dir, "tenant.dump");
        fs.writeFileSync(file, dump);
        const restore = spawnSync(postgresClient().pgRestore, ["--file=-", file], {
            encoding: "utf8",
        });
        if (restore.status !== 0)
            throw new Error(`pg_restore could not read the dump: ${restore.stderr.trim()}`);
        return restore.stdout;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

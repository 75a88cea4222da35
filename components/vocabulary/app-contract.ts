/**
 * What the tenant images expect of every platform that runs them: the user they run as, the
 * ports the two apps listen on, the containers of a tenant and what the init containers run,
 * the writable paths, and which tenant statuses run the apps at all. The ECS task definition
 * reads it; the tenant chart (charts/tenant) states the same facts in its own files, and
 * test/chart.test.ts checks that the two agree.
 */
import type { TenantStatus } from "./words";

/** The non-root user and group of every container, the offboarding backup's included. */
export const APP_USER = { uid: 10001, gid: 10001 } as const;

/** Next.js (the frontend) and Django (the backend) listen on these ports. */
export const FRONTEND_PORT = 3000;
export const BACKEND_PORT = 8000;

/** Container names, the same in the chart's pods and in the ECS task. */
export const CONTAINERS = {
    frontend: "frontend",
    backend: "backend",
    migrate: "migrate",
    bootstrap: "bootstrap",
    bootstrapReady: "bootstrap-ready",
} as const;

/** What the backend image runs before Django starts (values.yaml, backend.migrate/bootstrap). */
export const MIGRATE_COMMAND: readonly string[] = ["python", "manage.py", "migrate", "--noinput"];
export const BOOTSTRAP_COMMAND: readonly string[] = ["python", "manage.py", "bootstrap_tenant"];

/** The root filesystem is read-only: these are the only paths the apps write to. */
export const SCRATCH_PATH = "/tmp";
/** Django's uploaded files. */
export const MEDIA_PATH = "/app/media";
/** Next.js's image and page cache (values.yaml, frontend.cacheDir). */
export const NEXT_CACHE_PATH = "/app/.next/cache";

/**
 * Statuses in which a tenant's apps run and receive traffic. In the others (suspended,
 * offboarding) the tenant runs no pod or task and keeps all its data.
 */
export const RUNNING_STATUSES: readonly TenantStatus[] = ["active"];

export const isRunning = (status: TenantStatus): boolean => RUNNING_STATUSES.includes(status);

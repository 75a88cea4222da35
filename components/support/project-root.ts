import * as path from "node:path";

/**
 * The project's folder (Pulumi.yaml, charts/, tenants/): chart paths are relative to it, as
 * Pulumi resolves them.
 */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The project's folder, where Pulumi.yaml, tenants/ and charts/ are. The program finds its files
 * from here rather than from its own location, so it reads the same files whether it runs from
 * its sources or compiled into dist/.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The nearest folder at or above `start` that holds a Pulumi.yaml. */
export function projectRootOf(start: string): string {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir)
            throw new Error(`no Pulumi.yaml in ${start} or any folder above it`);
    }
}

export const PROJECT_ROOT = projectRootOf(__dirname);

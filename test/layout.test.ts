import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../components/support/project-root";

const PLATFORM_FOLDERS = ["components/aws", "components/kubernetes"];
/** The one general module that must know both platforms: it chooses a tenant's platform part. */
const PLATFORM_CHOOSER = "components/tenant.ts";

const trackedFiles = (): string[] =>
    execFileSync("git", ["ls-files"], { cwd: PROJECT_ROOT, encoding: "utf8" })
        .split("\n")
        .filter(Boolean);

/** The project files a module imports, as paths from the project root. */
function importedFiles(file: string, source: string): string[] {
    return [...source.matchAll(/from "(\.[^"]+)"/g)].map(([, specifier]) =>
        path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, path.dirname(file), specifier)),
    );
}

const inPlatformFolder = (file: string) =>
    PLATFORM_FOLDERS.some((folder) => file.startsWith(`${folder}/`));

describe("layout", () => {
    it("has no general module importing from a platform folder, except the Tenant", () => {
        const general = trackedFiles().filter(
            (file) =>
                /^(index|components\/.*)\.ts$/.test(file) &&
                !inPlatformFolder(file) &&
                file !== PLATFORM_CHOOSER,
        );
        assert.ok(general.length > 20, `found only ${general.length} general modules`);
        const offending = general.flatMap((file) =>
            importedFiles(file, fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"))
                .filter(inPlatformFolder)
                .map((target) => `${file} imports ${target}`),
        );
        assert.deepEqual(offending, []);
    });

    it("finds an import into a platform folder when there is one", () => {
        const imports = importedFiles(
            "components/safety/guard.ts",
            'import { x } from "../aws/service";\nimport { y } from "../vocabulary/naming";',
        );
        assert.deepEqual(imports.filter(inPlatformFolder), ["components/aws/service"]);
    });

    it("refers to no design document outside the repository", () => {
        const outside = trackedFiles().filter(
            (file) =>
                /\.(ts|js|md|ya?ml|json)$/.test(file) &&
                file !== "package-lock.json" &&
                /\bDESIGN\.md\b/.test(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")),
        );
        assert.deepEqual(outside, []);
    });
});

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    sourceDigest,
    STAMP_FILE,
    STAMPED_SOURCES,
    staleBuildProblem,
} from "../components/build/source-stamp";
import { buildProgram } from "../scripts/lib/build-program";
import { PROJECT_ROOT } from "../components/support/project-root";

/** A copy of the project whose sources the test may change: the stamped sources copied, the rest linked. */
function copySources(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-build-"));
    for (const entry of [...STAMPED_SOURCES, "Pulumi.yaml"])
        fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
    for (const entry of ["charts", "node_modules"])
        fs.symlinkSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry));
    fs.mkdirSync(path.join(dir, "tenants"));
    return dir;
}

/** Loads the compiled program as Pulumi does (require), without running it. */
function loadCompiled(dir: string) {
    return spawnSync(process.execPath, ["-e", "require('./dist/index.js')"], {
        cwd: dir,
        encoding: "utf8",
    });
}

describe("npm run build and the compiled program's source check", function () {
    this.timeout(240_000);
    let dir: string;
    before(() => {
        dir = copySources();
        buildProgram(dir, path.join(dir, "dist"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("compiles the program to dist/ and stamps it with the digest of its sources", () => {
        assert.ok(fs.existsSync(path.join(dir, "dist", "index.js")));
        const stamp = JSON.parse(fs.readFileSync(path.join(dir, "dist", STAMP_FILE), "utf8"));
        assert.equal(stamp.digest, sourceDigest(dir));
        assert.equal(sourceDigest(dir), sourceDigest(PROJECT_ROOT));
    });

    it("loads when its sources are unchanged", () => {
        const result = loadCompiled(dir);
        assert.equal(result.status, 0, result.stderr);
    });

    it("refuses to run once a source changed, and says to build again", () => {
        const file = path.join(dir, "components", "tenant.ts");
        const original = fs.readFileSync(file, "utf8");
        fs.appendFileSync(file, "// edited after the build\n");
        try {
            const result = loadCompiled(dir);
            assert.notEqual(result.status, 0);
            assert.match(
                result.stderr,
                /the compiled program is out of date: its sources \(index\.ts, components, .*\) changed since it was built; run `npm run build` and try again/,
            );
        } finally {
            fs.writeFileSync(file, original);
        }
        assert.equal(loadCompiled(dir).status, 0, "the restored source matches the stamp again");
    });

    it("refuses a new source file as well as a changed one", () => {
        const file = path.join(dir, "components", "new-module.ts");
        fs.writeFileSync(file, "export const added = 1;\n");
        try {
            assert.match(staleBuildProblem(dir, path.join(dir, "dist"))!, /out of date/);
        } finally {
            fs.rmSync(file);
        }
    });

    it("refuses a dist/ without a stamp, such as one a bare tsc wrote", () => {
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-build-unstamped-"));
        try {
            assert.match(
                staleBuildProblem(dir, outDir)!,
                /has no source-stamp\.json.*npm run build/,
            );
        } finally {
            fs.rmSync(outDir, { recursive: true, force: true });
        }
    });

    it("needs no build for what the program reads when it runs: tenant files and the chart", () => {
        const before = sourceDigest(dir);
        fs.writeFileSync(path.join(dir, "tenants", "newschool.yaml"), "name: newschool\n");
        try {
            assert.equal(sourceDigest(dir), before);
        } finally {
            fs.rmSync(path.join(dir, "tenants", "newschool.yaml"));
        }
    });

    it("follows linked folders, as in a copy of the project whose components/ is a link", () => {
        const linked = fs.mkdtempSync(path.join(os.tmpdir(), "aims-build-linked-"));
        try {
            for (const entry of STAMPED_SOURCES.filter((e) => e !== "components"))
                fs.cpSync(path.join(dir, entry), path.join(linked, entry), { recursive: true });
            fs.symlinkSync(path.join(dir, "components"), path.join(linked, "components"));
            assert.equal(sourceDigest(linked), sourceDigest(dir));
        } finally {
            fs.rmSync(linked, { recursive: true, force: true });
        }
    });
});

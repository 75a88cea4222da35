/**
 * The GitLab test job, run for real: gitlab-ci-local executes `.gitlab-ci.yml`'s `test` job with
 * its shell executor in a fresh clone of this repository that has nothing beside it, as a user's
 * runner would. It runs the committed HEAD. The pinned tools and npm's cache come from this
 * machine's caches (job variables given on the command line), so the job does not rebuild them.
 * Not part of `npm test`: the job runs `npm test` itself.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";
import { toolsHome } from "../../scripts/lib/tools";

const GITLAB_CI_LOCAL = path.join(PROJECT_ROOT, "node_modules", ".bin", "gitlab-ci-local");

interface JobRun {
    readonly status: number | null;
    readonly output: string;
}

/** A clone of HEAD alone in a new temporary folder: no sibling folders, no uncommitted files. */
function lonelyClone(): string {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "aims-pipeline-"));
    const clone = path.join(parent, "aims-tenants");
    const git = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", PROJECT_ROOT, clone], {
        encoding: "utf8",
    });
    assert.equal(git.status, 0, git.stderr);
    assert.deepEqual(fs.readdirSync(parent), ["aims-tenants"], "nothing beside the clone");
    return clone;
}

function runGitlabJob(clone: string, job: string): JobRun {
    const npmCache = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" });
    const result = spawnSync(
        GITLAB_CI_LOCAL,
        [
            "--force-shell-executor",
            "--variable",
            `AIMS_TOOLS_DIR=${toolsHome()}`,
            "--variable",
            `npm_config_cache=${npmCache.stdout.trim()}`,
            job,
        ],
        { cwd: clone, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: jobEnvironment() },
    );
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** This process's environment, less what would tell the job's tests they run in this CI. */
function jobEnvironment(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const name of Object.keys(env))
        if (/^(AIMS_|KUBECONFIG$|PG)/.test(name) && name !== "AIMS_TOOLS_DIR") delete env[name];
    return env;
}

describe("the GitLab test job, run by gitlab-ci-local in a clone with nothing beside it", () => {
    let clone: string;

    before(function () {
        const rsync = spawnSync("rsync", ["--version"]);
        if (rsync.error)
            throw new Error(
                "gitlab-ci-local's shell executor needs rsync: install it (apt-get install rsync)",
            );
        clone = lonelyClone();
    });

    after(() => fs.rmSync(path.dirname(clone), { recursive: true, force: true }));

    it("passes: npm ci, npm test and the tenant validation, with no real-engine kit", () => {
        const { status, output } = runGitlabJob(clone, "test");
        assert.equal(status, 0, output.slice(-5000));
        assert.match(output, /PASS\s+test/);
        const passing = /(\d+) passing/.exec(output);
        assert.ok(passing && Number(passing[1]) > 900, `the unit suite ran: ${passing?.[0]}`);
        assert.doesNotMatch(output, /\d+ failing/);
        const commands = [...output.matchAll(/^test \$ (.*)$/gm)].map((m) => m[1]);
        assert.deepEqual(commands.slice(1), ["npm ci", "npm test", "npm run tenant -- validate"]);
    });

    it("fails when a step of the job fails (a lockfile that does not match package.json)", () => {
        const packageFile = path.join(clone, "package.json");
        const manifest = JSON.parse(fs.readFileSync(packageFile, "utf8"));
        manifest.dependencies["left-pad"] = "1.3.0";
        fs.writeFileSync(packageFile, JSON.stringify(manifest, null, 2));
        const { status, output } = runGitlabJob(clone, "test");
        assert.notEqual(status, 0, output.slice(-3000));
        assert.match(output, /FAIL\s+test/);
        assert.match(output, /npm ci/);
    });
});

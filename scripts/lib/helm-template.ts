/**
 * Renders a Helm release offline with the real `helm template`, as the cluster would receive it.
 * The synth renders each recorded `kubernetes:helm.sh/v3:Release` with it, and the chart tests
 * render the tenant chart through it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The project root: a relative chart path is resolved from here, as Pulumi resolves it. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Rendered charts are a few hundred kilobytes; leave ample room. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface ReleaseToRender {
    /** Release name, as `helm template <name>`. */
    readonly name: string;
    readonly namespace: string;
    /** Chart folder: absolute, or relative to the project root (the Release's `./charts/tenant`). */
    readonly chartPath: string;
    /** The release's values (plain data; written to a temporary values file as JSON). */
    readonly values: unknown;
}

/**
 * The YAML `helm template <name> <chart> --namespace <ns> --values <file>` prints: every object
 * of the release as a multi-document stream. Throws with helm's stderr when helm fails (a value
 * that breaks values.schema.json, a template error) or cannot be run.
 */
export function renderRelease(
    release: ReleaseToRender,
    helmBinary: string | undefined = findHelm(),
): string {
    if (!helmBinary) {
        throw new Error(
            "helm is not installed: run `bash .ci/run`, or `go install helm.sh/helm/v3/cmd/helm@v3.21.4` and put $(go env GOPATH)/bin on your PATH",
        );
    }
    const chart = path.resolve(PROJECT_ROOT, release.chartPath);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-helm-"));
    try {
        const valuesFile = path.join(dir, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(release.values ?? {}), { mode: 0o600 });
        return execFileSync(
            helmBinary,
            [
                "template",
                release.name,
                chart,
                "--namespace",
                release.namespace,
                "--values",
                valuesFile,
            ],
            {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
                maxBuffer: MAX_OUTPUT_BYTES,
            },
        );
    } catch (err) {
        const failure = err as { stderr?: string | Buffer; message?: string };
        const stderr = failure.stderr?.toString().trim();
        throw new Error(
            `helm template ${release.name} ${release.chartPath} failed: ${stderr || failure.message}`,
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The helm binary: the first `helm` on the PATH, else `$(go env GOPATH)/bin/helm`; undefined when neither exists. */
export function findHelm(): string | undefined {
    const executable = process.platform === "win32" ? "helm.exe" : "helm";
    const onPath = (process.env.PATH ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, executable));
    return [...onPath, ...goBinaries(executable)].find(isExecutable);
}

function goBinaries(executable: string): string[] {
    let gopath: string;
    try {
        gopath = execFileSync("go", ["env", "GOPATH"], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        }).trim();
    } catch {
        return [];
    }
    return gopath
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, "bin", executable));
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

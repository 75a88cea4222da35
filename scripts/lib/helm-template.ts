/**
 * Renders a Helm release offline with the real `helm template`, as the cluster would receive it.
 * The synth renders each recorded `kubernetes:helm.sh/v3:Release` with it, and the chart tests
 * render the tenant chart through it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../components/support/project-root";
import { requireTool } from "./tools";

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
    helmBinary: string = requireTool("helm"),
): string {
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

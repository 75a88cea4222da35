/**
 * Security scan of everything synth renders: the real kube-score on each stack's Kubernetes
 * manifests and rendered Helm releases. No CRITICAL finding passes; a WARNING passes only when
 * security/accepted-findings.md accepts it with a reason, and every accepted row must still
 * occur. kube-score is required: a missing binary fails these tests.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../components/support/project-root";
import { missingToolMessage, requireTool } from "../scripts/lib/tools";
import { copyProject, ProjectCopy } from "./support/project";

const STACKS = ["dev", "sit", "prod"];
/**
 * Synth renders what the tenant files make, and no example tenant is offboarding: this scan runs
 * prod with every tenant offboarding, so the backup Job is scanned too.
 */
const OFFBOARDING_SCAN = "prod, every tenant offboarding";
const SCANS = [...STACKS, OFFBOARDING_SCAN];
const ACCEPTED_FINDINGS = "security/accepted-findings.md";

/** One line of `kube-score score --output-format ci`: `[GRADE] name/namespace apiVersion/Kind: message`. */
interface Finding {
    readonly grade: "CRITICAL" | "WARNING" | "OK" | "SKIPPED";
    readonly object: string;
    readonly kind: string;
    readonly message: string;
    readonly line: string;
}

interface AcceptedWarning {
    readonly check: string;
    readonly kind: string;
    readonly finding: string;
    readonly reason: string;
}

interface IgnoredCheck {
    readonly check: string;
    readonly reason: string;
}

interface StackScan {
    readonly outDir: string;
    readonly files: string[];
    readonly findings: Finding[];
}

const LINE = /^\[(CRITICAL|WARNING|OK|SKIPPED)\] (\S+) (\S+?)(?:: (.*))?$/;

function parseFindings(output: string): Finding[] {
    return output
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
            const match = LINE.exec(line);
            assert.ok(match, `unexpected kube-score output line: ${line}`);
            return {
                grade: match[1] as Finding["grade"],
                object: match[2],
                kind: match[3],
                message: match[4] ?? "",
                line,
            };
        });
}

/** The rows of the Markdown table under `## <heading>`, cells trimmed and without backticks. */
function tableRows(markdown: string, heading: string): string[][] {
    const section = markdown.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
    assert.ok(section, `${ACCEPTED_FINDINGS} has no "## ${heading}" section`);
    return section
        .split("\n")
        .filter((line) => line.startsWith("|"))
        .slice(2) // the header and the --- line
        .map((line) =>
            line
                .split("|")
                .slice(1, -1)
                .map((cell) => cell.trim().replace(/^`(.*)`$/, "$1")),
        );
}

function parseAcceptedFindings(markdown: string): {
    warnings: AcceptedWarning[];
    ignored: IgnoredCheck[];
} {
    return {
        warnings: tableRows(markdown, "Accepted warnings").map(
            ([check, kind, finding, reason]) => ({ check, kind, finding, reason }),
        ),
        ignored: tableRows(markdown, "Ignored checks").map(([check, reason]) => ({
            check,
            reason,
        })),
    };
}

const accepts = (entry: AcceptedWarning, finding: Finding): boolean =>
    entry.kind === finding.kind && entry.finding === finding.message;

/** kube-score exits 1 when it finds a CRITICAL problem, so its output decides, not its status; an error prints nothing on stdout. */
function kubeScore(
    binary: string,
    files: readonly string[],
    ignored: readonly IgnoredCheck[],
): Finding[] {
    const args = [
        "score",
        "--output-format",
        "ci",
        ...ignored.flatMap(({ check }) => ["--ignore-test", check]),
        ...files,
    ];
    const result = spawnSync(binary, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.ifError(result.error);
    assert.ok(
        [0, 1].includes(result.status ?? -1) &&
            result.stderr.trim() === "" &&
            result.stdout.trim() !== "",
        `kube-score failed (exit ${result.status}): ${result.stderr.trim() || "it printed nothing"}`,
    );
    return parseFindings(result.stdout);
}

/** The real tenant files, each with `status: offboarding`. */
function offboardingTenantFiles(): Record<string, string> {
    const dir = path.join(PROJECT_ROOT, "tenants");
    return Object.fromEntries(
        fs
            .readdirSync(dir)
            .filter((file) => file.endsWith(".yaml"))
            .map((file) => {
                const content = fs.readFileSync(path.join(dir, file), "utf8");
                assert.match(content, /^status: active$/m, `tenants/${file}`);
                return [file, content.replace(/^status: active$/m, "status: offboarding")];
            }),
    );
}

/** Every Kubernetes YAML synth wrote for a stack: the manifests and the rendered charts. */
function kubernetesFiles(outDir: string): string[] {
    return fs
        .readdirSync(outDir, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".yaml"))
        .map((file) => path.join(outDir, file))
        .sort();
}

/** `name/namespace apps/v1/Deployment` of every Deployment in the stack's rendered charts, as kube-score names them. */
function renderedDeployments(files: readonly string[]): string[] {
    return files
        .filter((file) => path.basename(file).startsWith("rendered-chart-"))
        .flatMap((file) => yaml.loadAll(fs.readFileSync(file, "utf8")) as any[])
        .filter((object) => object?.kind === "Deployment")
        .map(
            (object) =>
                `${object.metadata.name}/${object.metadata.namespace} ${object.apiVersion}/${object.kind}`,
        );
}

describe("security scan: kube-score on everything synth renders", function () {
    this.timeout(180_000);
    const accepted = parseAcceptedFindings(
        fs.readFileSync(path.join(PROJECT_ROOT, ACCEPTED_FINDINGS), "utf8"),
    );
    const scans = new Map<string, StackScan>();
    let binary: string;
    const projects: ProjectCopy[] = [];

    before(() => {
        binary = requireTool("kube-score");
        const synthAndScan = (project: ProjectCopy, stack: string): StackScan => {
            const synth = project.run("synth", "--stack", stack);
            assert.equal(
                synth.status,
                0,
                `npm run synth -- --stack ${stack} failed:\n${synth.stderr}`,
            );
            const outDir = path.join(project.dir, "out", stack);
            const files = kubernetesFiles(outDir);
            return { outDir, files, findings: kubeScore(binary, files, accepted.ignored) };
        };
        const project = copyProject();
        projects.push(project);
        for (const stack of STACKS) scans.set(stack, synthAndScan(project, stack));
        const offboarding = copyProject(offboardingTenantFiles());
        projects.push(offboarding);
        scans.set(OFFBOARDING_SCAN, synthAndScan(offboarding, "prod"));
    });

    after(() => projects.forEach((project) => project.remove()));

    it(`gives every accepted warning and ignored check in ${ACCEPTED_FINDINGS} a reason and a real check id`, () => {
        const checks = new Set(
            execFileSync(binary, ["list"], { encoding: "utf8" })
                .split("\n")
                .map((line) => line.split(",")[0]),
        );
        assert.ok(checks.has("pod-networkpolicy"), "kube-score list names its checks");
        for (const entry of [...accepted.warnings, ...accepted.ignored]) {
            assert.ok(
                checks.has(entry.check),
                `${ACCEPTED_FINDINGS}: ${entry.check} is not a kube-score check`,
            );
            assert.ok(
                entry.reason?.length >= 20,
                `${ACCEPTED_FINDINGS}: ${entry.check} needs a reason`,
            );
        }
        for (const entry of accepted.warnings)
            assert.ok(
                entry.kind && entry.finding,
                `${ACCEPTED_FINDINGS}: ${entry.check} names no kind and finding`,
            );
    });

    for (const stack of SCANS) {
        describe(stack, () => {
            it("scans the Kubernetes manifests and every Helm release rendered by helm", () => {
                const { outDir, files, findings } = scans.get(stack)!;
                const releases = fs
                    .readdirSync(outDir, { recursive: true, encoding: "utf8" })
                    .filter((file) => /helm\.sh-Release-.*\.json$/.test(file));
                assert.ok(releases.length > 0, `the ${stack} stack has a Kubernetes tenant`);
                for (const release of releases) {
                    const { name } = JSON.parse(
                        fs.readFileSync(path.join(outDir, release), "utf8"),
                    ).inputs;
                    const rendered = path.join(
                        outDir,
                        path.dirname(release),
                        `rendered-chart-${name}.yaml`,
                    );
                    assert.ok(
                        files.includes(rendered),
                        `synth did not render release ${name} (${missingToolMessage("helm")})`,
                    );
                }
                assert.ok(
                    files.some((file) => path.basename(file).startsWith("NetworkPolicy-")),
                    "the manifests are scanned",
                );
                const scored = new Set(
                    findings.map((finding) => `${finding.object} ${finding.kind}`),
                );
                for (const deployment of renderedDeployments(files))
                    assert.ok(scored.has(deployment), `kube-score did not score ${deployment}`);
                for (const file of files) {
                    assert.doesNotMatch(
                        fs.readFileSync(file, "utf8"),
                        /kube-score\//,
                        `${path.relative(outDir, file)}: ignore checks in ${ACCEPTED_FINDINGS}, not with annotations`,
                    );
                }
            });

            it("has no CRITICAL finding", () => {
                const critical = scans
                    .get(stack)!
                    .findings.filter((finding) => finding.grade === "CRITICAL");
                assert.deepEqual(
                    critical.map((finding) => finding.line),
                    [],
                );
            });

            it(`has no WARNING that ${ACCEPTED_FINDINGS} does not accept`, () => {
                const unaccepted = scans
                    .get(stack)!
                    .findings.filter(
                        (finding) =>
                            finding.grade === "WARNING" &&
                            !accepted.warnings.some((entry) => accepts(entry, finding)),
                    );
                assert.deepEqual(
                    unaccepted.map((finding) => finding.line),
                    [],
                    `fix them, or accept each in ${ACCEPTED_FINDINGS} with its reason`,
                );
            });
        });
    }

    it("scans the backup Job of an offboarding tenant", () => {
        const { files, findings } = scans.get(OFFBOARDING_SCAN)!;
        assert.ok(
            files.some((file) => path.basename(file) === "Job-school1-offboarding-backup.yaml"),
            "synth wrote the Job",
        );
        assert.ok(
            findings.some(
                (finding) =>
                    finding.object === "school1-offboarding-backup/school1" &&
                    finding.kind === "batch/v1/Job",
            ),
            "kube-score scored it",
        );
    });

    it(`has no accepted warning in ${ACCEPTED_FINDINGS} that no longer occurs`, () => {
        const warnings = [...scans.values()].flatMap((scan) =>
            scan.findings.filter((finding) => finding.grade === "WARNING"),
        );
        const unused = accepted.warnings.filter(
            (entry) => !warnings.some((finding) => accepts(entry, finding)),
        );
        assert.deepEqual(
            unused.map((entry) => `${entry.check}: ${entry.finding}`),
            [],
            `remove them from ${ACCEPTED_FINDINGS}`,
        );
    });
});

describe("security scan: parsing", () => {
    it("reads kube-score's ci lines, with and without a message", () => {
        assert.deepEqual(
            parseFindings(
                "[WARNING] web/school1 apps/v1/Deployment: (web) Ephemeral Storage limit is not set\n[OK] web/school1 v1/Service\n",
            ),
            [
                {
                    grade: "WARNING",
                    object: "web/school1",
                    kind: "apps/v1/Deployment",
                    message: "(web) Ephemeral Storage limit is not set",
                    line: "[WARNING] web/school1 apps/v1/Deployment: (web) Ephemeral Storage limit is not set",
                },
                {
                    grade: "OK",
                    object: "web/school1",
                    kind: "v1/Service",
                    message: "",
                    line: "[OK] web/school1 v1/Service",
                },
            ],
        );
        assert.throws(
            () => parseFindings("Failed to score files: open x.yaml: no such file"),
            /unexpected kube-score output line/,
        );
    });

    it("reads the accepted warnings and ignored checks tables", () => {
        const markdown = [
            "# Accepted",
            "",
            "## Accepted warnings",
            "",
            "| check | kind | finding | reason |",
            "| --- | --- | --- | --- |",
            "| `pod-networkpolicy` | `apps/v1/Deployment` | The pod does not have a matching egress NetworkPolicy | needs cluster facts |",
            "",
            "## Ignored checks",
            "",
            "| check | reason |",
            "| --- | --- |",
            "",
        ].join("\n");
        assert.deepEqual(parseAcceptedFindings(markdown), {
            warnings: [
                {
                    check: "pod-networkpolicy",
                    kind: "apps/v1/Deployment",
                    finding: "The pod does not have a matching egress NetworkPolicy",
                    reason: "needs cluster facts",
                },
            ],
            ignored: [],
        });
        assert.throws(
            () => parseAcceptedFindings("## Accepted warnings\n"),
            /no "## Ignored checks" section/,
        );
    });
});

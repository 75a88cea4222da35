/**
 * What a changed path can reach: a tenant file reaches the stacks that deploy that tenant; a file
 * on the harmless list reaches no stack; anything else may change what every stack deploys. The
 * harmless list is the only place that lets a change skip a stack, so it names folders and files
 * the program, its build, its dependencies and the policy pack never read, each with the reason.
 * A path not on it, including one nobody thought of, previews and deploys every stack.
 */

/** A tenant file: `tenants/<name>.yaml`, directly in tenants/, as the program reads them. */
export const TENANT_FILE = /^tenants\/([^/]+)\.yaml$/;

export type PathScope =
    | { readonly scope: "tenant"; readonly name: string }
    | { readonly scope: "none"; readonly what: string }
    | { readonly scope: "every-stack"; readonly what: string };

interface HarmlessRule {
    readonly matches: (path: string) => boolean;
    /** What the files are, for the stacks' `why`; each is read by people, CI or tests, never by `pulumi`. */
    readonly what: string;
}

const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);
const exactly = (file: string) => (path: string) => path === file;

const HARMLESS: readonly HarmlessRule[] = [
    { matches: under("docs"), what: "documentation" },
    // The chart packs every file of its folder, a README too; nothing else reads Markdown.
    {
        matches: (path) => path.endsWith(".md") && !under("charts")(path),
        what: "documentation",
    },
    // The unit and end-to-end tests, and their configuration: they test stacks, never deploy one.
    { matches: under("test"), what: "a test" },
    { matches: exactly(".mocharc.json"), what: "the test runner's configuration" },
    { matches: under("bench-results"), what: "benchmark results" },
    // kube-score's accepted findings, read by test/security-scan.test.ts only.
    { matches: under("security"), what: "the security scan's accepted findings" },
    // The pipelines run the stacks; they are not part of what a stack deploys.
    { matches: under(".github"), what: "a GitHub workflow" },
    { matches: exactly(".gitlab-ci.yml"), what: "the GitLab pipeline" },
    { matches: under(".ci"), what: "this repository's CI script" },
    // Lint and format settings: they fail a check, they change no program.
    { matches: (path) => /^\.prettier[^/]*$/.test(path), what: "the formatter's settings" },
    { matches: exactly("eslint.config.mjs"), what: "the linter's settings" },
    { matches: exactly(".gitignore"), what: "git's ignore list" },
];

/** Paths outside tenants/ that reach every stack, named for the stacks' `why`; the rest are "a file not known to be harmless". */
const EVERY_STACK: readonly {
    readonly matches: (path: string) => boolean;
    readonly what: string;
}[] = [
    { matches: (path) => /^Pulumi\.[^/]+\.yaml$/.test(path), what: "a stack file" },
    { matches: exactly("Pulumi.yaml"), what: "the project file" },
    { matches: (path) => path === "index.ts" || under("components")(path), what: "the program" },
    { matches: under("charts"), what: "the chart" },
    { matches: under("policy"), what: "the policy pack" },
    { matches: under("schema"), what: "a schema" },
    {
        matches: (path) => ["package.json", "package-lock.json", ".npmrc"].includes(path),
        what: "the dependencies",
    },
    { matches: (path) => /^tsconfig[^/]*\.json$/.test(path), what: "the TypeScript settings" },
    { matches: under("scripts"), what: "the build and CLI scripts" },
    { matches: under("tenants"), what: "a file in tenants/ that is not a tenant file" },
];

export function scopeOf(path: string): PathScope {
    const tenant = TENANT_FILE.exec(path);
    if (tenant) return { scope: "tenant", name: tenant[1] };
    const harmless = HARMLESS.find((rule) => rule.matches(path));
    if (harmless) return { scope: "none", what: harmless.what };
    const known = EVERY_STACK.find((rule) => rule.matches(path));
    return { scope: "every-stack", what: known?.what ?? "a file not known to be harmless" };
}

/** What kind of file the path is, in a few words. */
export function whatIs(path: string): string {
    const scope = scopeOf(path);
    return scope.scope === "tenant" ? "a tenant file" : scope.what;
}

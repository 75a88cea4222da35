/**
 * npm run retired-secrets -- --stack STACK [--unprotect]
 *
 * Lists the resources of STACK that still have the secret layout from before each tenant's
 * secrets were merged into one (scripts/lib/retired-secrets.ts), and with --unprotect clears
 * their `protect` bit with `pulumi state unprotect`, so that the next `pulumi up` may delete or
 * replace them. Run it in the project folder, logged in to the stack's backend, right before
 * the `pulumi up` of the program that merges the secrets; a run of the previous program in
 * between protects them again, and running this again is harmless. It reads the state with
 * `pulumi stack export`, which keeps secret values encrypted, and prints only URNs and names.
 */
import { spawnSync } from "node:child_process";
import { parseCommandLine, runCli, UsageError } from "./lib/cli";
import { retiredResources, StateResource } from "./lib/retired-secrets";

const USAGE = "usage: npm run retired-secrets -- --stack STACK [--unprotect]";

runCli(() => {
    const { values, positionals } = parseCommandLine(
        process.argv.slice(2),
        { stack: { type: "string" }, unprotect: { type: "boolean" } },
        USAGE,
    );
    if (!values.stack || positionals.length > 0) throw new UsageError(USAGE);
    const stack = values.stack;

    const exported = JSON.parse(pulumi(["stack", "export", "--stack", stack])) as {
        deployment?: { resources?: StateResource[] };
    };
    const retired = retiredResources(exported.deployment?.resources ?? []);
    if (retired.length === 0) {
        console.log(`stack ${stack}: no resource of the old secret layout; nothing to do.`);
        return;
    }
    console.log(`stack ${stack}: ${describe(retired.length)} of the old secret layout:`);
    for (const resource of retired) {
        const state = resource.protect ? "protected" : "not protected";
        console.log(`  ${resource.tenant}  ${resource.change}  ${state}  ${resource.urn}`);
    }

    const protectedOnes = retired.filter((resource) => resource.protect);
    if (protectedOnes.length === 0) {
        console.log("None is protected: `pulumi up` deletes or replaces them by itself.");
    } else if (values.unprotect) {
        pulumi([
            "state",
            "unprotect",
            "--stack",
            stack,
            "--yes",
            ...protectedOnes.map((r) => r.urn),
        ]);
        console.log(`Unprotected ${describe(protectedOnes.length)}; now run \`pulumi up\`.`);
    } else {
        console.log(
            `\`pulumi up\` refuses to delete or replace the ${describe(protectedOnes.length)} marked protected; run again with --unprotect first.`,
        );
    }

    const byHand = retired.flatMap((resource) =>
        resource.removeByHand ? [resource.removeByHand] : [],
    );
    if (byHand.length > 0) {
        console.log(
            "Data is retained on delete here: `pulumi up` takes these out of the stack and leaves them in place. Once every tenant runs on its merged secret, remove them by hand:",
        );
        for (const command of byHand) console.log(`  ${command}`);
    }
});

function describe(count: number): string {
    return `${count} resource${count === 1 ? "" : "s"}`;
}

/** Runs the Pulumi CLI in the current folder and returns its standard output; fails with its error output. */
function pulumi(args: string[]): string {
    const result = spawnSync("pulumi", [...args, "--non-interactive"], {
        encoding: "utf8",
        maxBuffer: 512 * 1024 * 1024,
    });
    if (result.error) throw new Error(`pulumi could not run: ${result.error.message}`);
    if (result.status !== 0)
        throw new Error(`pulumi ${args.slice(0, 2).join(" ")} failed:\n${result.stderr.trim()}`);
    return result.stdout;
}

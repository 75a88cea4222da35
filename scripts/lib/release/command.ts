/**
 * npm run release -- status | promote | rollback: the rings of each stack, what they run and how
 * healthy, and their versions changed in the stack files as a reviewed change. Every command
 * reports stack by stack, changes nothing it cannot justify, and does nothing a second time.
 * The cluster and the clock come in, so that tests can give their own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ValidationError } from "../../../components/support/errors";
import { loadTenants, TenantSpec } from "../../../components/tenant-files/registry";
import { listStacks, readOfflineSettings } from "../../../components/stack/stack-file";
import { stackFile } from "../../../components/stack/settings";
import { parseCommandLine, UsageError } from "../cli";
import { ClusterOf, readFleet, StackFleet } from "./fleet";
import { Decision, nextPromotions, promotionDecision } from "./promotion";
import { earlierRingVersion } from "./previous-version";
import { formatStatus } from "./status-text";
import { StackEditError, withRingVersion, withRollbackRings } from "./stack-file-edit";

export const USAGE = `usage:
  npm run release -- status [--stack S]... [--json]
  npm run release -- promote VERSION --ring RING [--stack S]...
  npm run release -- promote --next [--stack S]...
  npm run release -- rollback --ring RING [--stack S]...`;

export interface ReleaseDeps {
    readonly projectDir: string;
    readonly clusterOf: ClusterOf;
    readonly now: () => Date;
    readonly out: (text: string) => void;
}

/** Runs one command; resolves to its exit status. */
export async function runRelease(argv: string[], deps: ReleaseDeps): Promise<number> {
    const { values, positionals } = parseCommandLine(
        argv,
        {
            stack: { type: "string", multiple: true },
            ring: { type: "string" },
            json: { type: "boolean" },
            next: { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
        USAGE,
    );
    if (values.help) {
        deps.out(USAGE);
        return 0;
    }
    const [command, ...rest] = positionals;
    const release = new Release(deps, values.stack ?? []);
    switch (command) {
        case "status":
            noArguments(rest);
            return release.status(values.json === true);
        case "promote":
            if (values.next) {
                if (rest.length > 0 || values.ring !== undefined)
                    throw new UsageError(`promote --next takes no VERSION nor --ring\n${USAGE}`);
                return release.promoteNext();
            }
            if (rest.length !== 1 || values.ring === undefined)
                throw new UsageError(`promote needs one VERSION and --ring\n${USAGE}`);
            return release.promote(rest[0], values.ring);
        case "rollback":
            noArguments(rest);
            if (values.ring === undefined) throw new UsageError(`rollback needs --ring\n${USAGE}`);
            return release.rollback(values.ring);
        default:
            throw new UsageError(USAGE);
    }
}

function noArguments(rest: string[]): void {
    if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(" ")}\n${USAGE}`);
}

class Release {
    private readonly tenants: TenantSpec[];
    private readonly stacks: string[];

    constructor(
        private readonly deps: ReleaseDeps,
        chosen: readonly string[],
    ) {
        this.tenants = loadTenants(path.join(deps.projectDir, "tenants"));
        const all = listStacks(deps.projectDir);
        const unknown = chosen.filter((stack) => !all.includes(stack));
        if (unknown.length > 0)
            throw new UsageError(
                `--stack: no stack file ${unknown.map(stackFile).join(", ")}; stacks: ${all.join(", ")}`,
            );
        this.stacks = chosen.length > 0 ? [...new Set(chosen)] : all;
    }

    async status(json: boolean): Promise<number> {
        const fleets = await this.fleets();
        this.deps.out(json ? JSON.stringify({ stacks: fleets }) : formatStatus(fleets));
        return 0;
    }

    async promote(version: string, ring: string): Promise<number> {
        const fleets = await this.fleetsWith(ring);
        let refused = false;
        for (const fleet of fleets) {
            const decision = promotionDecision(fleet, ring, version, this.deps.now());
            refused = this.apply(fleet, ring, version, decision) || refused;
        }
        return refused ? 1 : 0;
    }

    /** Refusals here mean "not yet": the schedule tries again, so they do not fail the run. */
    async promoteNext(): Promise<number> {
        for (const fleet of await this.fleets()) {
            if (!fleet.rings) continue;
            const next = nextPromotions(fleet);
            if (next.length === 0) {
                this.deps.out(
                    `${fleet.stack}: nothing to promote: every ring runs the version of the ring before it`,
                );
            }
            for (const { ring, version } of next) {
                this.apply(
                    fleet,
                    ring,
                    version,
                    promotionDecision(fleet, ring, version, this.deps.now()),
                );
            }
        }
        return 0;
    }

    async rollback(ring: string): Promise<number> {
        let refused = false;
        for (const fleet of await this.fleetsWith(ring)) {
            const state = fleet.rings!.find((r) => r.name === ring)!;
            const who = `${fleet.stack}: ring ${ring}`;
            if (state.rolledBack) {
                this.deps.out(
                    `${who}: unchanged: already rolled back to ${state.version} (aims:rollbackRings lists it)`,
                );
                continue;
            }
            let earlier: string | undefined;
            try {
                earlier = earlierRingVersion(this.deps.projectDir, fleet.file, ring, state.version);
            } catch (err) {
                refused = this.refuse(who, [
                    `cannot read the git history of ${fleet.file}: ${(err as Error).message}`,
                ]);
                continue;
            }
            if (earlier === undefined) {
                refused = this.refuse(who, [
                    `no version older than ${state.version} in the git history of ${fleet.file}; set the version and aims:rollbackRings by hand`,
                ]);
                continue;
            }
            const rollbackRings = [
                ...(fleet.rings ?? []).filter((r) => r.rolledBack).map((r) => r.name),
                ring,
            ];
            const edited = this.edit(fleet, who, (text) =>
                withRollbackRings(withRingVersion(text, ring, earlier), rollbackRings),
            );
            if (!edited) {
                refused = true;
                continue;
            }
            this.deps.out(
                `${who}: ${state.version} -> ${earlier}, and aims:rollbackRings lists ${ring}; ${fleet.file} edited. ` +
                    `The image goes back, the database does not: ${earlier} must run on the schema ${state.version} migrated to (docs/releases.md)`,
            );
        }
        return refused ? 1 : 0;
    }

    /** Carries out a decision; true when it was refused. */
    private apply(fleet: StackFleet, ring: string, version: string, decision: Decision): boolean {
        const who = `${fleet.stack}: ring ${ring}`;
        if (decision.kind === "unchanged") {
            this.deps.out(`${who}: unchanged: ${decision.why}`);
            return false;
        }
        if (decision.kind === "refuse") return this.refuse(who, decision.reasons, version);
        const rolledBack = (fleet.rings ?? []).filter((r) => r.rolledBack).map((r) => r.name);
        const keep = rolledBack.filter((name) => name !== ring);
        const edited = this.edit(fleet, who, (text) => {
            const promoted = withRingVersion(text, ring, version);
            return keep.length === rolledBack.length ? promoted : withRollbackRings(promoted, keep);
        });
        if (!edited) return true;
        const flag = keep.length < rolledBack.length ? `, taken off aims:rollbackRings` : "";
        this.deps.out(
            `${who}: ${decision.from} -> ${version}${flag} (${decision.evidence}); ${fleet.file} edited`,
        );
        return false;
    }

    private refuse(who: string, reasons: readonly string[], version?: string): true {
        const what = version ? `refused ${version}` : "refused";
        this.deps.out([`${who}: ${what}:`, ...reasons.map((reason) => `  - ${reason}`)].join("\n"));
        return true;
    }

    /** Writes the edited stack file if it still validates; otherwise puts it back and refuses. */
    private edit(fleet: StackFleet, who: string, change: (text: string) => string): boolean {
        const file = path.join(this.deps.projectDir, fleet.file);
        const before = fs.readFileSync(file, "utf8");
        try {
            fs.writeFileSync(file, change(before));
            readOfflineSettings(this.deps.projectDir, fleet.stack, this.tenants);
            return true;
        } catch (err) {
            fs.writeFileSync(file, before);
            if (err instanceof StackEditError)
                return !this.refuse(who, [
                    `cannot edit ${fleet.file}: ${err.message}; edit it by hand`,
                ]);
            if (err instanceof ValidationError)
                return !this.refuse(who, [
                    `the edited ${fleet.file} would not validate:`,
                    ...err.problems,
                ]);
            throw err;
        }
    }

    private async fleets(): Promise<StackFleet[]> {
        const fleets: StackFleet[] = [];
        for (const stack of this.stacks)
            fleets.push(
                await readFleet(this.deps.projectDir, stack, this.tenants, this.deps.clusterOf),
            );
        return fleets;
    }

    /** The stacks that declare `ring`: every one chosen must, and at least one must. */
    private async fleetsWith(ring: string): Promise<StackFleet[]> {
        const fleets = await this.fleets();
        const has = (fleet: StackFleet) => fleet.rings?.some((r) => r.name === ring) ?? false;
        const without = fleets.filter((fleet) => !has(fleet));
        const chosenExplicitly = this.stacks.length < listStacks(this.deps.projectDir).length;
        if ((chosenExplicitly && without.length > 0) || without.length === fleets.length) {
            throw new ValidationError(
                without.map((fleet) => `${fleet.file}: aims:rings: declares no ring ${ring}`),
            );
        }
        return fleets.filter(has);
    }
}

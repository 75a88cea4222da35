/**
 * Typed reading of the stack's `aims:` config that collects every problem instead of stopping
 * at the first, so a user fixes a stack file in one go. Messages name the file and the key:
 * `Pulumi.dev.yaml: aims:database.port: must be a whole number from 1 to 65535 (got "x")`.
 */

import * as pulumi from "@pulumi/pulumi";

/** What the settings need of the stack config. */
export interface ConfigSource {
    /** A top-level key of the `aims:` namespace (`database`), as a string; objects as JSON. */
    get(key: string): string | undefined;
    /** Whether the value at a full key (`aims:database.password`) was set as a secret. */
    isSecret(key: string): boolean;
}

/**
 * The running stack's `aims:` config. Pulumi marks a whole top-level key secret when any value
 * in it is, so a secret field counts as set in plain text only when its top-level key is not secret.
 */
export function programConfigSource(): ConfigSource {
    const config = new pulumi.Config("aims");
    // isConfigSecret is exported by the runtime but missing from its typings.
    const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    return {
        get: (key) => config.get(key),
        isSecret: (key) => runtime.isConfigSecret(key.split(/[.[]/)[0]),
    };
}

export class ConfigReader {
    readonly problems: string[] = [];

    constructor(
        private readonly source: ConfigSource,
        /** The stack file, for messages: `Pulumi.dev.yaml`. */
        readonly file: string,
    ) {}

    /** A top-level key as a string, or undefined when it is not set. */
    raw(key: string): string | undefined {
        return this.source.get(key);
    }

    /** A top-level key whose value is a YAML mapping; undefined (and no problem) when not set. */
    block(key: string): ConfigBlock | undefined {
        const text = this.source.get(key);
        if (text === undefined) {
            return undefined;
        }
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch {
            value = undefined;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            this.report(`aims:${key}`, "must be a mapping of keys");
            return undefined;
        }
        return new ConfigBlock(this, `aims:${key}`, value as Record<string, unknown>);
    }

    /** A top-level key parsed as a scalar value inside a virtual block, for uniform checks. */
    top(): ConfigBlock {
        const values: Record<string, unknown> = {};
        return new ConfigBlock(this, "aims", values, (key) => {
            const text = this.source.get(key);
            if (text === undefined) return undefined;
            try {
                return JSON.parse(text);
            } catch {
                return text;
            }
        });
    }

    report(key: string, message: string): void {
        this.problems.push(`${this.file}: ${key}: ${message}`);
    }

    isSecret(key: string): boolean {
        return this.source.isSecret(key);
    }
}

type Lookup = (key: string) => unknown;

/** One mapping of the config (a block such as `aims:database`), read field by field. */
export class ConfigBlock {
    private readonly lookup: Lookup;

    constructor(
        private readonly reader: ConfigReader,
        readonly path: string,
        private readonly values: Record<string, unknown>,
        lookup?: Lookup,
    ) {
        this.lookup = lookup ?? ((key) => this.values[key]);
    }

    key(field: string): string {
        return this.path === "aims" ? `aims:${field}` : `${this.path}.${field}`;
    }

    has(field: string): boolean {
        return this.lookup(field) !== undefined && this.lookup(field) !== null;
    }

    report(field: string, message: string): void {
        this.reader.report(this.key(field), message);
    }

    /** Reports a problem for every field the block has that is not in `known`. */
    rejectUnknown(known: readonly string[]): void {
        for (const field of Object.keys(this.values)) {
            if (!known.includes(field)) {
                this.report(field, `unknown key; allowed: ${known.join(", ")}`);
            }
        }
    }

    string(field: string): string | undefined;
    string(field: string, fallback: string): string;
    string(field: string, fallback?: string): string | undefined {
        const value = this.lookup(field);
        if (value === undefined || value === null) {
            if (fallback === undefined) this.report(field, "is required");
            return fallback;
        }
        if (typeof value !== "string" || value.trim() === "") {
            this.report(field, `must be a non-empty string (got ${JSON.stringify(value)})`);
            return fallback;
        }
        return value;
    }

    optionalString(field: string): string | undefined {
        return this.has(field) ? this.string(field) : undefined;
    }

    /**
     * A secret string, when set. It must have been set as a secret, never written in the stack
     * file in plain text. A problem with it never quotes the value.
     */
    optionalSecret(field: string): string | undefined {
        const value = this.lookup(field);
        if (value === undefined || value === null) return undefined;
        if (!this.reader.isSecret(this.key(field))) {
            this.report(
                field,
                `is written in plain text in the stack file (the value is not shown); remove it, rotate it (it may be in the repository's history), and set it with: pulumi config set --secret --path ${this.key(field)}`,
            );
            return "";
        }
        if (typeof value !== "string" || value.trim() === "") {
            this.report(
                field,
                "must be a non-empty string (the value is a secret and is not shown)",
            );
            return "";
        }
        return value;
    }

    oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T | undefined {
        const value = fallback === undefined ? this.string(field) : this.string(field, fallback);
        if (value === undefined) return undefined;
        if (!(allowed as readonly string[]).includes(value)) {
            this.report(
                field,
                `must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`,
            );
            return undefined;
        }
        return value as T;
    }

    integer(
        field: string,
        range: { min: number; max: number },
        fallback?: number,
    ): number | undefined {
        let value = this.lookup(field);
        if (value === undefined || value === null) {
            if (fallback === undefined) this.report(field, "is required");
            return fallback;
        }
        if (typeof value === "string" && /^\d+$/.test(value)) value = Number(value);
        if (
            typeof value !== "number" ||
            !Number.isInteger(value) ||
            value < range.min ||
            value > range.max
        ) {
            this.report(
                field,
                `must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(value)})`,
            );
            return fallback;
        }
        return value;
    }

    boolean(field: string, fallback: boolean): boolean {
        const value = this.lookup(field);
        if (value === undefined || value === null) return fallback;
        if (value === true || value === "true") return true;
        if (value === false || value === "false") return false;
        this.report(field, `must be true or false (got ${JSON.stringify(value)})`);
        return fallback;
    }

    /** A non-empty list of non-empty strings. */
    stringList(field: string): string[] | undefined {
        const value = this.lookup(field);
        if (value === undefined || value === null) {
            this.report(field, "is required");
            return undefined;
        }
        if (
            !Array.isArray(value) ||
            value.length === 0 ||
            !value.every((item) => typeof item === "string" && item !== "")
        ) {
            this.report(
                field,
                `must be a non-empty list of strings (got ${JSON.stringify(value)})`,
            );
            return undefined;
        }
        return value as string[];
    }

    /** An optional list of non-empty strings; empty when not set. */
    optionalStringList(field: string): string[] {
        return this.has(field) ? (this.stringList(field) ?? []) : [];
    }

    /** An optional list of whole numbers in `range`; empty when not set. */
    integerList(field: string, range: { min: number; max: number }): number[] {
        const value = this.lookup(field);
        if (value === undefined || value === null) return [];
        const valid = (item: unknown) =>
            typeof item === "number" &&
            Number.isInteger(item) &&
            item >= range.min &&
            item <= range.max;
        if (!Array.isArray(value) || !value.every(valid)) {
            this.report(
                field,
                `must be a list of whole numbers from ${range.min} to ${range.max} (got ${JSON.stringify(value)})`,
            );
            return [];
        }
        return value as number[];
    }

    /** A nested mapping; reports it when required and missing. */
    block(field: string, required = true): ConfigBlock | undefined {
        const value = this.lookup(field);
        if (value === undefined || value === null) {
            if (required) this.report(field, "is required");
            return undefined;
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            this.report(field, `must be a mapping of keys (got ${JSON.stringify(value)})`);
            return undefined;
        }
        return new ConfigBlock(this.reader, this.key(field), value as Record<string, unknown>);
    }

    /** A list of mappings, each read as a block named `field[i]`. */
    blockList(field: string): ConfigBlock[] | undefined {
        const value = this.lookup(field);
        if (!Array.isArray(value) || value.length === 0) {
            this.report(
                field,
                value === undefined
                    ? "is required"
                    : `must be a non-empty list (got ${JSON.stringify(value)})`,
            );
            return undefined;
        }
        const blocks: ConfigBlock[] = [];
        value.forEach((item, index) => {
            if (item === null || typeof item !== "object" || Array.isArray(item)) {
                this.report(`${field}[${index}]`, "must be a mapping of keys");
            } else {
                blocks.push(
                    new ConfigBlock(
                        this.reader,
                        `${this.key(field)}[${index}]`,
                        item as Record<string, unknown>,
                    ),
                );
            }
        });
        return blocks;
    }
}

/** `value` as a URL, or undefined when it is not one. */
export function parseUrl(value: string): URL | undefined {
    try {
        return new URL(value);
    } catch {
        return undefined;
    }
}

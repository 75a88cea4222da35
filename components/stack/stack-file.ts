/**
 * Reads a stack file (Pulumi.<stack>.yaml) the way `pulumi` hands config to the program:
 * full keys to strings, objects as JSON. Offline there is no way to decrypt a `secure:` value,
 * so every secret, encrypted or missing, becomes SECRET_PLACEHOLDER and its key is marked secret.
 * Unlike the program, which only knows which top-level keys hold a secret, the file tells which
 * values were `secure:`, so a secret written in plain text next to an encrypted one is found too.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { valueAt } from "../json-schema/subschema";
import type { TenantSpec } from "../tenant-files/registry";
import type { ConfigSource } from "./config-source";
import { STACK_SECRET_PATHS } from "./secrets";
import { readStackSettings, stackFile, StackSettings } from "./settings";

export const SECRET_PLACEHOLDER = "offline-placeholder-secret";

export interface StackConfig {
    readonly config: Record<string, string>;
    /** Top-level keys holding a secret, as Pulumi marks them for the program. */
    readonly secretKeys: string[];
    /** Full keys of the values that are secrets: `aims:database.password`. */
    readonly secretPaths: string[];
}

/** Stacks of the project: one Pulumi.<stack>.yaml each. */
export function listStacks(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** The `aims:` namespace of a config map, as the program's config reads it. */
export function configSource({
    config,
    secretPaths,
}: Pick<StackConfig, "config" | "secretPaths">): ConfigSource {
    return {
        keys: () => Object.keys(config).filter((key) => key.startsWith("aims:")),
        get: (key: string) => config[key],
        isSecret: (key: string) => secretPaths.includes(key),
    };
}

/** A stack's settings read offline from its stack file (secrets as placeholders). */
export function readOfflineSettings(
    projectDir: string,
    stack: string,
    tenants: readonly TenantSpec[],
): StackSettings {
    return readStackSettings(configSource(readStackConfig(projectDir, stack)), stack, tenants);
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
    const file = path.join(projectDir, stackFile(stack));
    if (!fs.existsSync(file)) {
        throw new Error(
            `${stackFile(stack)}: no such stack file; stacks: ${listStacks(projectDir).join(", ")}`,
        );
    }
    const document = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as {
        config?: Record<string, unknown>;
    };
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const secretPaths: string[] = [];
    for (const [key, raw] of Object.entries(document.config ?? {})) {
        const value = replaceSecure(raw, key, (secretPath) => secretPaths.push(secretPath));
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (
            secretPaths.some(
                (secretPath) =>
                    secretPath === key ||
                    secretPath.startsWith(`${key}.`) ||
                    secretPath.startsWith(`${key}[`),
            )
        )
            secretKeys.add(key);
    }
    for (const [key, ...secretPath] of STACK_SECRET_PATHS) {
        const block = parseBlock(config[key]);
        const parent = valueAt(block, secretPath.slice(0, -1)) as Record<string, unknown>;
        const leaf = secretPath[secretPath.length - 1];
        if (parent !== null && typeof parent === "object" && parent[leaf] === undefined) {
            parent[leaf] = SECRET_PLACEHOLDER;
            config[key] = JSON.stringify(block);
            secretKeys.add(key);
            secretPaths.push([key, ...secretPath].join("."));
        }
    }
    return { config, secretKeys: [...secretKeys], secretPaths };
}

/** A block's JSON, or undefined when the value is not JSON (the settings report it). */
function parseBlock(text: string | undefined): unknown {
    if (text === undefined) return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** `value` with every `secure:` value replaced by the placeholder; `onSecret` gets each one's full key. */
function replaceSecure(value: unknown, at: string, onSecret: (path: string) => void): unknown {
    if (Array.isArray(value))
        return value.map((item, index) => replaceSecure(item, `${at}[${index}]`, onSecret));
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            onSecret(at);
            return SECRET_PLACEHOLDER;
        }
        return Object.fromEntries(
            entries.map(([key, item]) => [key, replaceSecure(item, `${at}.${key}`, onSecret)]),
        );
    }
    return value;
}

/**
 * Reads a stack file (Pulumi.<stack>.yaml) the way `pulumi` hands config to the program:
 * full keys to strings, objects as JSON. Offline there is no way to decrypt a `secure:` value,
 * so every secret, encrypted or missing, becomes SECRET_PLACEHOLDER and its key is marked secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { ConfigSource } from "../../components/config";
import type { TenantSpec } from "../../components/registry";
import { readStackSettings, stackFile, StackSettings } from "../../components/settings";

export const SECRET_PLACEHOLDER = "offline-placeholder-secret";

/** Secrets the program reads, as `<key>.<path>`, and the block that must exist for them to apply. */
const SECRET_PATHS: ReadonlyArray<{ key: string; path: string[] }> = [
    { key: "aims:database", path: ["password"] },
    { key: "aims:kubernetes", path: ["registry", "password"] },
    { key: "aims:backup", path: ["secretAccessKey"] },
    { key: "aims:core", path: ["database", "password"] },
    { key: "aims:core", path: ["bootstrapSecret"] },
    { key: "aims:core", path: ["adminApiKey"] },
    { key: "aims:core", path: ["objectStorage", "accessKeyId"] },
    { key: "aims:core", path: ["objectStorage", "secretAccessKey"] },
];

export interface StackConfig {
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

/** Stacks of the project: one Pulumi.<stack>.yaml each. */
export function listStacks(projectDir: string): string[] {
    return fs.readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** The `aims:` namespace of a config map, as the program's pulumi.Config("aims") reads it. */
export function configSource(config: Record<string, string>): ConfigSource {
    return { get: (key: string) => config[`aims:${key}`] };
}

/** A stack's settings read offline from its stack file (secrets as placeholders). */
export function readOfflineSettings(projectDir: string, stack: string, tenants: readonly TenantSpec[]): StackSettings {
    return readStackSettings(configSource(readStackConfig(projectDir, stack).config), stack, tenants);
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
    const file = path.join(projectDir, stackFile(stack));
    if (!fs.existsSync(file)) {
        throw new Error(`${stackFile(stack)}: no such stack file; stacks: ${listStacks(projectDir).join(", ")}`);
    }
    const document = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [key, raw] of Object.entries(document.config ?? {})) {
        let hadSecret = false;
        const value = replaceSecure(raw, () => (hadSecret = true));
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (hadSecret) secretKeys.add(key);
    }
    for (const { key, path: secretPath } of SECRET_PATHS) {
        if (config[key] === undefined) continue;
        const block = JSON.parse(config[key]);
        const parent = secretPath.slice(0, -1).reduce((node, part) => node?.[part], block);
        const leaf = secretPath[secretPath.length - 1];
        if (parent && typeof parent === "object" && parent[leaf] === undefined) {
            parent[leaf] = SECRET_PLACEHOLDER;
            config[key] = JSON.stringify(block);
            secretKeys.add(key);
        }
    }
    return { config, secretKeys: [...secretKeys] };
}

function replaceSecure(value: unknown, onSecret: () => void): unknown {
    if (Array.isArray(value)) return value.map((item) => replaceSecure(item, onSecret));
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            onSecret();
            return SECRET_PLACEHOLDER;
        }
        return Object.fromEntries(entries.map(([key, item]) => [key, replaceSecure(item, onSecret)]));
    }
    return value;
}

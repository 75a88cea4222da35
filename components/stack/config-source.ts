/** Where the stack's `aims:` config comes from: the running program's, or a stack file read offline. */
import * as pulumi from "@pulumi/pulumi";

export interface ConfigSource {
    /** Every full key of the `aims:` namespace that is set: `aims:database`, ... */
    keys(): string[];
    /** A full key's value as Pulumi hands it to a program: text, mappings and lists as JSON. */
    get(key: string): string | undefined;
    /** Whether the value at a full key (`aims:database.password`) was set as a secret. */
    isSecret(key: string): boolean;
}

/**
 * The running stack's `aims:` config. Pulumi marks a whole top-level key secret when any value
 * in it is, so a secret field counts as set in plain text only when its top-level key is not secret.
 */
export function programConfigSource(): ConfigSource {
    const config = pulumi.runtime.allConfig();
    // isConfigSecret is exported by the runtime but missing from its typings.
    const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    return {
        keys: () => Object.keys(config).filter((key) => key.startsWith("aims:")),
        get: (key) => config[key],
        isSecret: (key) => runtime.isConfigSecret(key.split(/[.[]/)[0]),
    };
}

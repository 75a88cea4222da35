/**
 * Test helpers: fresh Pulumi mocks per test, settings read from the real stack files, and
 * tenant specs with defaults. Call `startMocks` before constructing any resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockStack } from "../../scripts/lib/mock-stack";
import { STACK_SECRET_PATHS } from "../../components/stack/secrets";
import { configSource, readStackConfig, StackConfig } from "../../components/stack/stack-file";
import { PROJECT_ROOT } from "../../components/support/project-root";
import type { TenantSpec } from "../../components/tenant-files/registry";
import { platformOf, readStackSettings, StackSettings } from "../../components/stack/settings";
import { stackProviders } from "../../components/providers";
import { Tenant } from "../../components/tenant";
import type { Platform } from "../../components/vocabulary/words";

export { MockStack, RecordedResource, reveal, redact, Secret } from "../../scripts/lib/mock-stack";

/**
 * The config of a real stack file, with top-level keys replaced or removed (`undefined`). The
 * secret fields of a replaced key count as set with `pulumi config set --secret`.
 */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    const { config, secretKeys, secretPaths } = readStackConfig(PROJECT_ROOT, stack);
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete config[key];
        else config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const overridden = STACK_SECRET_PATHS.filter(([key]) => overrides[key] !== undefined);
    return {
        config,
        secretKeys: [...new Set([...secretKeys, ...overridden.map(([key]) => key)])],
        secretPaths: [...secretPaths, ...overridden.map((path) => path.join("."))],
    };
}

/**
 * Resets the runtime to mocks configured like `stack` (plus overrides); `previousOutputs` are
 * the outputs of the stack's last update, which the deletion guard reads.
 */
export function startMocks(
    stack = "dev",
    overrides: Record<string, unknown> = {},
    previousOutputs?: Record<string, unknown>,
): MockStack {
    const { config, secretKeys } = stackConfig(stack, overrides);
    return MockStack.start({ stack, config, secretKeys, previousOutputs });
}

/** Settings of a real stack file; call after startMocks (secrets become Outputs). */
export function settingsOf(
    stack: string,
    tenants: readonly TenantSpec[],
    overrides: Record<string, unknown> = {},
): StackSettings {
    return readStackSettings(configSource(stackConfig(stack, overrides)), stack, tenants);
}

export function spec(overrides: Partial<TenantSpec> & { name: string }): TenantSpec {
    return {
        displayName: `School ${overrides.name}`,
        environments: ["dev", "sit", "prod"],
        plan: "standard",
        status: "active",
        schoolId: "1001",
        file: `tenants/${overrides.name}.yaml`,
        ...overrides,
    };
}

/** The value of an Output; an optional Output that is missing fails the test. */
export function valueOf<T>(output: pulumi.Output<T> | undefined): Promise<T> {
    if (!output) return Promise.reject(new Error("expected an Output, got undefined"));
    return new Promise((resolve) => output.apply(resolve));
}

export async function isSecret<T>(output: pulumi.Output<T> | undefined): Promise<boolean> {
    if (!output) throw new Error("expected an Output, got undefined");
    return pulumi.isSecret(output);
}

/** Declares `tenants` on `stack` as index.ts does (explicit providers) and waits for every registration. */
export async function deployStack(
    stack: string,
    tenants: readonly TenantSpec[],
    overrides: Record<string, unknown> = {},
): Promise<{ mocks: MockStack; settings: StackSettings }> {
    const mocks = startMocks(stack, overrides);
    const settings = settingsOf(stack, tenants, overrides);
    const providers = stackProviders(
        settings,
        new Set<Platform>(tenants.map((s) => platformOf(s, settings))),
    );
    for (const tenant of tenants) new Tenant(tenant.name, { tenant, settings }, { providers });
    await mocks.settled();
    return { mocks, settings };
}

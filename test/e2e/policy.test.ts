/**
 * The policy pack under the real engine, on a program that breaks a mandatory rule with a value
 * that is unknown until apply sitting beside it. On a preview the Kubernetes provider reports a
 * new Secret's whole `stringData` as unknown, so the literal cannot be seen there; the rule must
 * then not be skipped with an advisory message, and must stop `pulumi up` before the Secret
 * exists.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { KubeClient } from "./support/kube";
import { Platform, platformFromEnvironment } from "./support/platform";
import { createIsolatedStack, FIXTURES, POLICY_PACK } from "./support/project";

describe("the policy pack under the real engine", function () {
    this.timeout(10 * 60_000);
    let platform: Platform;

    before(() => {
        platform = platformFromEnvironment();
    });

    it("runs on a preview without skipping, and stops `up` before a Secret holding a literal is created", async () => {
        const kube = KubeClient.fromKubeconfig(platform.kubeconfig, platform.kubeContext);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-fixture-"));
        fs.cpSync(path.join(FIXTURES, "literal-secret"), dir, { recursive: true });
        fs.symlinkSync(
            path.resolve(FIXTURES, "..", "..", "..", "node_modules"),
            path.join(dir, "node_modules"),
        );
        const { stack, stateDir } = await createIsolatedStack(dir, "policy");
        const messages: string[] = [];
        const onEvent = (event: EngineEvent) => {
            if (event.policyEvent)
                messages.push(
                    `${event.policyEvent.policyName} ${event.policyEvent.enforcementLevel}: ${event.policyEvent.message}`,
                );
            // Debug diagnostics echo resource outputs, generated secrets included: keep only what a user sees.
            if (
                event.diagnosticEvent &&
                ["error", "warning", "info"].includes(event.diagnosticEvent.severity)
            )
                messages.push(event.diagnosticEvent.message);
        };
        try {
            if (platform.kubeContext)
                await stack.setConfig("literal-secret:context", { value: platform.kubeContext });
            await stack.preview({ policyPacks: [POLICY_PACK], onEvent });
            assert.deepEqual(
                messages.filter((m) => /can't run policy|can't be known during preview/i.test(m)),
                [],
                "no rule is skipped",
            );

            messages.length = 0;
            await assert.rejects(stack.up({ policyPacks: [POLICY_PACK], onEvent }));
            assert.ok(
                messages.some((m) =>
                    /^no-literal-secrets mandatory: .*"password" holds a literal placeholder/s.test(
                        m,
                    ),
                ),
                messages.join("\n"),
            );
            const secrets = await kube.list("/api/v1/namespaces/default/secrets");
            assert.deepEqual(
                secrets.map((s) => s.metadata.name).filter((name) => name.startsWith("literal-")),
                [],
                "the Secret was never created",
            );
        } finally {
            await stack.destroy();
            fs.rmSync(dir, { recursive: true, force: true });
            fs.rmSync(stateDir, { recursive: true, force: true });
        }
    });
});

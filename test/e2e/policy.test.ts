/**
 * The policy pack under the real engine: on a preview, where generated values are still
 * unknown, a mandatory rule must hold instead of turning into an advisory message.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Platform, platformFromEnvironment } from "./support/platform";
import { createIsolatedStack, FIXTURES, POLICY_PACK } from "./support/project";

describe("the policy pack under the real engine", function () {
    this.timeout(10 * 60_000);
    let platform: Platform;

    before(() => {
        platform = platformFromEnvironment();
    });

    it("stops a preview whose new Secret holds a literal beside a value that is unknown until apply", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-fixture-"));
        fs.cpSync(path.join(FIXTURES, "literal-secret"), dir, { recursive: true });
        fs.symlinkSync(path.resolve(FIXTURES, "..", "..", "..", "node_modules"), path.join(dir, "node_modules"));
        const { stack, stateDir } = await createIsolatedStack(dir, "policy");
        try {
            if (platform.kubeContext) await stack.setConfig("literal-secret:context", { value: platform.kubeContext });
            const messages: string[] = [];
            await assert.rejects(
                stack.preview({ policyPacks: [POLICY_PACK], onEvent: (e) => e.policyEvent && messages.push(`${e.policyEvent.policyName} ${e.policyEvent.enforcementLevel}: ${e.policyEvent.message}`) }),
            );
            assert.ok(messages.some((m) => /^no-literal-secrets mandatory: .*"password" holds a literal placeholder/.test(m)), messages.join("\n"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
            fs.rmSync(stateDir, { recursive: true, force: true });
        }
    });
});

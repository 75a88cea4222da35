/**
 * How the end-to-end suite finds its platform (test/e2e/support/platform.ts): the one setting
 * that lets it use plugins installed with `pulumi plugin install`, and the message that says what
 * is missing. The suite itself runs with `npm run e2e`.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    installedPluginsDir,
    PLUGINS_DIR_SETTING,
    platformFromEnvironment,
} from "./e2e/support/platform";

describe("the end-to-end platform from the environment", () => {
    let kubeconfig: string;
    let plugins: string;
    let bin: string;

    before(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aims-e2e-platform-"));
        kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\n");
        plugins = path.join(dir, "plugins");
        fs.mkdirSync(plugins);
        // A CLI that only tells its version: enough for the checks here.
        bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho v3.248.0\n", { mode: 0o755 });
    });

    const complete = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        KUBECONFIG: kubeconfig,
        PGHOST: "127.0.0.1",
        PGPORT: "5432",
        AIMS_PG_ADMIN_USER: "aims_admin",
        AIMS_PG_ADMIN_PASSWORD: "not-a-real-one",
        AIMS_NODE_HOST_IP: "172.18.0.1",
        AIMS_E2E_LOAD_IMAGE: "kind load image-archive {}",
        ...extra,
    });

    it("uses no plugins folder unless AIMS_E2E_PLUGINS_DIR names one", () => {
        assert.equal(installedPluginsDir(complete()), undefined);
        assert.equal(installedPluginsDir(complete({ [PLUGINS_DIR_SETTING]: plugins })), plugins);
        assert.equal(
            installedPluginsDir(complete({ [PLUGINS_DIR_SETTING]: "relative/plugins" })),
            path.resolve("relative/plugins"),
        );
    });

    it("refuses a plugins folder that does not exist, naming the setting", () => {
        const missing = path.join(plugins, "nowhere");
        assert.throws(
            () => platformFromEnvironment(complete({ [PLUGINS_DIR_SETTING]: missing })),
            new RegExp(`AIMS_E2E_PLUGINS_DIR names ${missing}, which does not exist`),
        );
    });

    it("takes the address pods reach this machine at, and a load command with a place for the archive", () => {
        const platform = () =>
            platformFromEnvironment(complete({ AIMS_E2E_LOAD_IMAGE: "kind load image-archive" }));
        assert.throws(platform, /AIMS_E2E_LOAD_IMAGE is not set, or has no \{\}/);
        assert.equal(platformFromEnvironment(complete()).nodeHost, "172.18.0.1");
    });

    it("lists everything missing at once, and says how to install the plugins", () => {
        assert.throws(
            () => platformFromEnvironment({ PATH: "" }),
            (err: Error) => {
                for (const name of [
                    "KUBECONFIG",
                    "PGHOST",
                    "PGPORT",
                    "AIMS_PG_ADMIN_USER",
                    "AIMS_PG_ADMIN_PASSWORD",
                    "AIMS_NODE_HOST_IP",
                ])
                    assert.match(err.message, new RegExp(`- ${name} is not set`));
                assert.match(
                    err.message,
                    /- AIMS_E2E_LOAD_IMAGE is not set, or has no \{\} for the image archive/,
                );
                assert.match(err.message, /`pulumi` is not on the PATH/);
                assert.match(err.message, /AIMS_E2E_PLUGINS_DIR/);
                assert.doesNotMatch(err.message, /not-a-real-one/);
                return true;
            },
        );
    });
});

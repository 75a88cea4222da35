/**
 * The end-to-end suite's test CA (test/e2e/support/test-ca.ts): made once with openssl and kept,
 * its keys private to the user, issuing server certificates that name exactly the hosts asked for.
 */
import { strict as assert } from "node:assert";
import { createPrivateKey, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serverCertificate, testCa, testCaDir } from "./e2e/support/test-ca";

describe("the test CA of the end-to-end suite", () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-ca-"));
        env = { PATH: process.env.PATH, XDG_CACHE_HOME: dir };
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is made once, in the project's cache, and is a CA", () => {
        const ca = testCa(env);
        assert.equal(testCaDir(env), path.join(dir, "aims-tenants", "test-ca"));
        assert.equal(ca.certFile, path.join(testCaDir(env), "ca.crt"));
        assert.deepEqual(testCa(env), ca);
        const cert = new X509Certificate(ca.certPem);
        assert.equal(cert.ca, true);
        assert.equal(cert.subject, "CN=aims-tenants end-to-end test CA");
        assert.equal(ca.fingerprint, cert.fingerprint256);
        assert.ok(Date.parse(cert.validTo) > Date.now() + 5 * 365 * 24 * 3600 * 1000);
        assert.equal(fs.statSync(path.join(testCaDir(env), "ca.key")).mode & 0o077, 0);
        assert.equal(fs.statSync(testCaDir(env)).mode & 0o077, 0);
    });

    it("issues a server certificate for exactly the names asked, signed by the CA, and reuses it", () => {
        const ca = new X509Certificate(testCa(env).certPem);
        const issued = serverCertificate(["IP:10.88.0.1", "DNS:localhost"], env);
        const cert = new X509Certificate(issued.certPem);
        assert.equal(cert.subjectAltName, "IP Address:10.88.0.1, DNS:localhost");
        assert.equal(cert.ca, false);
        assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
        assert.equal(cert.checkIP("10.88.0.1"), "10.88.0.1");
        assert.equal(cert.checkIP("10.88.0.2"), undefined);
        assert.equal(cert.checkHost("elsewhere"), undefined);
        assert.ok(cert.checkPrivateKey(createPrivateKey(issued.keyPem)));
        assert.equal(fs.statSync(issued.keyFile).mode & 0o077, 0);
        assert.deepEqual(serverCertificate(["IP:10.88.0.1", "DNS:localhost"], env), issued);
        assert.notEqual(serverCertificate(["DNS:localhost"], env).certPem, issued.certPem);
    });

    it("refuses a name that is not IP:<address> or DNS:<name>", () => {
        assert.throws(() => serverCertificate(["10.88.0.1"], env), /not a subjectAltName/);
        assert.throws(() => serverCertificate(["DNS:a,IP:1.2.3.4"], env), /not a subjectAltName/);
        assert.throws(() => serverCertificate([], env), /at least one name/);
    });

    it("says to install openssl when it is missing", () => {
        assert.throws(
            () => testCa({ PATH: dir, XDG_CACHE_HOME: dir }),
            /openssl could not be run .*Install it/,
        );
    });
});

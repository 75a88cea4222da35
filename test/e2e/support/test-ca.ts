/**
 * The suite's test certificate authority, made with the openssl CLI: the stand-ins of the core and
 * of S3 serve https with certificates it signs, and only the stand-in images and the suite's own
 * processes trust it. The CA is made once per user and kept in the project's cache
 * (~/.cache/aims-tenants/test-ca, or AIMS_TEST_CA_DIR), so the images that carry it keep their
 * cache key across runs; its keys never leave that folder. Server certificates are issued per set
 * of names, kept beside it, and issued again when the CA changed or they are close to expiry.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import { isIP } from "node:net";
import * as path from "node:path";
import { moveIntoPlace } from "../../../scripts/lib/install-tools";
import { projectCacheHome } from "../../../scripts/lib/tools";

export interface TestCa {
    /** The CA certificate (PEM), the one file a client needs to trust it. */
    readonly certFile: string;
    readonly certPem: string;
    /** sha256 of the certificate (DER), colon-separated hex, as openssl prints it. */
    readonly fingerprint: string;
}

export interface ServerCertificate {
    readonly certFile: string;
    readonly keyFile: string;
    readonly certPem: string;
    readonly keyPem: string;
}

const CA_SUBJECT = "/CN=aims-tenants end-to-end test CA";
const CA_DAYS = 3650;
const SERVER_DAYS = 30;
/** A server certificate is issued again when it expires within this. */
const SERVER_MIN_VALIDITY_MS = 2 * 24 * 3600 * 1000;
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

export function testCaDir(env: NodeJS.ProcessEnv = process.env): string {
    if (env.AIMS_TEST_CA_DIR) return path.resolve(env.AIMS_TEST_CA_DIR);
    return path.join(projectCacheHome(env), "test-ca");
}

function openssl(args: readonly string[], env: NodeJS.ProcessEnv): void {
    const result = spawnSync("openssl", args, { env, encoding: "utf8" });
    if (result.error) {
        throw new Error(
            `openssl could not be run (${result.error.message}): the end-to-end suite makes its test certificate authority with the openssl command-line tool. Install it (Debian: apt-get install openssl) and put it on the PATH.`,
        );
    }
    if (result.status !== 0)
        throw new Error(`openssl ${args[0]} failed (exit ${result.status}): ${result.stderr}`);
}

function readCa(dir: string): TestCa {
    const certFile = path.join(dir, "ca.crt");
    const certPem = fs.readFileSync(certFile, "utf8");
    return { certFile, certPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
}

/** The test CA, made on first use. */
export function testCa(env: NodeJS.ProcessEnv = process.env): TestCa {
    const dir = testCaDir(env);
    if (fs.existsSync(path.join(dir, "ca.crt"))) return readCa(dir);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const staging = fs.mkdtempSync(path.join(path.dirname(dir), ".test-ca-"));
    try {
        fs.chmodSync(staging, 0o700);
        openssl(
            [
                "req",
                "-x509",
                ...EC_KEY,
                "-keyout",
                path.join(staging, "ca.key"),
                "-out",
                path.join(staging, "ca.crt"),
                "-days",
                String(CA_DAYS),
                "-subj",
                CA_SUBJECT,
                "-addext",
                "basicConstraints=critical,CA:TRUE,pathlen:0",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
            env,
        );
        moveIntoPlace(staging, dir);
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
    return readCa(dir);
}

/**
 * A server certificate for `sans`, subjectAltName entries such as `IP:10.88.0.1` or
 * `DNS:localhost`, signed by the test CA.
 */
export function serverCertificate(
    sans: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
): ServerCertificate {
    if (sans.length === 0) throw new Error("a server certificate needs at least one name");
    for (const san of sans)
        if (!/^(IP|DNS):[A-Za-z0-9.:*-]+$/.test(san))
            throw new Error(`not a subjectAltName of the form IP:<address> or DNS:<name>: ${san}`);
    const ca = testCa(env);
    const caDir = testCaDir(env);
    const name = createHash("sha256")
        .update(`${ca.fingerprint}\n${sans.join(",")}`)
        .digest("hex")
        .slice(0, 16);
    const dir = path.join(caDir, "servers", name);
    const files = { certFile: path.join(dir, "server.crt"), keyFile: path.join(dir, "server.key") };
    if (!stillValid(files.certFile)) issue(sans, dir, caDir, env);
    return {
        ...files,
        certPem: fs.readFileSync(files.certFile, "utf8"),
        keyPem: fs.readFileSync(files.keyFile, "utf8"),
    };
}

function stillValid(certFile: string): boolean {
    if (!fs.existsSync(certFile)) return false;
    const validTo = Date.parse(new X509Certificate(fs.readFileSync(certFile)).validTo);
    return validTo - Date.now() > SERVER_MIN_VALIDITY_MS;
}

function issue(sans: readonly string[], dir: string, caDir: string, env: NodeJS.ProcessEnv) {
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    const staging = fs.mkdtempSync(`${dir}.issuing-`);
    try {
        const at = (file: string) => path.join(staging, file);
        fs.writeFileSync(
            at("extensions.cnf"),
            [
                "basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=serverAuth",
                `subjectAltName=${sans.join(",")}`,
                "subjectKeyIdentifier=hash",
                "authorityKeyIdentifier=keyid",
                "",
            ].join("\n"),
        );
        const subject = `/CN=${sans[0].slice(sans[0].indexOf(":") + 1)}`;
        openssl(
            [
                "req",
                "-new",
                ...EC_KEY,
                "-keyout",
                at("server.key"),
                "-out",
                at("server.csr"),
            ].concat(["-subj", subject]),
            env,
        );
        openssl(
            [
                "x509",
                "-req",
                "-in",
                at("server.csr"),
                "-CA",
                path.join(caDir, "ca.crt"),
                "-CAkey",
                path.join(caDir, "ca.key"),
                "-set_serial",
                `0x${randomBytes(8).toString("hex")}`,
                "-days",
                String(SERVER_DAYS),
                "-extfile",
                at("extensions.cnf"),
                "-out",
                at("server.crt"),
            ],
            env,
        );
        fs.rmSync(at("server.csr"));
        fs.rmSync(at("extensions.cnf"));
        fs.rmSync(dir, { recursive: true, force: true });
        moveIntoPlace(staging, dir);
    } finally {
        fs.rmSync(staging, { recursive: true, force: true });
    }
}

/** A certificate's names for the hosts: an address as IP, a name as DNS. */
export const subjectAltNames = (hosts: readonly string[]): string[] => [
    ...new Set(hosts.map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`))),
];

/**
 * A local S3 for the end-to-end suite: the pinned moto server (./moto.ts) on a given host and a
 * free port, with one bucket, versioning on, as aims:backup expects of the real one. moto checks
 * no signature, so the tenants' backup Job may use any key pair, and the helpers here read and
 * write the bucket with plain path-style requests that only name the key pair (moto refuses an
 * anonymous write, as S3 would).
 *
 * It serves https, as aims:backup.endpoint requires, with a certificate of the suite's test CA
 * (test-ca.ts) for the bound and the advertised host: the stand-in images trust that CA, and so
 * do the helpers here, but nothing else.
 */
import { ChildProcess, spawn } from "node:child_process";
import { closedPort, httpOrigin } from "../../support/loopback";
import { Answer, httpsRequest } from "./https-request";
import { installMoto } from "./moto";
import { serverCertificate, subjectAltNames, testCa } from "./test-ca";

export interface S3StandinOptions {
    /** Address moto binds. */
    readonly host: string;
    /** Host name or address the tenants reach it at, for `endpoint`; default `host`. */
    readonly advertisedHost?: string;
    readonly bucket: string;
    /** Default us-east-1. */
    readonly region?: string;
    /** How long moto may take to answer after it starts; default 30 s. */
    readonly startTimeoutMs?: number;
}

export interface ObjectVersion {
    readonly key: string;
    readonly versionId: string;
    readonly isLatest: boolean;
    /** undefined for a delete marker */
    readonly size?: number;
    readonly lastModified: Date;
}

export interface S3Standin {
    /** For aims:backup.endpoint: `https://<advertised host>:<port>`. */
    readonly endpoint: string;
    /** Where this process reaches it: `https://<host>:<port>`. */
    readonly localEndpoint: string;
    /** The CA certificate (PEM file) a client must trust to reach it: AWS_CA_BUNDLE. */
    readonly caFile: string;
    readonly bucket: string;
    readonly region: string;
    /** A key pair for aims:backup; moto accepts any. */
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    /** The latest version of the object; throws when it does not exist. */
    getObject(key: string): Promise<Buffer>;
    putObject(key: string, body: Buffer | string): Promise<void>;
    /** Every version and delete marker under `prefix`, newest first per key, as S3 lists them. */
    listVersions(prefix: string): Promise<ObjectVersion[]>;
    stop(): Promise<void>;
}

export async function startS3Standin(options: S3StandinOptions): Promise<S3Standin> {
    const python = await installMoto();
    const region = options.region ?? "us-east-1";
    const credentials = { accessKeyId: "aims-e2e-backup", secretAccessKey: "aims-e2e-backup-key" };
    const ca = testCa();
    const advertised = options.advertisedHost ?? options.host;
    const certificate = serverCertificate(subjectAltNames([options.host, advertised]));
    const send = (url: string, init: { method?: string; body?: Buffer | string } = {}) =>
        httpsRequest(url, {
            ...init,
            ca: ca.certPem,
            headers: { Authorization: unsignedAuthorization(credentials.accessKeyId, region) },
        });
    const port = await closedPort(options.host);
    const local = httpOrigin(options.host, port, "https");
    const moto = spawn(
        python,
        ["-m", "moto.server", "-H", options.host, "-p", String(port)].concat([
            "--ssl-cert",
            certificate.certFile,
            "--ssl-key",
            certificate.keyFile,
        ]),
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    moto.stdout?.on("data", (chunk) => (output += chunk));
    moto.stderr?.on("data", (chunk) => (output += chunk));
    try {
        await waitUntilAnswering(
            () => send(local),
            local,
            moto,
            () => output,
            options.startTimeoutMs ?? 30_000,
        );
        const bucketUrl = `${local}/${options.bucket}`;
        await expectOk(
            "create the bucket",
            await send(bucketUrl, {
                method: "PUT",
                ...(region !== "us-east-1" && {
                    body: `<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
                }),
            }),
        );
        await expectOk(
            "turn versioning on",
            await send(`${bucketUrl}?versioning`, {
                method: "PUT",
                body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>',
            }),
        );
    } catch (error) {
        await stopProcess(moto);
        throw error;
    }
    const objectUrl = (key: string) =>
        `${local}/${options.bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
    return {
        endpoint: httpOrigin(advertised, port, "https"),
        localEndpoint: local,
        caFile: ca.certFile,
        bucket: options.bucket,
        region,
        credentials,
        getObject: async (key) => {
            const response = await send(objectUrl(key));
            await expectOk(`get s3://${options.bucket}/${key}`, response);
            return response.body;
        },
        putObject: async (key, body) =>
            expectOk(
                `put s3://${options.bucket}/${key}`,
                await send(objectUrl(key), { method: "PUT", body }),
            ),
        listVersions: async (prefix) => {
            const response = await send(
                `${local}/${options.bucket}?versions&prefix=${encodeURIComponent(prefix)}`,
            );
            await expectOk(`list the versions under ${prefix}`, response);
            return parseVersions(response.body.toString());
        },
        stop: () => stopProcess(moto),
    };
}

/** An Authorization header of the SigV4 form, its signature a placeholder: moto reads who, not the proof. */
const unsignedAuthorization = (accessKeyId: string, region: string): string =>
    `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20250101/${region}/s3/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`;

async function waitUntilAnswering(
    probe: () => Promise<Answer>,
    origin: string,
    moto: ChildProcess,
    output: () => string,
    timeoutMs: number,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (moto.exitCode !== null || moto.signalCode !== null)
            throw new Error(`moto exited (${moto.exitCode ?? moto.signalCode}):\n${output()}`);
        try {
            await probe();
            return;
        } catch (error) {
            if (/certificate|self.signed|altname/i.test(String(error))) throw error;
            if (Date.now() > deadline)
                throw new Error(
                    `moto did not answer at ${origin} within ${timeoutMs} ms:\n${output()}`,
                );
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
}

async function expectOk(what: string, response: Answer): Promise<void> {
    if (response.ok) return;
    throw new Error(`could not ${what}: HTTP ${response.status} ${response.body.toString()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
    });
}

/** The versions and delete markers of a ListObjectVersions answer. */
export function parseVersions(xml: string): ObjectVersion[] {
    const entries = xml.matchAll(/<(Version|DeleteMarker)>([\s\S]*?)<\/\1>/g);
    return [...entries].map(([, kind, body]) => {
        const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
        const size = field("Size");
        return {
            key: unescapeXml(field("Key") ?? ""),
            versionId: field("VersionId") ?? "",
            isLatest: field("IsLatest") === "true",
            ...(kind === "Version" && size !== undefined && { size: Number(size) }),
            lastModified: new Date(field("LastModified") ?? 0),
        };
    });
}

const unescapeXml = (text: string): string =>
    text
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, "&");

/**
 * The end-to-end suite's local S3 (test/e2e/support/s3-standin.ts): the pinned moto in its cached
 * environment, with a versioned bucket that an S3 client signing with the stand-in's key pair
 * writes to, as the backup pod's aws CLI does, and that the suite's helpers read back. It serves
 * https with a certificate of the suite's test CA: a client that does not trust that CA, or reaches
 * it at a name the certificate does not hold, is refused.
 * The first run installs moto (about half a minute); later runs start it in a second or two.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { installMoto, MOTO_VERSION } from "./support/moto";
import { S3Standin, startS3Standin } from "./support/s3-standin";

/**
 * Uploads with boto3 (moto's own dependency, botocore as in the backup image's aws CLI), signed,
 * path-style, as an S3 client of `endpoint`, trusting what `trust` says (AWS_CA_BUNDLE).
 */
function uploadWithBoto3(
    python: string,
    s3: S3Standin,
    key: string,
    body: string,
    trust: Record<string, string> = { AWS_CA_BUNDLE: s3.caFile },
    endpoint: string = s3.endpoint,
) {
    const script = [
        "import os, boto3",
        "client = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], region_name=os.environ['REGION'],",
        "    aws_access_key_id=os.environ['KEY_ID'], aws_secret_access_key=os.environ['SECRET'])",
        "client.put_object(Bucket=os.environ['BUCKET'], Key=os.environ['KEY'], Body=os.environ['BODY'].encode())",
    ].join("\n");
    return spawnSync(python, ["-c", script], {
        encoding: "utf8",
        env: {
            PATH: process.env.PATH ?? "",
            ENDPOINT: endpoint,
            REGION: s3.region,
            KEY_ID: s3.credentials.accessKeyId,
            SECRET: s3.credentials.secretAccessKey,
            BUCKET: s3.bucket,
            KEY: key,
            BODY: body,
            ...trust,
        },
    });
}

describe("the local S3 of the end-to-end suite (moto)", function () {
    this.timeout(180_000);
    let python: string;
    let s3: S3Standin | undefined;
    before(async () => {
        python = await installMoto();
    });
    afterEach(async () => {
        await s3?.stop();
        s3 = undefined;
    });

    it(`is moto ${MOTO_VERSION}, answering at the advertised endpoint with a bucket that keeps every version`, async () => {
        s3 = await startS3Standin({ host: "127.0.0.1", bucket: "aims-e2e-backups" });
        assert.match(s3.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(s3.endpoint, s3.localEndpoint);
        const key = "offboarding/dev/alpha/tenant_alpha.dump";
        const first = uploadWithBoto3(python, s3, key, "first dump");
        assert.equal(first.status, 0, first.stderr);
        await s3.putObject(key, Buffer.from("corrupt"));
        assert.equal((await s3.getObject(key)).toString(), "corrupt");
        await s3.putObject("offboarding/dev/beta/tenant_beta.dump", "other tenant");

        const versions = await s3.listVersions("offboarding/dev/alpha/");
        assert.deepEqual(
            versions.map((v) => [v.key, v.isLatest, v.size]),
            [
                [key, true, 7],
                [key, false, 10],
            ],
        );
        assert.notEqual(versions[0].versionId, versions[1].versionId);
        assert.notEqual(versions[0].versionId, "null", "versioning is on");
        assert.ok(versions[0].lastModified.getTime() > Date.now() - 600_000);
    });

    it("fails to get an object that does not exist, saying which", async () => {
        s3 = await startS3Standin({
            host: "127.0.0.1",
            advertisedHost: "10.88.0.1",
            bucket: "aims-e2e-backups",
            region: "af-south-1",
        });
        assert.match(s3.endpoint, /^https:\/\/10\.88\.0\.1:\d+$/);
        assert.match(s3.localEndpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(s3.region, "af-south-1");
        await assert.rejects(
            s3.getObject("offboarding/missing.dump"),
            /could not get s3:\/\/aims-e2e-backups\/offboarding\/missing\.dump: HTTP 404/,
        );
        assert.deepEqual(await s3.listVersions("offboarding/"), []);
    });

    it("refuses, over TLS, a client that does not trust the test CA, and one that reaches it at a name its certificate lacks", async () => {
        s3 = await startS3Standin({ host: "127.0.0.1", bucket: "aims-e2e-backups" });
        const key = "offboarding/dev/alpha/tenant_alpha.dump";

        const untrusting = uploadWithBoto3(python, s3, key, "dump", {});
        assert.notEqual(untrusting.status, 0);
        assert.match(
            untrusting.stderr,
            /SSLError.*CERTIFICATE_VERIFY_FAILED.*unable to get local issuer/s,
        );

        const port = new URL(s3.endpoint).port;
        const wrongName = uploadWithBoto3(
            python,
            s3,
            key,
            "dump",
            { AWS_CA_BUNDLE: s3.caFile },
            `https://localhost:${port}`,
        );
        assert.notEqual(wrongName.status, 0);
        assert.match(
            wrongName.stderr,
            /SSL validation failed .* hostname 'localhost' doesn't match '127\.0\.0\.1'/,
        );

        assert.deepEqual(await s3.listVersions("offboarding/"), [], "nothing was written");
        const trusting = uploadWithBoto3(python, s3, key, "dump");
        assert.equal(trusting.status, 0, trusting.stderr);
        assert.equal((await s3.getObject(key)).toString(), "dump");
    });
});

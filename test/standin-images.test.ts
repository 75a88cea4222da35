import * as assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { PROJECT_ROOT } from "../components/support/project-root";
import { hostPython, hostPythonCommand } from "./e2e/support/images/host-runtime";
import { tarLayer } from "./e2e/support/images/layer";
import { LOAD_IMAGE_SETTING, loadImageArchive } from "./e2e/support/images/load";
import { MEDIA_TYPES, writeImageArchive } from "./e2e/support/images/oci-archive";
import { CA_BUNDLE } from "./e2e/support/images/rootfs";
import {
    type AppName,
    type Variant,
    VARIANTS,
    STANDIN_SOURCES,
    appImage,
    appLayer,
    caLayer,
    imageKey,
    stageApp,
} from "./e2e/support/images/standin-images";
import { testCa } from "./e2e/support/test-ca";

const BACKEND_CONTRACT = [
    "TENANT_SUBDOMAIN",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DB_HOST",
    "DB_PORT",
    "TENANT_DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
    "SECRET_KEY",
];
const TENANT_HOST = "standin.aims.example.org";

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const readJson = (file: string): any => JSON.parse(fs.readFileSync(file, "utf8"));

function scratch(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "standin-images-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}

/** The environment the chart gives the backend, with the database at a port nothing listens on. */
async function backendEnvironment(): Promise<Record<string, string>> {
    return {
        TENANT_SUBDOMAIN: "standin",
        ALLOWED_HOSTS: `${TENANT_HOST},standin-backend`,
        CSRF_TRUSTED_ORIGINS: `https://${TENANT_HOST}`,
        DB_HOST: "127.0.0.1",
        DB_PORT: String(await freePort()),
        TENANT_DB_NAME: "tenant_standin",
        DB_USER: "tenant_standin",
        DB_PASSWORD: "not-a-secret",
        SECRET_KEY: "not-a-secret",
    };
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

function runApp(app: AppName, args: string[], env: Record<string, string>, variant?: Variant) {
    const dir = stageApp(app, scratch(), variant);
    return spawnSync(hostPythonCommand(), args, {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: os.tmpdir(), PYTHONDONTWRITEBYTECODE: "1", ...env },
        encoding: "utf8",
        timeout: 20000,
    });
}

async function startServer(app: AppName, args: string[], env: Record<string, string>) {
    const dir = stageApp(app, scratch());
    const server: ChildProcess = spawn(hostPythonCommand(), args, {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: os.tmpdir(), PYTHONDONTWRITEBYTECODE: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    after(() => server.kill());
    let output = "";
    server.stdout!.on("data", (chunk) => (output += String(chunk)));
    server.stderr!.on("data", (chunk) => (output += String(chunk)));
    for (let waited = 0; !output.includes("serving"); waited += 50) {
        if (waited > 10000 || server.exitCode !== null) throw new Error(`did not start: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return () => output;
}

/** A GET with the Host header of choice (fetch does not let one set it). */
function get(port: number, requestPath: string, host: string) {
    return new Promise<{ status: number; body: any }>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () =>
            socket.write(`GET ${requestPath} HTTP/1.0\r\nHost: ${host}\r\n\r\n`),
        );
        let answer = "";
        socket.on("data", (chunk) => (answer += String(chunk)));
        socket.on("end", () => {
            const [head, body] = answer.split("\r\n\r\n");
            resolve({ status: Number(head.split(" ")[1]), body: JSON.parse(body) });
        });
        socket.on("error", reject);
    });
}

describe("stand-in images", () => {
    describe("the image archive", () => {
        it("is an OCI layout and a docker archive whose blobs match their digests", async () => {
            const dir = scratch();
            const root = path.join(dir, "root");
            fs.mkdirSync(path.join(root, "app"), { recursive: true });
            fs.writeFileSync(path.join(root, "app", "hello.txt"), "hello\n");
            const layer = await tarLayer(
                root,
                path.join(dir, "layer.tar"),
                path.join(dir, "layer.tar.gz"),
            );
            const archive = path.join(dir, "image.tar");
            const name = "localhost/aims-standin/test:abc123";
            writeImageArchive(archive, name, [layer], {
                user: "10001",
                env: ["PATH=/usr/local/bin"],
                cmd: ["python", "server.py"],
                workingDir: "/app",
            });

            const out = path.join(dir, "out");
            fs.mkdirSync(out);
            spawnSync("tar", ["-xf", archive, "-C", out], { stdio: "inherit" });
            const blobs = fs.readdirSync(path.join(out, "blobs", "sha256"));
            for (const blob of blobs) {
                assert.equal(
                    sha256(fs.readFileSync(path.join(out, "blobs", "sha256", blob))),
                    `sha256:${blob}`,
                );
            }
            assert.deepEqual(readJson(path.join(out, "oci-layout")), {
                imageLayoutVersion: "1.0.0",
            });

            const index = readJson(path.join(out, "index.json"));
            assert.equal(index.manifests.length, 1);
            const [entry] = index.manifests;
            assert.equal(entry.annotations["io.containerd.image.name"], name);
            assert.equal(entry.annotations["org.opencontainers.image.ref.name"], name);
            const blobFile = (digest: string) => path.join(out, "blobs", "sha256", digest.slice(7));
            const manifest = readJson(blobFile(entry.digest));
            assert.equal(manifest.mediaType, MEDIA_TYPES.manifest);
            assert.deepEqual(manifest.layers, [
                { mediaType: MEDIA_TYPES.layer, digest: layer.digest, size: layer.size },
            ]);
            assert.equal(fs.statSync(blobFile(layer.digest)).size, layer.size);

            const config = readJson(blobFile(manifest.config.digest));
            assert.deepEqual(config.rootfs.diff_ids, [
                sha256(gunzipSync(fs.readFileSync(blobFile(layer.digest)))),
            ]);
            assert.equal(config.config.User, "10001");
            assert.deepEqual(config.config.Cmd, ["python", "server.py"]);
            assert.equal(config.os, "linux");

            const [docker] = readJson(path.join(out, "manifest.json"));
            assert.deepEqual(docker.RepoTags, [name]);
            assert.equal(docker.Config, `blobs/sha256/${manifest.config.digest.slice(7)}`);
            assert.deepEqual(docker.Layers, [`blobs/sha256/${layer.digest.slice(7)}`]);
            assert.ok(blobs.length === 3, `blobs: ${blobs.join(", ")}`);
        });

        it("builds the same layer from the same files, whatever their times", async () => {
            const dir = scratch();
            const root = path.join(dir, "root");
            fs.mkdirSync(root);
            fs.writeFileSync(path.join(root, "a.py"), "print('a')\n");
            const first = await tarLayer(root, path.join(dir, "1.tar"), path.join(dir, "1.tar.gz"));
            fs.utimesSync(path.join(root, "a.py"), new Date(2001, 1, 1), new Date(2001, 1, 1));
            const second = await tarLayer(
                root,
                path.join(dir, "2.tar"),
                path.join(dir, "2.tar.gz"),
            );
            assert.equal(second.digest, first.digest);
            fs.writeFileSync(path.join(root, "a.py"), "print('b')\n");
            const changed = await tarLayer(
                root,
                path.join(dir, "3.tar"),
                path.join(dir, "3.tar.gz"),
            );
            assert.notEqual(changed.diffId, first.diffId);
        });
    });

    describe("the cache key", () => {
        it("stays with the same sources and changes when one changes", () => {
            const copy = path.join(scratch(), "sources");
            fs.cpSync(STANDIN_SOURCES, copy, { recursive: true });
            const original = appLayer("backend", STANDIN_SOURCES).key;
            assert.equal(appLayer("backend", copy).key, original);
            fs.appendFileSync(path.join(copy, "contract.py"), "\n# changed\n");
            assert.notEqual(appLayer("backend", copy).key, original);
            assert.notEqual(
                appLayer("backend", STANDIN_SOURCES, VARIANTS.migrationFails).key,
                original,
            );
        });
    });

    describe("the test CA", () => {
        it("is the images' only CA bundle, named by SSL_CERT_FILE and AWS_CA_BUNDLE, and a new CA gives new tags", () => {
            const caIn = (dir: string) =>
                testCa({ PATH: process.env.PATH, AIMS_TEST_CA_DIR: path.join(dir, "test-ca") });
            const dir = scratch();
            const first = caIn(path.join(dir, "first"));
            const other = caIn(path.join(dir, "other"));
            assert.notEqual(other.fingerprint, first.fingerprint);
            const python = hostPython();
            const image = (ca: typeof first) =>
                appImage(
                    "backend",
                    { python, pythonCommand: hostPythonCommand(), ca },
                    STANDIN_SOURCES,
                );

            assert.equal(CA_BUNDLE, "/etc/ssl/certs/ca-certificates.crt");
            const env = image(first).config.env;
            assert.ok(env.includes(`SSL_CERT_FILE=${CA_BUNDLE}`), env.join(" "));
            assert.ok(env.includes(`AWS_CA_BUNDLE=${CA_BUNDLE}`), env.join(" "));
            assert.ok(image(first).layers.some((layer) => layer.key === caLayer(first).key));

            assert.equal(imageKey(image(caIn(path.join(dir, "first")))), imageKey(image(first)));
            assert.notEqual(imageKey(image(other)), imageKey(image(first)));
            assert.notEqual(caLayer(other).key, caLayer(first).key);

            const root = path.join(dir, "root");
            caLayer(first).populate(root);
            assert.equal(fs.readFileSync(path.join(root, CA_BUNDLE), "utf8"), first.certPem);
            assert.deepEqual(fs.readdirSync(root, { recursive: true }).sort(), [
                "etc",
                "etc/ssl",
                "etc/ssl/certs",
                "etc/ssl/certs/ca-certificates.crt",
            ]);
        });
    });

    describe("the contract", () => {
        const envNames = (text: string) =>
            [...text.matchAll(/- name: (\w+)/g)].map(([, name]) => name);
        const chartFile = (file: string) =>
            fs.readFileSync(path.join(PROJECT_ROOT, "charts", "tenant", file), "utf8");

        it("requires of the backend what the chart's backendEnv sets, but HOME and PYTHONDONTWRITEBYTECODE", () => {
            const helpers = chartFile("templates/_helpers.tpl");
            const backendEnv = helpers.slice(helpers.indexOf('define "tenant.backendEnv"'));
            const chartSets = envNames(backendEnv.slice(0, backendEnv.indexOf("{{- end -}}")));
            assert.deepEqual(
                chartSets.filter((name) => !["HOME", "PYTHONDONTWRITEBYTECODE"].includes(name)),
                BACKEND_CONTRACT,
            );
        });

        it("requires of the frontend only what its Deployment sets", () => {
            const chartSets = envNames(chartFile("templates/frontend-deployment.yaml"));
            const run = runApp("frontend", ["server.py"], {});
            const required = /variables: (.*)\n$/.exec(run.stderr)![1].split(", ");
            assert.deepEqual(required, [
                "TENANT_SUBDOMAIN",
                "PUBLIC_URL",
                "BACKEND_INTERNAL_URL",
                "NEXT_PUBLIC_API_BASE_URL",
                "PORT",
            ]);
            assert.deepEqual(
                required.filter((name) => !chartSets.includes(name)),
                [],
            );
        });
    });

    describe("the stand-in backend", () => {
        it("refuses to start, naming every variable of the contract that is missing", () => {
            const run = runApp("backend", ["manage.py", "migrate", "--noinput"], {});
            assert.equal(run.status, 2);
            assert.equal(
                run.stderr.trim(),
                `stand-in backend: missing required environment variables: ${BACKEND_CONTRACT.join(", ")}`,
            );
        });

        it("names only what is missing, and a variant's extra variable", async () => {
            const { SECRET_KEY: _secret, ...withoutSecret } = await backendEnvironment();
            const plain = runApp("backend", ["manage.py", "bootstrap_tenant"], withoutSecret);
            assert.equal(plain.status, 2);
            assert.match(plain.stderr, /missing required environment variables: SECRET_KEY\n$/);

            const variant = runApp(
                "backend",
                ["manage.py"],
                await backendEnvironment(),
                VARIANTS.extraRequiredSetting,
            );
            assert.equal(variant.status, 2);
            assert.match(
                variant.stderr,
                /missing required environment variables: AIMS_NEW_REQUIRED_SETTING\n$/,
            );
        });

        it("answers the health path only for a Host in ALLOWED_HOSTS, and says why the database failed", async () => {
            const port = await freePort();
            await startServer(
                "backend",
                ["manage.py", "runserver", `127.0.0.1:${port}`],
                await backendEnvironment(),
            );

            const wrongHost = await get(port, "/api/health/", "10.0.0.7:8000");
            assert.equal(wrongHost.status, 400);
            assert.match(wrongHost.body.error, /'10\.0\.0\.7:8000' is not in ALLOWED_HOSTS/);

            const noDatabase = await get(port, "/api/health/", `${TENANT_HOST}:8000`);
            assert.equal(noDatabase.status, 500);
            assert.match(noDatabase.body.error, /^database: /);

            assert.equal((await get(port, "/elsewhere", "standin-backend")).status, 404);
        });
    });

    describe("the stand-in frontend", () => {
        const environment = async () => ({
            TENANT_SUBDOMAIN: "standin",
            PUBLIC_URL: `https://${TENANT_HOST}`,
            BACKEND_INTERNAL_URL: "http://standin-backend:8000",
            NEXT_PUBLIC_API_BASE_URL: "http://standin-backend:8000/api",
            PORT: String(await freePort()),
        });

        it("shows the API base URL and the tenant on its page", async () => {
            const env = await environment();
            await startServer("frontend", ["server.py"], env);
            const page = await get(Number(env.PORT), "/", "anything");
            assert.equal(page.status, 200);
            assert.equal(page.body.NEXT_PUBLIC_API_BASE_URL, "http://standin-backend:8000/api");
            assert.equal(page.body.TENANT_SUBDOMAIN, "standin");
        });

        it("refuses to start without PORT", async () => {
            const { PORT: _port, ...env } = await environment();
            const run = runApp("frontend", ["server.py"], env);
            assert.equal(run.status, 2);
            assert.match(
                run.stderr,
                /stand-in frontend: missing required environment variables: PORT\n$/,
            );
        });
    });

    describe("loading", () => {
        it("says what to set when no load command is given", () => {
            assert.throws(
                () => loadImageArchive("/nowhere/image.tar", {}),
                /AIMS_E2E_LOAD_IMAGE is not set/,
            );
        });

        it("runs the command once per archive, with the path as one word", () => {
            const dir = scratch();
            const log = path.join(dir, "loaded");
            const env = {
                PATH: process.env.PATH,
                [LOAD_IMAGE_SETTING]: `printf '%s\\n' {} >> '${log}'`,
            };
            const archive = path.join(dir, "an image.tar");
            assert.equal(loadImageArchive(archive, env), true);
            assert.equal(loadImageArchive(archive, env), false);
            assert.equal(fs.readFileSync(log, "utf8"), `${archive}\n`);
        });
    });
});

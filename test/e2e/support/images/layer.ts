/**
 * One image layer: a folder made into a reproducible tar (sorted names, time 0, owner root,
 * readable by all), gzipped, with the digests an image manifest and config need. Layers are
 * cached by the key of their inputs, so images that share one (the Python runtime) build it once.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { createGzip } from "node:zlib";

export interface Layer {
    /** sha256:... of the gzipped tar: the blob's name and the manifest's digest. */
    readonly digest: string;
    /** sha256:... of the tar itself: the config's diff_id. */
    readonly diffId: string;
    /** Bytes of the gzipped tar. */
    readonly size: number;
    /** The gzipped tar. */
    readonly file: string;
}

export interface LayerSpec {
    /** What the layer is, for messages: "python-runtime". */
    readonly name: string;
    /** The content key of everything populate reads. */
    readonly key: string;
    /** Fills the (empty) root folder with the layer's files. */
    readonly populate: (root: string) => void;
}

export const TAR_REPRODUCIBLE = [
    "--sort=name",
    "--mtime=@0",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--mode=a+rX",
    "--format=gnu",
];

/** The layer from the cache, or built into it. */
export async function cachedLayer(spec: LayerSpec, cacheDir: string): Promise<Layer> {
    const dir = path.join(cacheDir, "layers");
    const base = path.join(dir, `${spec.name}-${spec.key.slice(0, 32)}`);
    const metadata = `${base}.json`;
    if (fs.existsSync(metadata) && fs.existsSync(`${base}.tar.gz`)) {
        return JSON.parse(fs.readFileSync(metadata, "utf8")) as Layer;
    }
    fs.mkdirSync(dir, { recursive: true });
    const work = fs.mkdtempSync(`${base}.building-`);
    try {
        const root = path.join(work, "root");
        fs.mkdirSync(root);
        spec.populate(root);
        const layer = await tarLayer(root, path.join(work, "layer.tar"), `${base}.tar.gz`);
        fs.writeFileSync(`${metadata}.tmp`, JSON.stringify(layer));
        fs.renameSync(`${metadata}.tmp`, metadata);
        return layer;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** root's contents as a reproducible tar and its gzip at `target`. */
export async function tarLayer(root: string, tarFile: string, target: string): Promise<Layer> {
    const entries = fs.readdirSync(root).sort();
    execFileSync("tar", [...TAR_REPRODUCIBLE, "-cf", tarFile, "-C", root, "--", ...entries]);
    const tarHash = createHash("sha256");
    const gzipHash = createHash("sha256");
    let size = 0;
    const partial = `${target}.tmp`;
    await pipeline(
        fs.createReadStream(tarFile),
        new Transform({
            transform(chunk: Buffer, _encoding, done) {
                tarHash.update(chunk);
                done(null, chunk);
            },
        }),
        createGzip({ level: 6 }),
        new Transform({
            transform(chunk: Buffer, _encoding, done) {
                gzipHash.update(chunk);
                size += chunk.length;
                done(null, chunk);
            },
        }),
        fs.createWriteStream(partial),
    );
    fs.renameSync(partial, target);
    return {
        digest: `sha256:${gzipHash.digest("hex")}`,
        diffId: `sha256:${tarHash.digest("hex")}`,
        size,
        file: target,
    };
}

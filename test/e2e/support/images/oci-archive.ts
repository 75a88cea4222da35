/**
 * An image as one tar that both `ctr images import` and `kind load image-archive` take, written
 * without a container engine: an OCI image layout (oci-layout, index.json, blobs/sha256/...)
 * and, over the same blobs, Docker's manifest.json.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Layer } from "./layer";

export interface ImageConfig {
    readonly user: string;
    readonly env: readonly string[];
    readonly entrypoint?: readonly string[];
    readonly cmd: readonly string[];
    readonly workingDir: string;
}

export const MEDIA_TYPES = {
    index: "application/vnd.oci.image.index.v1+json",
    manifest: "application/vnd.oci.image.manifest.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

interface Blob {
    readonly digest: string;
    readonly size: number;
    readonly bytes: Buffer;
}

function jsonBlob(value: unknown): Blob {
    const bytes = Buffer.from(JSON.stringify(value));
    return {
        digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
        size: bytes.length,
        bytes,
    };
}

const blobPath = (digest: string) => `blobs/sha256/${digest.slice("sha256:".length)}`;

/** Node's architecture in OCI's words. */
export function ociArchitecture(arch: string = process.arch): string {
    const names: Record<string, string> = {
        x64: "amd64",
        arm64: "arm64",
        arm: "arm",
        ppc64: "ppc64le",
        s390x: "s390x",
    };
    const name = names[arch];
    if (!name) throw new Error(`no OCI architecture for ${arch}`);
    return name;
}

/** Writes the image `name` (repository:tag) to `target`, atomically. */
export function writeImageArchive(
    target: string,
    name: string,
    layers: readonly Layer[],
    config: ImageConfig,
): void {
    const platform = { architecture: ociArchitecture(), os: "linux" };
    const configBlob = jsonBlob({
        ...platform,
        config: {
            User: config.user,
            Env: config.env,
            ...(config.entrypoint && { Entrypoint: config.entrypoint }),
            Cmd: config.cmd,
            WorkingDir: config.workingDir,
        },
        rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.diffId) },
    });
    const manifest = jsonBlob({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.manifest,
        config: { mediaType: MEDIA_TYPES.config, digest: configBlob.digest, size: configBlob.size },
        layers: layers.map((layer) => ({
            mediaType: MEDIA_TYPES.layer,
            digest: layer.digest,
            size: layer.size,
        })),
    });
    const index = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.index,
        manifests: [
            {
                mediaType: MEDIA_TYPES.manifest,
                digest: manifest.digest,
                size: manifest.size,
                platform,
                annotations: {
                    "io.containerd.image.name": name,
                    "org.opencontainers.image.ref.name": name,
                },
            },
        ],
    };
    const dockerManifest = [
        {
            Config: blobPath(configBlob.digest),
            RepoTags: [name],
            Layers: layers.map((layer) => blobPath(layer.digest)),
        },
    ];

    const stage = fs.mkdtempSync(`${target}.building-`);
    try {
        fs.mkdirSync(path.join(stage, "blobs", "sha256"), { recursive: true });
        fs.writeFileSync(
            path.join(stage, "oci-layout"),
            JSON.stringify({ imageLayoutVersion: "1.0.0" }),
        );
        fs.writeFileSync(path.join(stage, "index.json"), JSON.stringify(index));
        fs.writeFileSync(path.join(stage, "manifest.json"), JSON.stringify(dockerManifest));
        for (const blob of [configBlob, manifest]) {
            fs.writeFileSync(path.join(stage, blobPath(blob.digest)), blob.bytes);
        }
        // The layers stay in the layer cache; tar --dereference archives their contents.
        for (const layer of layers) {
            fs.symlinkSync(path.resolve(layer.file), path.join(stage, blobPath(layer.digest)));
        }
        const partial = `${target}.tmp`;
        execFileSync("tar", [
            "--sort=name",
            "--mtime=@0",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "--dereference",
            "-cf",
            partial,
            "-C",
            stage,
            "oci-layout",
            "index.json",
            "manifest.json",
            "blobs",
        ]);
        fs.renameSync(partial, target);
    } finally {
        fs.rmSync(stage, { recursive: true, force: true });
    }
}

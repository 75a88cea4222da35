/**
 * Where built stand-in images and their layers are kept, and the content keys that name them:
 * a key is the sha256 of everything that went into a build, so a changed input gives a new key
 * and an unchanged one finds the earlier result.
 */
import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";

/** The images' cache: AIMS_STANDIN_IMAGES_DIR, else ~/.cache/aims-tenants/images (XDG_CACHE_HOME if set). */
export function imagesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
    if (env.AIMS_STANDIN_IMAGES_DIR) return path.resolve(env.AIMS_STANDIN_IMAGES_DIR);
    const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(cache, "aims-tenants", "images");
}

/** sha256 (hex) of the parts, each length-prefixed so that ["ab", "c"] and ["a", "bc"] differ. */
export function contentKey(parts: readonly (string | Buffer)[]): string {
    const hash = createHash("sha256");
    for (const part of parts) {
        const bytes = typeof part === "string" ? Buffer.from(part) : part;
        hash.update(`${bytes.length}:`).update(bytes);
    }
    return hash.digest("hex");
}

/**
 * Reading the tenants folder without trusting the filesystem. Every entry that looks like a
 * tenant file is either read as a regular file of bounded size, or reported: a symbolic link,
 * a directory, a FIFO or a device named `x.yaml`, and `x.yml` or `x.YAML`, each get a message
 * naming the file. Links are never followed and a file is never read past the size limit, so
 * no entry can make the loader hang or fill memory.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { quote } from "../support/quote";

export const TENANT_FILE_EXTENSION = ".yaml";
export const MAX_TENANT_FILE_BYTES = 64 * 1024;
const TENANT_LIKE_EXTENSIONS = [".yaml", ".yml"];

/** A tenant file's content, or the reason it was not read; `file` is its display path. */
export type TenantFolderEntry =
    | { readonly file: string; readonly content: Buffer }
    | { readonly file: string; readonly problem: string };

/** The folder's tenant-like entries in file-name order; other files (the schema, a README) are left out. */
export function readTenantFolder(dir: string): TenantFolderEntry[] {
    const folder = path.basename(dir);
    return fs
        .readdirSync(dir)
        .sort()
        .filter((entry) => TENANT_LIKE_EXTENSIONS.includes(path.extname(entry).toLowerCase()))
        .map((entry) => readEntry(dir, folder, entry));
}

function readEntry(dir: string, folder: string, entry: string): TenantFolderEntry {
    if (/[^\x20-\x7e]/.test(entry)) {
        return {
            file: `${folder}/${quote(entry)}`,
            problem:
                "the file name has a character that cannot be in a tenant name; name the file <name>.yaml",
        };
    }
    const file = `${folder}/${entry}`;
    const extension = path.extname(entry);
    if (extension !== TENANT_FILE_EXTENSION) {
        const renamed = `${path.basename(entry, extension)}${TENANT_FILE_EXTENSION}`;
        return {
            file,
            problem: `tenant files end in ${TENANT_FILE_EXTENSION}, in lowercase; rename it to ${renamed}`,
        };
    }
    const full = path.join(dir, entry);
    let stats: fs.Stats;
    try {
        stats = fs.lstatSync(full);
    } catch (err) {
        return { file, problem: `could not be read (${codeOf(err)})` };
    }
    if (!stats.isFile()) {
        return {
            file,
            problem: `is ${kindOf(stats)}, not a regular file; a tenant file must be a plain file in ${folder}/ (links are not followed)`,
        };
    }
    if (stats.size > MAX_TENANT_FILE_BYTES) {
        return { file, problem: tooBig(stats.size) };
    }
    return readRegularFile(file, full);
}

/**
 * Opens without following a link and without blocking (a FIFO swapped in after the lstat),
 * checks again that it is a regular file, and reads at most one byte past the limit.
 */
function readRegularFile(file: string, full: string): TenantFolderEntry {
    let fd: number | undefined;
    try {
        fd = fs.openSync(
            full,
            fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
        );
        const stats = fs.fstatSync(fd);
        if (!stats.isFile()) {
            return { file, problem: `is ${kindOf(stats)}, not a regular file` };
        }
        const buffer = Buffer.alloc(MAX_TENANT_FILE_BYTES + 1);
        let length = 0;
        for (let read = -1; read !== 0 && length < buffer.length; length += read) {
            read = fs.readSync(fd, buffer, length, buffer.length - length, null);
        }
        return length > MAX_TENANT_FILE_BYTES
            ? { file, problem: tooBig() }
            : { file, content: buffer.subarray(0, length) };
    } catch (err) {
        return {
            file,
            problem:
                codeOf(err) === "ELOOP"
                    ? "is a symbolic link, not a regular file (links are not followed)"
                    : `could not be read (${codeOf(err)})`,
        };
    } finally {
        if (fd !== undefined) fs.closeSync(fd);
    }
}

/** `bytes` when the size is known; a file that grows while it is read is only known to be too big. */
function tooBig(bytes?: number): string {
    return `the file is ${bytes === undefined ? "larger than" : `${bytes} bytes, over`} the ${MAX_TENANT_FILE_BYTES}-byte limit of a tenant file`;
}

function kindOf(stats: fs.Stats): string {
    if (stats.isSymbolicLink()) return "a symbolic link";
    if (stats.isDirectory()) return "a directory";
    if (stats.isFIFO()) return "a named pipe (FIFO)";
    if (stats.isSocket()) return "a socket";
    if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
    return "something other than a file";
}

/** The error's code (ENOENT, EACCES, ...): never its message, which holds a machine path. */
function codeOf(err: unknown): string {
    return (err as NodeJS.ErrnoException).code ?? "unknown error";
}

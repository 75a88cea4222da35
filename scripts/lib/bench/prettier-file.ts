/** Writes a generated file as the project's Prettier configuration formats it. */
import * as fs from "node:fs";
import * as prettier from "prettier";

export async function writeFormatted(file: string, text: string): Promise<void> {
    const options = (await prettier.resolveConfig(file)) ?? {};
    fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

/**
 * The Python check of the end-to-end suite's local S3 (test/e2e/support/python.ts): python3 of
 * the PATH, missing, too old or not saying its version, fails with what is needed; a recent one
 * passes with its version.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { requirePython } from "./e2e/support/python";

describe("the suite's Python check", () => {
    let bin: string;
    beforeEach(() => {
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "aims-python-"));
    });
    afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

    /** A python3 on an otherwise empty PATH that prints `output`, whatever it is asked. */
    const fakePython = (output: string) => {
        fs.writeFileSync(path.join(bin, "python3"), `#!/bin/sh\necho '${output}'\n`, {
            mode: 0o755,
        });
        return { PATH: bin };
    };

    it("says python3 is needed when there is none on the PATH", () => {
        assert.throws(() => requirePython([3, 10], { PATH: bin }), {
            message:
                "python3 is needed to run the local S3 stand-in (moto), and could not be run: spawnSync python3 ENOENT. Install Python 3.10 or newer and put python3 on the PATH.",
        });
    });

    it("says which version it found and which is needed when python3 is too old", () => {
        assert.throws(() => requirePython([3, 10], fakePython("3.9")), {
            message:
                "python3 is Python 3.9, too old to run the local S3 stand-in (moto): Python 3.10 or newer is needed. Install it and put it first on the PATH as python3.",
        });
        assert.throws(() => requirePython([3, 10], fakePython("2.7")), /is Python 2\.7, too old/);
    });

    it("fails when python3 does not say its version", () => {
        assert.throws(() => requirePython([3, 10], fakePython("hello")), {
            message:
                'python3 did not say its version (it printed "hello"); Python 3.10 or newer is needed to run the local S3 stand-in (moto).',
        });
    });

    it("accepts the needed version or a newer one", () => {
        assert.deepEqual(requirePython([3, 10], fakePython("3.10")).version, [3, 10]);
        assert.deepEqual(requirePython([3, 10], fakePython("4.0")).version, [4, 0]);
        const real = requirePython([3, 0]);
        assert.equal(real.command, "python3");
        assert.equal(real.version[0], 3);
    });
});

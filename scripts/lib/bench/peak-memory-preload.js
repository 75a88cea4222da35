// Loaded into every Node.js process of a benchmarked Pulumi command through NODE_OPTIONS
// (--require): on exit, appends the process's peak resident memory and its command line to the
// file named by AIMS_BENCH_MEMORY_LOG, one JSON object a line. The bench tells the program from
// other Node.js processes by the command line.
"use strict";
// A preload given to --require is CommonJS.
const fs = require("node:fs");

const log = process.env.AIMS_BENCH_MEMORY_LOG;
if (log) {
    process.on("exit", () => {
        const record = {
            pid: process.pid,
            argv: process.argv,
            maxRssKiB: process.resourceUsage().maxRSS,
        };
        fs.appendFileSync(log, `${JSON.stringify(record)}\n`);
    });
}

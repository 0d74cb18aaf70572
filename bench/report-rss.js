// Preloaded into every Node process of a measured command (NODE_OPTIONS=--require): on exit,
// appends the process's own peak RSS to WIF_BENCH_RSS_FILE. Node exposes no RUSAGE_CHILDREN,
// and commands like `tsx main.ts` (CLI + app child) or cdktf's zip step run several processes,
// so each one reports itself and the runner takes the largest, as GNU time's %M would.
"use strict";
const fs = require("node:fs");

const file = process.env.WIF_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    const line = {
      pid: process.pid,
      ppid: process.ppid,
      maxRssKb: process.resourceUsage().maxRSS,
      script: process.argv[1] ?? "",
    };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
  // A process stopped with kill() (e.g. the emulator's Lambda container) reports too.
  process.once("SIGTERM", () => process.exit(143));
}

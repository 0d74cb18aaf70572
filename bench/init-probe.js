// Requires a Lambda bundle the way the runtime's init phase does and prints how long the
// require took (module load + top-level code: config read, client construction).
"use strict";
const started = performance.now();
const mod = require(process.argv[2]);
const requireMs = performance.now() - started;
if (typeof mod.handler !== "function") {
  console.error(`${process.argv[2]} exports no handler function`);
  process.exit(1);
}
process.stdout.write(JSON.stringify({ requireMs }));

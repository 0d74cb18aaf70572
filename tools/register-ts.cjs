/**
 * Lets `node --require ./tools/register-ts.cjs main.ts` run the cdktf app from TypeScript:
 * each of our .ts files is transpiled on require by esbuild (already a dependency: it bundles
 * the Lambda). No type-check (`npm run typecheck` is the type gate; tsconfig's isolatedModules
 * keeps per-file transpiling sound) and node_modules is never touched. Measured on the example
 * synth: 0.8 s, against 1.0 s with tsx's CommonJS hook and 1.1 s with esbuild-register, whose
 * hooks also run for every .js file in node_modules; plain JS compiled by tsc is 0.7 s.
 * Each file carries an inline source map; `NODE_OPTIONS=--enable-source-maps` turns stack traces
 * into TypeScript lines (off by default: Node then parses every module's map, ~0.1 s).
 *
 * Transpiled files are kept in node_modules/.cache/wif-bridge-ts (where build tools keep
 * theirs; `npm ci` starts it afresh), keyed by the file's name and content, esbuild's version
 * and these settings: a later run (another synth, a test's child synth, a copy of the project
 * that links this node_modules) reads them instead of starting esbuild's service and
 * transpiling ~100 files again (~0.15 s of CPU). The source map names the file by its base
 * name, which resolves beside the file wherever the checkout is, so one entry serves every
 * copy. An edited file has a new key; a stored file is written beside and renamed, so a
 * concurrent run never reads half of one.
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: preloaded by node --require */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

// WIF_TS_CACHE_DIR: another place for it (tests use a temporary one).
const CACHE_DIR =
  process.env.WIF_TS_CACHE_DIR ||
  path.join(__dirname, "..", "node_modules", ".cache", "wif-bridge-ts");
const TARGET = `node${process.versions.node.split(".")[0]}`;
const ESBUILD_VERSION = require("esbuild/package.json").version;

let esbuild;
function transpile(source, filename) {
  esbuild ??= require("esbuild");
  return esbuild.transformSync(source, {
    loader: "ts",
    format: "cjs",
    target: TARGET,
    sourcefile: path.basename(filename),
    sourcemap: "inline",
  }).code;
}

require.extensions[".ts"] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto
    .createHash("sha256")
    .update(
      `v2\0esbuild ${ESBUILD_VERSION}\0${TARGET}\0cjs inline-map\0${path.basename(filename)}\0${source}`,
    )
    .digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, "utf8");
  } catch {
    code = transpile(source, filename);
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only checkout still runs; it transpiles every time.
    }
  }
  module._compile(code, filename);
};

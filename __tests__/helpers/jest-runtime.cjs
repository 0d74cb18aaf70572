/**
 * jest's runtime with a V8 code cache for the modules each test file loads.
 *
 * Why: jest gives every test file a fresh module registry, so each suite that builds a stack
 * compiles cdktf, the provider bindings, @bufbuild/cel and our modules again (~600 modules,
 * ~8 MB of source). jest-runtime 30 compiles each with `vm.compileFunction`, which V8 cannot
 * serve from its compilation cache: ~3.4 s of CPU per `npm test` went to compiling the same
 * files again (cpu profile of a `--runInBand` run, `compileFunction` under jest-runtime).
 *
 * What: the same function is compiled through `vm.Script` (the module wrapper jest used before
 * version 29), with the code cache V8 made of that file earlier in this worker. The cache is
 * kept per file with the exact source it was made from (any change of the file, or of its
 * transform, starts afresh), in this worker's memory only; a file's first compile in a worker
 * is an ordinary one.
 * Measured on the 2-core machine, interleaved runs: `npm test` 27.2-28.1 s -> 25.7-25.9 s wall,
 * 42.3-43.8 s -> 39.5-39.9 s of user CPU.
 *
 * How: jest's public `runtime` option names this module; it is jest-runtime's own Runtime,
 * with its module executor's `compile` replaced. That executor is internal to jest-runtime
 * (pinned in package.json): when its shape is not the one this was written for, the runtime
 * stays jest's own, says so once on stderr, and tests run as before, only slower. Anything the
 * wrapped compile cannot handle (a syntax error, ESM syntax) goes to jest's own compile, which
 * reports it as jest always has.
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: jest requires the runtime untransformed */
const vm = require("node:vm");
const JestRuntime = require("jest-runtime").default;

/**
 * File -> its wrapped source and the Script compiled first (until reused), then its code cache.
 * A file whose source differs from the one kept (an edit, another transform) starts afresh;
 * comparing the strings costs less than hashing ~8 MB per test file.
 */
const codeCache = new Map();
let warned = false;

/**
 * The executor's compile, through `vm.Script` with the code cache in `cache`. Exported for
 * ./jest-runtime.test.ts.
 */
function cachedCompile(executor, jestCompile, cache = codeCache) {
  return function compile(scriptSource, filename) {
    const vmContext = executor.environment.getVmContext();
    if (vmContext == null || executor.resolution.isCoreModule(filename)) {
      return jestCompile(scriptSource, filename);
    }
    const parameters = executor.injectedModuleParameters.join(",");
    const wrapped = `({"Object.<anonymous>":function(${parameters}){${scriptSource}\n}});`;
    const kept = cache.get(filename);
    let cached = kept !== undefined && kept.source === wrapped ? kept.compiled : undefined;
    if (cached instanceof vm.Script) {
      // Made now, after the first suite ran the module, so it holds the functions V8 compiled
      // lazily while running it, not only the top level.
      cached = cached.createCachedData();
      cache.set(filename, { source: wrapped, compiled: cached });
    }
    let script;
    try {
      script = new vm.Script(wrapped, {
        filename,
        cachedData: cached,
        importModuleDynamically: (specifier, _script, importAttributes) =>
          executor.dynamicImport(specifier, filename, vmContext, importAttributes),
      });
    } catch {
      return jestCompile(scriptSource, filename);
    }
    if (cached === undefined || script.cachedDataRejected) {
      cache.set(filename, { source: wrapped, compiled: script });
    }
    return script.runInContext(vmContext)["Object.<anonymous>"];
  };
}

class CodeCachingRuntime extends JestRuntime {
  constructor(...args) {
    super(...args);
    const executor = this.executor;
    const known =
      executor &&
      typeof executor.compile === "function" &&
      typeof executor.dynamicImport === "function" &&
      Array.isArray(executor.injectedModuleParameters) &&
      executor.environment &&
      executor.resolution;
    if (!known) {
      if (!warned) {
        warned = true;
        process.stderr.write(
          "__tests__/helpers/jest-runtime.cjs: jest-runtime's module executor is not the one this was written for; running without the code cache\n",
        );
      }
      return;
    }
    executor.compile = cachedCompile(executor, executor.compile.bind(executor));
  }
}

module.exports = CodeCachingRuntime;
module.exports.default = CodeCachingRuntime;
module.exports.cachedCompile = cachedCompile;

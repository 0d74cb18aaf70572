/**
 * The jest runtime's code cache (./jest-runtime.cjs): a module compiled again in another test
 * file's context is compiled from V8's code cache of its first compile, and still runs as jest
 * would run it.
 */
import * as vm from "node:vm";

type Compile = (source: string, filename: string) => ((...args: unknown[]) => void) | null;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cachedCompile } = require("./jest-runtime.cjs") as {
  cachedCompile: (executor: unknown, jestCompile: Compile, cache: Map<string, unknown>) => Compile;
};

/** A stand-in for jest-runtime's module executor: a vm context per "test file". */
function executor(context = vm.createContext({})) {
  return {
    environment: { getVmContext: () => context },
    resolution: { isCoreModule: (name: string) => name === "fs" },
    injectedModuleParameters: ["module", "exports", "require", "__dirname", "__filename"],
    dynamicImport: () => Promise.reject(new Error("not in this test")),
  };
}

/** Runs a compiled module function the way jest does; returns its exports. */
function run(fn: ((...args: unknown[]) => void) | null): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  fn!.call(module.exports, module, module.exports, () => undefined, "/dir", "/dir/m.js");
  return module.exports;
}

const SOURCE =
  '"use strict";\nexports.twice = (n) => 2 * n;\nexports.strict = (function () { return this === undefined; })();\n';

describe("the jest runtime's code cache", () => {
  it("compiles a module that runs as jest would run it: exports, strict mode", () => {
    const cache = new Map<string, unknown>();
    const jestCompile = jest.fn<ReturnType<Compile>, Parameters<Compile>>();
    const exports = run(cachedCompile(executor(), jestCompile, cache)(SOURCE, "/dir/m.js"));
    expect((exports.twice as (n: number) => number)(21)).toBe(42);
    expect(exports.strict).toBe(true);
    expect(jestCompile).not.toHaveBeenCalled();
  });

  it("compiles the same source in another context from the first compile's code cache", () => {
    const cache = new Map<string, unknown>();
    const jestCompile = jest.fn<ReturnType<Compile>, Parameters<Compile>>();
    run(cachedCompile(executor(), jestCompile, cache)(SOURCE, "/dir/m.js"));
    expect(cache.get("/dir/m.js")).toMatchObject({ compiled: expect.any(vm.Script) });
    const again = run(cachedCompile(executor(), jestCompile, cache)(SOURCE, "/dir/m.js"));
    const entry = (cache.get("/dir/m.js") as { compiled: unknown }).compiled;
    expect(entry).toBeInstanceOf(Buffer);
    expect((entry as Buffer).length).toBeGreaterThan(0);
    expect((again.twice as (n: number) => number)(2)).toBe(4);
    // The cache was accepted: V8 would say otherwise by cachedDataRejected.
    const script = new vm.Script(
      `({"Object.<anonymous>":function(module,exports,require,__dirname,__filename){${SOURCE}\n}});`,
      { cachedData: entry as Buffer },
    );
    expect(script.cachedDataRejected).toBe(false);
  });

  it("keeps a file's cache with its exact source: a changed source is compiled afresh", () => {
    const cache = new Map<string, unknown>();
    const compile = cachedCompile(executor(), jest.fn(), cache);
    run(compile(SOURCE, "/dir/m.js"));
    run(compile(SOURCE, "/dir/m.js"));
    expect((cache.get("/dir/m.js") as { compiled: unknown }).compiled).toBeInstanceOf(Buffer);
    const changed = run(compile(SOURCE.replace("2 * n", "3 * n"), "/dir/m.js"));
    expect((changed.twice as (n: number) => number)(2)).toBe(6);
    expect(cache.get("/dir/m.js")).toMatchObject({
      source: expect.stringContaining("3 * n"),
      compiled: expect.any(vm.Script),
    });
  });

  it("leaves a syntax error and core modules to jest's own compile", () => {
    const jestCompile = jest.fn<ReturnType<Compile>, Parameters<Compile>>(() => null);
    const compile = cachedCompile(executor(), jestCompile, new Map());
    expect(compile("exports.x = ;", "/dir/broken.js")).toBeNull();
    expect(compile("module.exports = {};", "fs")).toBeNull();
    expect(jestCompile.mock.calls.map(([, file]) => file)).toEqual(["/dir/broken.js", "fs"]);
  });
});

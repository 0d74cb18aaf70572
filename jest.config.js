/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, with cdktf's token-creation stacks formatted without source maps
  // (~3.5 s of CPU per run; __tests__/helpers/test-environment.ts says why).
  testEnvironment: "<rootDir>/__tests__/helpers/test-environment.ts",
  // jest's runtime, with a V8 code cache for the modules every suite compiles again
  // (~3 s of CPU per run; __tests__/helpers/jest-runtime.cjs says why and how).
  runtime: "<rootDir>/__tests__/helpers/jest-runtime.cjs",
  // Jest's default on 2 cores is 1 worker; many suites wait on child processes (synth, the
  // bundled Lambda), so two workers keep both cores busy (~36 s -> ~22 s here).
  maxWorkers: "100%",
  roots: ["<rootDir>/__tests__"],
  // A directory per run for fixtures that cost a synth, built once and shared by every suite
  // (__tests__/helpers/shared-fixtures.ts; docs/testing.md).
  globalSetup: "<rootDir>/__tests__/helpers/jest-global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/helpers/jest-global-teardown.ts",
  testMatch: ["**/*.test.ts"],
  // swc strips types without type-checking: `npm run typecheck` (tsc) is the type gate.
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  modulePathIgnorePatterns: ["<rootDir>/cdktf.out", "<rootDir>/.gen"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};

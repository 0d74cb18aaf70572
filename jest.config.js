/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // swc strips types without type-checking: `npm run typecheck` (tsc) is the type gate.
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }],
  },
  modulePathIgnorePatterns: ["<rootDir>/cdktf.out", "<rootDir>/.gen"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};

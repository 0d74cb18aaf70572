import { execFileSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");

interface Snippet {
  readonly code: string;
  /** Linted as if it were stacks/<name>.ts. */
  readonly name: string;
}

/**
 * Lints every snippet as `npm run lint` would (the project's eslint.config.mjs, the stylish
 * output), in one eslint process: loading eslint and typescript-eslint is most of a lint's
 * cost, so one process serves every case of this file.
 */
function lintAll(snippets: readonly Snippet[]): { status: number; output: string }[] {
  const script = `
    const { ESLint } = require("eslint");
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const formatter = await eslint.loadFormatter("stylish");
      const out = [];
      for (const s of JSON.parse(process.argv[1])) {
        const results = await eslint.lintText(s.code, { filePath: "stacks/" + s.name + ".ts" });
        const errors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
        out.push({ status: errors > 0 ? 1 : 0, output: await formatter.format(results) });
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((err) => { console.error(err); process.exit(2); });`;
  return JSON.parse(
    execFileSync(process.execPath, ["-e", script, JSON.stringify(snippets)], {
      cwd: root,
      encoding: "utf8",
    }),
  );
}

const BARREL_PACKAGES = [
  "@cdktf/provider-aws",
  "@cdktf/provider-google",
  "@cdktf/provider-random",
  "@cdktf/provider-time",
];
const results = lintAll([
  ...BARREL_PACKAGES.map((pkg) => ({
    code: `import { X } from "${pkg}";\nexport const y = X;\n`,
    name: "example-barrel",
  })),
  {
    code: `import { IamRole } from "@cdktf/provider-aws/lib/iam-role";\nexport const y = IamRole;\n`,
    name: "example-deep",
  },
]);

describe("lint rules", () => {
  it.each(BARREL_PACKAGES.map((pkg, i) => [pkg, i] as const))(
    "fails on an import of the root of %s",
    (_pkg, i) => {
      const result = results[i];
      expect(result.status).toBe(1);
      expect(result.output).toMatch(/no-restricted-imports/);
      expect(result.output).toMatch(/Import provider classes by path/);
    },
  );

  it("passes a deep import", () => {
    expect(results[BARREL_PACKAGES.length]).toEqual({ status: 0, output: "" });
  });
});

import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");
const eslintBin = path.join(root, "node_modules", "eslint", "bin", "eslint.js");

/** Lints `code` as if it were stacks/<name>.ts, the way `npm run lint` does. */
function lint(code: string, name: string): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [eslintBin, "--stdin", "--stdin-filename", `stacks/${name}.ts`],
    {
      cwd: root,
      input: code,
      encoding: "utf8",
    },
  );
  return { status: run.status, output: run.stdout + run.stderr };
}

describe("lint rules", () => {
  it.each([
    "@cdktf/provider-aws",
    "@cdktf/provider-google",
    "@cdktf/provider-random",
    "@cdktf/provider-time",
  ])("fails on an import of the root of %s", (pkg) => {
    const result = lint(`import { X } from "${pkg}";\nexport const y = X;\n`, "example-barrel");
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/no-restricted-imports/);
    expect(result.output).toMatch(/Import provider classes by path/);
  });

  it("passes a deep import", () => {
    const result = lint(
      `import { IamRole } from "@cdktf/provider-aws/lib/iam-role";\nexport const y = IamRole;\n`,
      "example-deep",
    );
    expect(result).toEqual({ status: 0, output: "" });
  });
});

/**
 * tools/register-ts.cjs, the require hook that runs main.ts and the tools from TypeScript:
 * it transpiles each .ts file once per content and reuses the stored output.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../stacks/aws/lambda-bundle";

const HOOK = path.join(PROJECT_ROOT, "tools", "register-ts.cjs");

describe("the TypeScript require hook (tools/register-ts.cjs)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-register-ts-"));
  const cacheDir = path.join(dir, "cache");
  const main = path.join(dir, "main.ts");
  const run = () =>
    execFileSync(process.execPath, ["--require", HOOK, main], {
      env: { ...process.env, WIF_TS_CACHE_DIR: cacheDir },
      encoding: "utf8",
    });
  const stored = () => fs.readdirSync(cacheDir).filter((f) => f.endsWith(".js"));

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("runs a TypeScript file (types stripped) and stores its transpiled form", () => {
    fs.writeFileSync(main, 'const word: string = "first";\nconsole.log(word);\n');
    expect(run().trim()).toBe("first");
    expect(stored()).toHaveLength(1);
    expect(fs.readFileSync(path.join(cacheDir, stored()[0]), "utf8")).toContain("sourceMappingURL");
  });

  it("reuses the stored form while the file is unchanged", () => {
    const [file] = stored();
    fs.writeFileSync(path.join(cacheDir, file), 'console.log("from the cache");\n');
    expect(run().trim()).toBe("from the cache");
  });

  it("transpiles again when the file changes", () => {
    fs.writeFileSync(main, 'const word: string = "second";\nconsole.log(word);\n');
    expect(run().trim()).toBe("second");
    expect(stored()).toHaveLength(2);
  });

  it("still runs when the cache cannot be written", () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.writeFileSync(cacheDir, "a file where the directory would be");
    expect(run().trim()).toBe("second");
    fs.rmSync(cacheDir);
  });
});

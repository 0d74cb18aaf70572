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

  it("serves a copy of the file elsewhere from the same entry; its stack traces name the copy's TypeScript line", () => {
    const source = 'type T = { a: string };\n\nconst t: T = { a: "x" };\nthrow new Error(t.a);\n';
    fs.writeFileSync(main, source);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "wif-register-ts-copy-"));
    const copy = path.join(elsewhere, "main.ts");
    fs.writeFileSync(copy, source);
    const stackOf = (file: string) => {
      try {
        execFileSync(process.execPath, ["--enable-source-maps", "--require", HOOK, file], {
          env: { ...process.env, WIF_TS_CACHE_DIR: cacheDir },
          encoding: "utf8",
          stdio: "pipe",
        });
      } catch (err) {
        return String((err as { stderr: string }).stderr);
      }
      throw new Error(`${file} did not throw`);
    };
    expect(stackOf(main)).toContain(`${main}:4:`);
    const entries = stored().length;
    expect(stackOf(copy)).toContain(`${copy}:4:`);
    expect(stored()).toHaveLength(entries);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it("still runs when the cache cannot be written", () => {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.writeFileSync(cacheDir, "a file where the directory would be");
    fs.writeFileSync(main, 'const word: string = "second";\nconsole.log(word);\n');
    expect(run().trim()).toBe("second");
    fs.rmSync(cacheDir);
  });
});

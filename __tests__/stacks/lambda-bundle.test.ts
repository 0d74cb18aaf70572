import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLambdaBundle, bundleCode, DEFAULT_ENTRY } from "../../stacks/aws/lambda-bundle";

describe("the Lambda bundle", () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bundle-"));

  it("is one file plus the table schema, with a content hash", () => {
    const bundle = buildLambdaBundle({
      baseDir: base,
      nodeMajor: 22,
      extraFiles: { "table-schema.json": "[]" },
    });
    expect(fs.readdirSync(bundle.dir).sort()).toEqual(["index.js", "table-schema.json"]);
    expect(bundle.hash).toMatch(/^[0-9A-F]{32}$/);
    expect(path.basename(bundle.dir)).toBe(bundle.hash);
  });

  it("is deterministic: same source, same hash and bytes, with no absolute path inside", () => {
    const a = buildLambdaBundle({
      baseDir: base,
      nodeMajor: 22,
      extraFiles: { "table-schema.json": "[]" },
    });
    const b = buildLambdaBundle({
      baseDir: fs.mkdtempSync(path.join(os.tmpdir(), "wif-bundle-")),
      nodeMajor: 22,
      extraFiles: { "table-schema.json": "[]" },
    });
    expect(b.hash).toBe(a.hash);
    const code = fs.readFileSync(path.join(a.dir, "index.js"), "utf8");
    expect(code).toBe(fs.readFileSync(path.join(b.dir, "index.js"), "utf8"));
    expect(code).not.toContain(process.cwd());
    expect(code).not.toContain("sourceMappingURL");
  });

  it("changes hash when the table schema changes", () => {
    const a = buildLambdaBundle({
      baseDir: base,
      nodeMajor: 22,
      extraFiles: { "table-schema.json": "[]" },
    });
    const b = buildLambdaBundle({
      baseDir: base,
      nodeMajor: 22,
      extraFiles: { "table-schema.json": "[{}]" },
    });
    expect(b.hash).not.toBe(a.hash);
  });

  it("is built only from lambda/, the pure shared modules and packages, so other edits keep its hash", () => {
    const ours = bundleCode(DEFAULT_ENTRY, 22).inputs.filter((f) => !f.startsWith("node_modules/"));
    expect(ours.length).toBeGreaterThan(0);
    for (const file of ours) {
      expect(file).toMatch(/^(lambda\/|stacks\/federation\/|stacks\/schema\/)/);
    }
    for (const file of ours.filter((f) => f.startsWith("stacks/"))) {
      expect(fs.readFileSync(file, "utf8")).not.toMatch(
        /from "(cdktf|constructs|@cdktf\/[^"]+|zod)"/,
      );
    }
  });
});

describe("the bundle cache (esbuild runs once per distinct input content, across processes)", () => {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bundle-src-"));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bundle-cache-"));
  const entry = path.join(src, "entry.ts");
  fs.writeFileSync(entry, 'import { word } from "./dep";\nexport const handler = () => word;\n');
  fs.writeFileSync(path.join(src, "dep.ts"), 'export const word = "first";\n');
  fs.writeFileSync(path.join(src, "unrelated.ts"), "export const x = 1;\n");

  /** bundleCode from a fresh module instance: what another process would see. */
  function bundleInNewProcess(): { code: string; inputs: readonly string[] } {
    let result: { code: string; inputs: readonly string[] } | undefined;
    jest.isolateModules(() => {
      type Module = typeof import("../../stacks/aws/lambda-bundle");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require("../../stacks/aws/lambda-bundle") as Module;
      const bundled = fresh.bundleCode(entry, 22, { cacheDir });
      result = { code: Buffer.from(bundled.code).toString("utf8"), inputs: bundled.inputs };
    });
    return result!;
  }
  const stored = () => fs.readdirSync(cacheDir).filter((f) => f.endsWith(".js"));
  const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
  /** Rewrites the one stored bundle (each test leaves exactly one) (and, when `withDigest`, its digest) so a reuse shows. */
  function tamper(withDigest: boolean): string {
    expect(stored()).toHaveLength(1);
    const [file] = stored();
    const marked = `/*from the cache*/${fs.readFileSync(path.join(cacheDir, file), "utf8")}`;
    fs.writeFileSync(path.join(cacheDir, file), marked);
    if (withDigest) fs.writeFileSync(path.join(cacheDir, `${file}.sha256`), sha256(marked));
    return marked;
  }

  it("stores the first build with its input list", () => {
    const first = bundleInNewProcess();
    expect(first.code).toContain('"first"');
    expect(first.inputs.map((i) => path.basename(i)).sort()).toEqual(["dep.ts", "entry.ts"]);
    expect(stored()).toHaveLength(1);
  });

  it("reuses the stored bundle when no input changed (another file's edit does not count)", () => {
    const marked = tamper(true);
    fs.writeFileSync(path.join(src, "unrelated.ts"), "export const x = 2;\n");
    expect(bundleInNewProcess().code).toBe(marked);
  });

  it("rebuilds when a file added beside an input changes what an import resolves to", () => {
    // esbuild tries .tsx before .ts: "./dep" now means dep.tsx, though no listed input changed.
    fs.writeFileSync(path.join(src, "dep.tsx"), 'export const word = "shadow";\n');
    const rebuilt = bundleInNewProcess();
    expect(rebuilt.code).toContain('"shadow"');
    expect(rebuilt.inputs.map((i) => path.basename(i)).sort()).toEqual(["dep.tsx", "entry.ts"]);
    fs.rmSync(path.join(src, "dep.tsx"));
    expect(bundleInNewProcess().code).toContain('"first"');
    // The next tests expect one stored bundle: drop the shadow's.
    for (const file of stored()) {
      if (fs.readFileSync(path.join(cacheDir, file), "utf8").includes("shadow")) {
        fs.rmSync(path.join(cacheDir, file));
      }
    }
  });

  it("rebuilds when an input's content changes", () => {
    fs.writeFileSync(path.join(src, "dep.ts"), 'export const word = "second";\n');
    const rebuilt = bundleInNewProcess();
    expect(rebuilt.code).toContain('"second"');
    expect(rebuilt.code).not.toContain("from the cache");
    expect(stored()).toHaveLength(2);
  });

  it("rebuilds when the stored bundle does not match its digest (truncated or edited)", () => {
    for (const file of stored()) fs.rmSync(path.join(cacheDir, file));
    bundleInNewProcess();
    tamper(false);
    const rebuilt = bundleInNewProcess();
    expect(rebuilt.code).not.toContain("from the cache");
    expect(rebuilt.code).toContain('"second"');
  });

  it("follows a dropped import: the new input list replaces the old, and is then reused", () => {
    // Only the stored bundles go (the input list stays): tamper() below then finds the new one.
    for (const file of stored()) fs.rmSync(path.join(cacheDir, file));
    fs.writeFileSync(entry, "export const handler = () => 'alone';\n");
    fs.rmSync(path.join(src, "dep.ts"));
    const rebuilt = bundleInNewProcess();
    expect(rebuilt.code).toContain("alone");
    expect(rebuilt.inputs.map((i) => path.basename(i))).toEqual(["entry.ts"]);
    const marked = tamper(true);
    expect(bundleInNewProcess().code).toBe(marked);
  });
});

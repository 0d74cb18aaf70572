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

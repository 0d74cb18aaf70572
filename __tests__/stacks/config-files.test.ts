/** Reading config files: duplicate keys, byte order marks, and a directory with several bad files. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigDirectoryError, ConfigError, loadConfig, loadConfigDir } from "../../stacks/config";
import { readStrictJson } from "../../stacks/config-json";
import { merge, readExampleRaw } from "../helpers/synth";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "wif-config-files-"));
}

function exampleText(patch: unknown = {}): string {
  return JSON.stringify(merge(readExampleRaw(), patch), null, 2);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("config files", () => {
  describe("duplicate keys", () => {
    it("refuses a second accountId, naming the key, both lines and the value JSON.parse would keep", () => {
      const dir = tempDir();
      const file = path.join(dir, "dev.json");
      fs.writeFileSync(
        file,
        exampleText().replace(
          '"accountId": "111122223333",',
          '"accountId": "111122223333",\n    "accountId": "999999999999",',
        ),
      );
      const error = errorOf(() => loadConfig(file)) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.problems).toEqual([
        {
          field: "aws.accountId",
          line: 5,
          value: "999999999999",
          message: expect.stringMatching(
            /^duplicate key "accountId" on line 5 \(first on line 4\); JSON keeps only one/,
          ),
        },
      ]);
      expect(error.message).toContain(
        '- aws.accountId (line 5): got "999999999999"; duplicate key "accountId"',
      );
    });

    it("sees a key spelled with an escape as the same key", () => {
      const result = readStrictJson('{"accountId": "1",\n"\\u0061ccountId": "2"}');
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.problems[0].message).toMatch(/duplicate key "accountId" on line 2/);
    });

    it("finds duplicates inside arrays of objects and reports all of them", () => {
      const result = readStrictJson(
        '{"schema": [\n {"name": "a", "name": "b"}\n],\n "x": 1,\n "x": 2}',
      );
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.problems.map((p) => [p.field, p.line])).toEqual([
          ["schema[0].name", 2],
          ["x", 5],
        ]);
      }
    });

    it("keeps equal keys in different objects apart", () => {
      expect(readStrictJson('{"a": {"id": 1}, "b": {"id": 2}}')).toEqual({
        ok: true,
        value: { a: { id: 1 }, b: { id: 2 } },
      });
    });

    it("keeps a __proto__ key as an own property instead of a prototype", () => {
      const result = readStrictJson('{"__proto__": {"polluted": true}}');
      expect(result.ok).toBe(true);
      if (result.ok) {
        const value = result.value as Record<string, unknown>;
        expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
        expect(Object.keys(value)).toEqual(["__proto__"]);
        expect((value as { polluted?: boolean }).polluted).toBeUndefined();
      }
    });
  });

  describe("nesting", () => {
    it("refuses input nested far deeper than any config, with a message instead of a stack overflow", () => {
      const result = readStrictJson(`{\n"a": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
      expect(result).toEqual({
        ok: false,
        problems: [
          {
            field: "",
            line: 2,
            message: expect.stringMatching(/nest more than 100 levels deep; .* flatten it/),
          },
        ],
      });
    });

    it("does not count brackets inside strings, escaped quotes included", () => {
      const text = JSON.stringify({ a: `\"${"[{".repeat(500)}` });
      expect(readStrictJson(text).ok).toBe(true);
    });

    it("still reports 16 nested RECORDs as BigQuery's limit, not as nesting", () => {
      let field: unknown = { name: "leaf", type: "STRING" };
      for (let level = 16; level >= 1; level--) {
        field = { name: `level${level}`, type: "RECORD", fields: [field] };
      }
      const dir = tempDir();
      const file = path.join(dir, "deep.json");
      fs.writeFileSync(
        file,
        exampleText({
          bigquery: { schema: [{ name: "event_time", type: "TIMESTAMP" }, field] },
        }),
      );
      const error = errorOf(() => loadConfig(file)) as ConfigError;
      expect(error.problems.map((p) => p.field)).toEqual(["bigquery.schema[1].fields"]);
      expect(error.problems[0].message).toMatch(/16 levels deep; BigQuery allows 15/);
    });
  });

  it("accepts a UTF-8 byte order mark", () => {
    const dir = tempDir();
    const file = path.join(dir, "dev.json");
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(exampleText())]),
    );
    expect(loadConfig(file).environment).toBe("example");
  });

  it("names the line of a syntax error", () => {
    const dir = tempDir();
    const file = path.join(dir, "broken.json");
    fs.writeFileSync(file, '{\n  "environment": "dev",\n  "aws": }');
    expect(errorOf(() => loadConfig(file)).message).toMatch(
      /broken\.json is invalid \(1 problem\):\n {2}- \(root\) \(line 3\): not valid JSON \(.*\); fix the syntax/,
    );
  });

  it("names a file it cannot read", () => {
    expect(errorOf(() => loadConfig("/nonexistent/dev.json")).message).toMatch(
      /dev\.json is invalid .*cannot read the file .*check the path/s,
    );
  });

  describe("a directory of environments", () => {
    it("reports every bad file in one error, not only the first", () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "a.json"), exampleText({ environment: "a" }));
      fs.writeFileSync(
        path.join(dir, "b.json"),
        exampleText({ environment: "bee", labels: { app: "x" } }),
      );
      fs.writeFileSync(path.join(dir, "c.json"), exampleText({ environment: "cee" }));
      fs.writeFileSync(path.join(dir, "d.json"), "{");
      const error = errorOf(() => loadConfigDir(dir)) as ConfigDirectoryError;
      expect(error).toBeInstanceOf(ConfigDirectoryError);
      expect(error.errors.map((e) => path.basename(e.source))).toEqual([
        "a.json",
        "b.json",
        "d.json",
      ]);
      expect(error.message).toMatch(/^3 config files are invalid:/);
      expect(error.message).toMatch(
        /a\.json is invalid[^]*b\.json is invalid[^]*labels\.app[^]*d\.json is invalid/,
      );
    });

    it("loads every good file, sorted", () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "b.json"), exampleText({ environment: "bee" }));
      fs.writeFileSync(path.join(dir, "a.json"), exampleText({ environment: "ay-env" }));
      fs.writeFileSync(path.join(dir, "notes.txt"), "not a config");
      expect(loadConfigDir(dir).map((c) => c.environment)).toEqual(["ay-env", "bee"]);
    });
  });
});

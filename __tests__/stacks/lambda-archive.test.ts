import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yauzl from "yauzl";
import {
  ARCHIVE_DIGEST_FILE_NAME,
  ARCHIVE_FILE_NAME,
  buildLambdaArchive,
  codeSha256Of,
  deterministicZip,
} from "../../stacks/aws/lambda-archive";
import { PROJECT_ROOT } from "../helpers/synth";

interface EntryFacts {
  name: string;
  /** DOS date and time fields as stored. */
  date: number;
  time: number;
  /** Unix mode from the external attributes. */
  mode: number;
  madeBy: number;
  compression: number;
  extraFields: number;
  comment: string;
}

/** The central-directory facts of every entry, read by yauzl (not the library that wrote it). */
function entriesOf(zip: Uint8Array): Promise<EntryFacts[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(zip), { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      const entries: EntryFacts[] = [];
      file.on("entry", (e: yauzl.Entry) => {
        entries.push({
          name: e.fileName,
          date: e.lastModFileDate,
          time: e.lastModFileTime,
          mode: e.externalFileAttributes >>> 16,
          madeBy: e.versionMadeBy >> 8,
          compression: e.compressionMethod,
          extraFields: e.extraFields.length,
          comment: e.comment,
        });
        file.readEntry();
      });
      file.on("end", () => resolve(entries));
      file.on("error", reject);
      file.readEntry();
    });
  });
}

const FILES = { "table-schema.json": '[{"name":"id"}]', "index.js": "exports.handler = 1;\n" };
/** 1980-01-01 as a DOS date: (year - 1980) << 9 | month << 5 | day. */
const DOS_1980_01_01 = (0 << 9) | (1 << 5) | 1;

describe("the Lambda archive", () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "wif-archive-"));

  it("has its entries sorted by name, dated 1980-01-01 00:00:00, mode 0644 (Unix), deflated, nothing else", async () => {
    const entries = await entriesOf(deterministicZip(FILES));
    expect(entries).toEqual(
      ["index.js", "table-schema.json"].map((name) => ({
        name,
        date: DOS_1980_01_01,
        time: 0,
        mode: 0o100644,
        madeBy: 3,
        compression: 8,
        extraFields: 0,
        comment: "",
      })),
    );
  });

  it("is the same bytes whatever order the files come in", () => {
    const reversed = Object.fromEntries(Object.entries(FILES).reverse());
    expect(
      Buffer.from(deterministicZip(reversed)).equals(Buffer.from(deterministicZip(FILES))),
    ).toBe(true);
  });

  it("is the same bytes in any time zone and at any time of day", () => {
    const script = `process.stdout.write(Buffer.from(require("./stacks/aws/lambda-archive.ts").deterministicZip(${JSON.stringify(FILES)})).toString("hex"))`;
    const zipIn = (tz: string) =>
      execFileSync(process.execPath, ["--require", "./tools/register-ts.cjs", "--eval", script], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, TZ: tz },
        encoding: "utf8",
      });
    const here = Buffer.from(deterministicZip(FILES)).toString("hex");
    expect(zipIn("Pacific/Kiritimati")).toBe(here); // UTC+14
    expect(zipIn("America/St_Johns")).toBe(here); // UTC-3:30
  });

  it("refuses an entry name that a JavaScript object would reorder", () => {
    expect(() => deterministicZip({ "1": "x" })).toThrow(/must not be a number/);
  });

  it("is stored content-addressed, and its hash is base64 SHA-256 of the stored bytes (AWS CodeSha256)", () => {
    const archive = buildLambdaArchive({ baseDir: base, files: FILES });
    const bytes = fs.readFileSync(archive.file);
    expect(path.basename(archive.file)).toBe("archive.zip");
    expect(path.dirname(archive.file).startsWith(base)).toBe(true);
    expect(archive.codeSha256).toBe(createHash("sha256").update(bytes).digest("base64"));
    expect(archive.codeSha256).toBe(codeSha256Of(deterministicZip(FILES)));
    expect(archive.sha256Hex).toBe(Buffer.from(archive.codeSha256, "base64").toString("hex"));
  });

  it("is built once per content: the same files reuse the stored zip, other files get their own", () => {
    const first = buildLambdaArchive({ baseDir: base, files: FILES });
    const again = buildLambdaArchive({ baseDir: base, files: { ...FILES } });
    expect(again.file).toBe(first.file);
    const other = buildLambdaArchive({
      baseDir: base,
      files: { ...FILES, "table-schema.json": "[]" },
    });
    expect(other.file).not.toBe(first.file);
    expect(other.codeSha256).not.toBe(first.codeSha256);
    expect(fs.readdirSync(base).sort()).toEqual(
      [path.dirname(first.file), path.dirname(other.file)].map((d) => path.basename(d)).sort(),
    );
  });

  /**
   * Another process's store: the same key under a new base dir (this process remembers what it
   * built by path), holding a copy of the stored zip and, unless told not to, its digest.
   */
  function earlierStore(withDigest = true) {
    const stored = buildLambdaArchive({ baseDir: base, files: FILES });
    const otherBase = fs.mkdtempSync(path.join(os.tmpdir(), "wif-archive-"));
    const key = path.basename(path.dirname(stored.file));
    const dir = path.join(otherBase, key);
    fs.mkdirSync(dir);
    fs.copyFileSync(stored.file, path.join(dir, ARCHIVE_FILE_NAME));
    if (withDigest) {
      fs.copyFileSync(
        path.join(path.dirname(stored.file), ARCHIVE_DIGEST_FILE_NAME),
        path.join(dir, ARCHIVE_DIGEST_FILE_NAME),
      );
    }
    return { stored, otherBase, zip: path.join(dir, ARCHIVE_FILE_NAME) };
  }

  it("stores the zip's SHA-256 beside it", () => {
    const archive = buildLambdaArchive({ baseDir: base, files: FILES });
    const digestFile = path.join(path.dirname(archive.file), ARCHIVE_DIGEST_FILE_NAME);
    expect(fs.readFileSync(digestFile, "utf8").trim()).toBe(archive.sha256Hex);
  });

  it("reuses a zip stored by an earlier synth rather than zipping again", () => {
    const { stored, otherBase, zip } = earlierStore();
    const before = fs.statSync(zip).mtimeMs;
    const reused = buildLambdaArchive({ baseDir: otherBase, files: FILES });
    expect(reused.codeSha256).toBe(stored.codeSha256);
    expect(fs.statSync(reused.file).mtimeMs).toBe(before);
  });

  it.each([
    ["truncated", (bytes: Buffer) => bytes.subarray(0, bytes.length - 10)],
    [
      "edited",
      (bytes: Buffer) =>
        Buffer.concat([bytes.subarray(0, 40), Buffer.from("X"), bytes.subarray(41)]),
    ],
    ["emptied", () => Buffer.alloc(0)],
  ])("rebuilds a stored zip that was %s, rather than shipping it", (_how, corrupt) => {
    const { stored, otherBase, zip } = earlierStore();
    fs.writeFileSync(zip, corrupt(fs.readFileSync(zip)));
    const rebuilt = buildLambdaArchive({ baseDir: otherBase, files: FILES });
    expect(rebuilt.file).toBe(zip);
    expect(rebuilt.codeSha256).toBe(stored.codeSha256);
    expect(codeSha256Of(fs.readFileSync(zip))).toBe(stored.codeSha256);
    expect(Buffer.from(fs.readFileSync(zip)).equals(Buffer.from(deterministicZip(FILES)))).toBe(
      true,
    );
  });

  it("rebuilds a stored zip that has no digest beside it, and stores the digest", () => {
    const { stored, otherBase, zip } = earlierStore(false);
    fs.writeFileSync(zip, "not a zip");
    const rebuilt = buildLambdaArchive({ baseDir: otherBase, files: FILES });
    expect(rebuilt.codeSha256).toBe(stored.codeSha256);
    expect(codeSha256Of(fs.readFileSync(zip))).toBe(stored.codeSha256);
    expect(
      fs.readFileSync(path.join(path.dirname(zip), ARCHIVE_DIGEST_FILE_NAME), "utf8").trim(),
    ).toBe(stored.sha256Hex);
  });
});

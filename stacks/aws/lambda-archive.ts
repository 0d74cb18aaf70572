/**
 * The Lambda's archive.zip, built in this process, byte-reproducibly: entries sorted by name,
 * every timestamp the DOS epoch, every mode 0644 (Unix), one compression level, no extra fields
 * or comments, by fflate (a well-kept zip library; no hand-written zip format). Same files in,
 * same bytes out, whatever the checkout's directory, file mtimes, umask, clock or machine.
 * fflate's deflate is plain JavaScript, so its output depends only on its version (pinned);
 * Node's zlib compresses ~3% smaller, but its bytes may change with the zlib build Node ships.
 *
 * Built once per content and stored content-addressed under `<baseDir>/<key>/archive.zip`, so
 * every stack of a synth and every later synth reuses the one file: cdktf only copies it.
 * The zip's SHA-256 is stored beside it (`archive.zip.sha256`) when it is built, and a stored
 * zip is re-hashed before every reuse: a truncated, edited or half-copied file, or one without
 * its digest, is rebuilt, never shipped.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync, type Zippable } from "fflate";

export const ARCHIVE_FILE_NAME = "archive.zip";
/** Beside the stored zip: the lowercase hex SHA-256 of its bytes when it was built. */
export const ARCHIVE_DIGEST_FILE_NAME = `${ARCHIVE_FILE_NAME}.sha256`;

/**
 * The DOS epoch, 1980-01-01 00:00:00, built from local-time fields: fflate writes an entry's
 * DOS time from the Date's local-time getters, so a Date from local fields encodes to the same
 * bytes in every time zone (an instant such as `Date.UTC(…)` would not).
 */
export const ENTRY_MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** Regular file, rw-r--r--: Lambda needs every file world-readable; nothing is executable. */
export const ENTRY_MODE = 0o100644;
/** "Made by" Unix, so unzip and Lambda read ENTRY_MODE from the external attributes. */
const MADE_BY_UNIX = 3;
export const COMPRESSION_LEVEL = 9;

/**
 * Part of every store key: a change of zip settings or of fflate's version (which could change
 * the deflate output) gets a new key, never a stale zip from an older build.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FORMAT = `fflate@${(require("fflate/package.json") as { version: string }).version} level ${COMPRESSION_LEVEL} mode ${ENTRY_MODE.toString(8)} mtime 1980-01-01 v1`;

export type ArchiveFiles = Readonly<Record<string, Uint8Array | string>>;

/** The zip of `files` (name -> content), deterministically. */
export function deterministicZip(files: ArchiveFiles): Uint8Array {
  const entries: Zippable = {};
  // Insertion order is entry order; sorted names never look like array indices (all have a dot
  // or letters), so the object keeps this order.
  for (const name of Object.keys(files).sort()) {
    if (/^\d+$/.test(name)) throw new Error(`archive entry name "${name}" must not be a number`);
    const content = files[name];
    entries[name] = [
      typeof content === "string" ? new TextEncoder().encode(content) : content,
      { mtime: ENTRY_MTIME, os: MADE_BY_UNIX, attrs: ENTRY_MODE << 16 },
    ];
  }
  // fflate's default memory level is a function of each entry's length: fixed by its input.
  return zipSync(entries, { level: COMPRESSION_LEVEL });
}

/** base64(SHA-256(bytes)): what AWS reports as a function's CodeSha256. */
export function codeSha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64");
}

export interface LambdaArchiveProps {
  /** The archive goes to `<baseDir>/<key>/archive.zip`, key derived from the files' content. */
  readonly baseDir: string;
  /** Entry name -> content. */
  readonly files: ArchiveFiles;
}

export interface LambdaArchive {
  /** Absolute path of the stored archive.zip. */
  readonly file: string;
  /** base64(SHA-256(zip bytes)) = the CodeSha256 AWS reports = the function's source_code_hash. */
  readonly codeSha256: string;
  /** The same digest in lowercase hex (what `sha256sum archive.zip` prints). */
  readonly sha256Hex: string;
}

// One read (or build) per stored archive per process, however many stacks use it.
const archives = new Map<string, LambdaArchive>();

/** The key of the stored archive of `files`: a hash of the zip settings and every entry. */
function storeKey(files: ArchiveFiles): string {
  const digest = createHash("sha256").update(FORMAT).update("\0");
  for (const name of Object.keys(files).sort()) {
    digest.update(name).update("\0").update(files[name]).update("\0");
  }
  return digest.digest("hex").slice(0, 32).toUpperCase();
}

export function buildLambdaArchive(props: LambdaArchiveProps): LambdaArchive {
  const file = path.join(props.baseDir, storeKey(props.files), ARCHIVE_FILE_NAME);
  let archive = archives.get(file);
  if (!archive) {
    const stored = readVerifiedArchive(file);
    const bytes = stored ?? deterministicZip(props.files);
    const digest = createHash("sha256").update(bytes).digest();
    const sha256Hex = digest.toString("hex");
    if (!stored) {
      // Write beside, then rename: a reader never sees a half-written zip or digest; a
      // concurrent synth that wins the race wrote the same bytes. The digest goes last, so a
      // zip without one is never trusted.
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeAtomically(file, bytes);
      writeAtomically(digestFileOf(file), `${sha256Hex}\n`);
    }
    archive = { file, codeSha256: digest.toString("base64"), sha256Hex };
    archives.set(file, archive);
  }
  return archive;
}

function digestFileOf(zipFile: string): string {
  return path.join(path.dirname(zipFile), ARCHIVE_DIGEST_FILE_NAME);
}

/** The stored zip's bytes when they hash to the digest stored beside them; else undefined. */
function readVerifiedArchive(file: string): Uint8Array | undefined {
  let bytes: Buffer;
  let expected: string;
  try {
    bytes = fs.readFileSync(file);
    expected = fs.readFileSync(digestFileOf(file), "utf8").trim();
  } catch {
    return undefined; // not stored yet, or stored without its digest: build it
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  return actual === expected ? bytes : undefined;
}

function writeAtomically(file: string, content: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/**
 * Bundles the Lambda source with esbuild at synth time: `index.js` (one minified file) and the
 * files placed next to it (the table schema it validates against). The output is deterministic
 * (no timestamps, no absolute paths, no source maps), so it is the same on any machine and
 * changes only when the code or the schema does; ./lambda-archive zips it the same way.
 * Because it is deterministic, esbuild runs once per distinct content of its inputs: later
 * synths and processes reuse the stored bundle from .gen/bundle-cache (see bundleCode).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync, version as esbuildVersion, type BuildOptions } from "esbuild";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_ENTRY = path.join(PROJECT_ROOT, "lambda", "handler.ts");

export interface LambdaBundleProps {
  /** The bundle goes to `<baseDir>/<hash>/`: content-addressed, so concurrent synths never clash. */
  readonly baseDir: string;
  /** Node.js major version the code targets, e.g. 22. */
  readonly nodeMajor: number;
  /** Extra files placed next to index.js, name -> content. @default none */
  readonly extraFiles?: Record<string, string>;
  /** @default lambda/handler.ts */
  readonly entry?: string;
}

export interface LambdaBundle {
  readonly dir: string;
  /** Content hash of every file in dir (hex, 32 chars, upper case like cdktf's). */
  readonly hash: string;
}

interface BundledCode {
  readonly code: Uint8Array;
  /** Source files that went into the bundle, relative to the project root. */
  readonly inputs: readonly string[];
}

export interface BundleCodeOptions {
  /** Where bundles are kept between processes. @default .gen/bundle-cache */
  readonly cacheDir?: string;
}

/** esbuild's options, minus the entry and target (part of every cache key). */
const BUILD_OPTIONS = {
  absWorkingDir: PROJECT_ROOT,
  bundle: true,
  platform: "node",
  format: "cjs",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  write: false,
  outfile: "index.js",
  logLevel: "silent",
  metafile: true,
  // gaxios 7 loads node-fetch (~93 KB) even where fetch is global; Lambda's Node has it.
  alias: { "node-fetch": "./lambda/shims/node-fetch.ts" },
} as const satisfies BuildOptions;

/**
 * Files esbuild reads that its metafile does not list: package resolution (the lock file pins
 * every package's version and layout) and the TypeScript settings esbuild honours.
 */
const RESOLUTION_FILES = ["package-lock.json", "tsconfig.json"];

// One esbuild run per entry and target per process, however many stacks use it.
const codeCache = new Map<string, BundledCode>();

const sha256Hex = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes beside, then renames: a concurrent reader never sees half a file. */
function writeAtomically(file: string, content: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/**
 * The key of a bundle: the build settings and the content of every file the build read. The
 * same key means esbuild would produce the same bytes (it is deterministic), so a stored bundle
 * under that key is reused. Undefined when an input no longer exists.
 */
function inputsKey(buildKey: string, inputs: readonly string[]): string | undefined {
  const digest = createHash("sha256").update(buildKey);
  for (const file of [...RESOLUTION_FILES, ...inputs]) {
    const content = readOrUndefined(path.resolve(PROJECT_ROOT, file));
    if (content === undefined && !RESOLUTION_FILES.includes(file)) return undefined;
    digest.update(`\0${file}\0${content ? sha256Hex(content) : "absent"}`);
  }
  // The names beside our own inputs: a file added next to one (`./x.tsx` beside `./x.ts`, an
  // `index.ts` in a folder) can change what an unchanged import resolves to. Packages' layout
  // is pinned by the lock file.
  const ownDirs = new Set(
    inputs.filter((f) => !f.split(/[\\/]/).includes("node_modules")).map((f) => path.dirname(f)),
  );
  for (const dir of [...ownDirs].sort()) {
    let names: string[];
    try {
      names = fs.readdirSync(path.resolve(PROJECT_ROOT, dir)).sort();
    } catch {
      return undefined;
    }
    digest.update(`\0dir ${dir}\0${names.join("\0")}`);
  }
  return digest.digest("hex");
}

/**
 * The bundled code of `entry` for Node.js `nodeMajor`: esbuild runs once per distinct content
 * of its inputs, across processes. The last build's input list is kept per entry and target;
 * when every listed file (and the lock file and tsconfig) still has the content it had, the
 * stored bundle of that content is reused, after checking its SHA-256. Any edit to a listed
 * file, such as a new import, or a file added or removed beside one of our listed files, gives
 * a new key and a fresh build. Each synth, test suite and
 * child synth would otherwise spend ~0.1-0.2 s of CPU in esbuild for the same bytes.
 */
export function bundleCode(
  entry: string,
  nodeMajor: number,
  options: BundleCodeOptions = {},
): BundledCode {
  const cacheDir = options.cacheDir ?? path.join(PROJECT_ROOT, ".gen", "bundle-cache");
  const memoKey = `${entry}@node${nodeMajor}@${cacheDir}`;
  const memo = codeCache.get(memoKey);
  if (memo) return memo;

  const target = `node${nodeMajor}`;
  const buildKey = JSON.stringify({
    esbuild: esbuildVersion,
    entry: path.relative(PROJECT_ROOT, entry),
    target,
    options: BUILD_OPTIONS,
  });
  const manifestFile = path.join(cacheDir, `${sha256Hex(buildKey)}.inputs.json`);
  const stored = storedBundle(cacheDir, buildKey, manifestFile);
  if (stored) {
    codeCache.set(memoKey, stored);
    return stored;
  }

  const result = buildSync({ ...BUILD_OPTIONS, entryPoints: [entry], target });
  const bundled: BundledCode = {
    code: result.outputFiles[0].contents,
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
  const key = inputsKey(buildKey, bundled.inputs);
  if (key) {
    fs.mkdirSync(cacheDir, { recursive: true });
    writeAtomically(path.join(cacheDir, `${key}.js`), bundled.code);
    writeAtomically(path.join(cacheDir, `${key}.js.sha256`), sha256Hex(bundled.code));
    writeAtomically(manifestFile, JSON.stringify(bundled.inputs));
  }
  codeCache.set(memoKey, bundled);
  return bundled;
}

/** The stored bundle for the current content of the last build's inputs, if intact. */
function storedBundle(
  cacheDir: string,
  buildKey: string,
  manifestFile: string,
): BundledCode | undefined {
  let inputs: string[];
  try {
    inputs = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as string[];
    if (!Array.isArray(inputs) || !inputs.every((i) => typeof i === "string")) return undefined;
  } catch {
    return undefined;
  }
  const key = inputsKey(buildKey, inputs);
  if (!key) return undefined;
  const code = readOrUndefined(path.join(cacheDir, `${key}.js`));
  const digest = readOrUndefined(path.join(cacheDir, `${key}.js.sha256`))?.toString("utf8");
  if (!code || digest !== sha256Hex(code)) return undefined;
  return { code: new Uint8Array(code), inputs };
}

/**
 * The files of the function's code, name -> content: index.js and the extra files. What the
 * archive (./lambda-archive) zips, and what buildLambdaBundle writes out as a directory.
 */
export function lambdaBundleFiles(
  props: Omit<LambdaBundleProps, "baseDir">,
): Record<string, Uint8Array | string> {
  return {
    "index.js": bundleCode(props.entry ?? DEFAULT_ENTRY, props.nodeMajor).code,
    ...props.extraFiles,
  };
}

/**
 * The bundle as a directory (index.js next to the extra files), for code that loads it the
 * way Lambda does from /var/task (tests, the bench). Synth ships buildLambdaArchive's zip of
 * the same files.
 */
export function buildLambdaBundle(props: LambdaBundleProps): LambdaBundle {
  const files = lambdaBundleFiles(props);
  const names = Object.keys(files).sort();
  const digest = createHash("sha256");
  for (const name of names) digest.update(name).update("\0").update(files[name]).update("\0");
  const hash = digest.digest("hex").slice(0, 32).toUpperCase();

  const dir = path.join(props.baseDir, hash);
  if (!fs.existsSync(dir)) {
    // Write beside, then rename: a reader never sees a half-written bundle.
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    for (const name of names) fs.writeFileSync(path.join(tmp, name), files[name]);
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(dir)) throw err; // another process won the race: same content
    }
  }
  return { dir, hash };
}

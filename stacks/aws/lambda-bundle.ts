/**
 * Bundles the Lambda source with esbuild at synth time: `index.js` (one minified file) and the
 * files placed next to it (the table schema it validates against). The output is deterministic
 * (no timestamps, no absolute paths, no source maps), so it is the same on any machine and
 * changes only when the code or the schema does; ./lambda-archive zips it the same way.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";

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

// One esbuild run per entry and target per process, however many stacks use it.
const codeCache = new Map<string, BundledCode>();

export function bundleCode(entry: string, nodeMajor: number): BundledCode {
  const key = `${entry}@node${nodeMajor}`;
  let bundled = codeCache.get(key);
  if (!bundled) {
    const result = buildSync({
      entryPoints: [entry],
      absWorkingDir: PROJECT_ROOT,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: `node${nodeMajor}`,
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
    });
    bundled = {
      code: result.outputFiles[0].contents,
      inputs: Object.keys(result.metafile.inputs).sort(),
    };
    codeCache.set(key, bundled);
  }
  return bundled;
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

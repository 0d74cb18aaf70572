/**
 * All-or-nothing synth output. The app writes into a fresh sibling directory of the outdir
 * (same file system, so the swap is a rename); only when every stack passed its validations
 * (the rule pack included) and the reviews are written does that directory replace the outdir.
 * A refused or crashed run leaves the previous outdir exactly as it was, so no stack's JSON is
 * ever newer than its review or the manifest.
 *
 * What Terraform keeps in a stack's working directory (.terraform/, the lock file, a local state
 * or plan file) and the directories of stacks this run did not synthesize are not synth's to
 * drop: they are moved over from the previous outdir after the swap.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Where cdktf's manifest lists the stacks' working directories. */
const STACKS_DIR = "stacks";
const REVIEW_DIR = "review";

export interface AtomicOutdirResult {
  /** The outdir, now holding this run's output. */
  readonly outdir: string;
  /** Paths (relative to the outdir) moved over from the previous output. */
  readonly carriedOver: readonly string[];
}

/**
 * Runs `write(stagingDir)`; when it returns, `stagingDir` replaces `outdir`. When it throws,
 * the staging directory is removed, `outdir` is left untouched and the error is rethrown.
 */
export function writeOutdirAtomically(
  outdir: string,
  write: (stagingDir: string) => void,
): AtomicOutdirResult {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.next-`));
  // mkdtemp makes the directory private (0700); the outdir keeps the mode it had, or gets a
  // plain mkdir's.
  fs.chmodSync(
    staging,
    fs.existsSync(target) ? fs.statSync(target).mode & 0o7777 : 0o777 & ~process.umask(),
  );
  try {
    write(staging);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (!fs.existsSync(target)) {
    fs.renameSync(staging, target);
    return { outdir: target, carriedOver: [] };
  }
  const previous = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.previous-`));
  fs.rmdirSync(previous);
  fs.renameSync(target, previous);
  try {
    fs.renameSync(staging, target);
  } catch (err) {
    fs.renameSync(previous, target);
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  let carriedOver: string[];
  try {
    carriedOver = carryOver(previous, target);
  } catch (err) {
    throw new Error(
      `synth output is in ${target}, but moving Terraform's files over from the previous output failed ` +
        `(${(err as Error).message}); they are still in ${previous}: move .terraform/, .terraform.lock.hcl ` +
        "and any state or plan files back by hand",
    );
  }
  fs.rmSync(previous, { recursive: true, force: true });
  return { outdir: target, carriedOver };
}

/**
 * Moves what the new output lacks from `previous` into `next`: entries at the top level, whole
 * stack directories of stacks not synthesized this time (with their review), and entries of a
 * stack directory that synth does not write (Terraform's working files). Synth's own files in a
 * re-synthesized stack (its JSON, its assets) are never carried, so no stale asset survives.
 */
function carryOver(previous: string, next: string): string[] {
  const moved: string[] = [];
  const move = (relative: string) => {
    fs.mkdirSync(path.dirname(path.join(next, relative)), { recursive: true });
    fs.renameSync(path.join(previous, relative), path.join(next, relative));
    moved.push(relative);
  };
  const missing = (relative: string) => !fs.existsSync(path.join(next, relative));
  for (const entry of fs.readdirSync(previous)) {
    if (missing(entry)) move(entry);
  }
  const previousStacks = path.join(previous, STACKS_DIR);
  if (fs.existsSync(previousStacks) && fs.statSync(previousStacks).isDirectory()) {
    for (const stack of fs.readdirSync(previousStacks)) {
      const stackDir = path.join(STACKS_DIR, stack);
      if (missing(stackDir)) {
        move(stackDir);
        const review = path.join(REVIEW_DIR, `${stack}.md`);
        if (fs.existsSync(path.join(previous, review)) && missing(review)) move(review);
        continue;
      }
      if (!fs.statSync(path.join(previous, stackDir)).isDirectory()) continue;
      for (const entry of fs.readdirSync(path.join(previous, stackDir))) {
        const relative = path.join(stackDir, entry);
        if (missing(relative)) move(relative);
      }
    }
  }
  return moved;
}

/**
 * All-or-nothing synth output. The app writes into a fresh sibling directory of the outdir
 * (same file system, so the swap is a rename); only when every stack passed its validations
 * (the rule pack included) and the reviews are written does that directory replace the outdir.
 * A refused or crashed run leaves the previous outdir exactly as it was, so no stack's JSON is
 * ever newer than its review or the manifest.
 *
 * What Terraform keeps in the working directory of a stack synthesized this run (.terraform/,
 * the lock file, a local state or plan file) is not synth's to drop: it is moved over from the
 * previous outdir after the swap, and nothing else of that stack is.
 *
 * A stack this run did not synthesize is either another environment of a subset run
 * (`WIF_BRIDGE_ENV=dev`): its directory and review are kept whole, since this run says nothing
 * about it; or, in a run of every environment, one whose config is gone (removed or renamed):
 * its JSON, assets and review are dropped, so they cannot outlive it, and only a Terraform state
 * file in its directory is kept (never delete a state silently: it lists what is deployed).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Where cdktf's manifest lists the stacks' working directories. */
const STACKS_DIR = "stacks";
const REVIEW_DIR = "review";

export interface AtomicOutdirProps {
  /**
   * This run synthesizes only some environments: the previous output of the others is kept
   * whole. When false, a stack not synthesized this run has no config any more, and only its
   * Terraform state is kept. @default false
   */
  readonly subset?: boolean;
}

/**
 * Files Terraform (not synth) writes in a stack's working directory: its plugin and module
 * cache, the provider lock file, a local state, its backup and lock, and saved plans.
 */
export function isTerraformWorkingFile(name: string): boolean {
  return (
    name === ".terraform" ||
    name === ".terraform.lock.hcl" ||
    name === ".terraform.tfstate.lock.info" ||
    isTerraformState(name) ||
    /^(?:tfplan|plan|plan\.out)$|\.(?:tfplan|plan)$/.test(name)
  );
}

function isTerraformState(name: string): boolean {
  return /\.tfstate(?:\.backup|\.\d+\.backup)?$/.test(name);
}

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
  props: AtomicOutdirProps = {},
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
    carriedOver = carryOver(previous, target, props.subset ?? false);
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
 * Moves from `previous` into `next`: top-level entries synth did not write; Terraform's working
 * files of every stack synthesized this run; the whole directory and review of a stack not
 * synthesized in a subset run; only the Terraform state of one gone from a full run. Synth's
 * own files of a re-synthesized stack (its JSON, its assets) are never carried, so no stale
 * asset survives.
 */
function carryOver(previous: string, next: string, subset: boolean): string[] {
  const moved: string[] = [];
  const move = (relative: string) => {
    fs.mkdirSync(path.dirname(path.join(next, relative)), { recursive: true });
    fs.renameSync(path.join(previous, relative), path.join(next, relative));
    moved.push(relative);
  };
  const missing = (relative: string) => !fs.existsSync(path.join(next, relative));
  const isDirectory = (relative: string) =>
    fs.statSync(path.join(previous, relative)).isDirectory();
  for (const entry of fs.readdirSync(previous)) {
    if (missing(entry)) move(entry);
  }
  const previousStacks = path.join(previous, STACKS_DIR);
  if (!fs.existsSync(previousStacks) || !isDirectory(STACKS_DIR)) return moved;
  for (const stack of fs.readdirSync(previousStacks)) {
    const stackDir = path.join(STACKS_DIR, stack);
    if (!isDirectory(stackDir)) continue;
    const synthesized = !missing(stackDir);
    if (!synthesized && subset) {
      move(stackDir);
      const review = path.join(REVIEW_DIR, `${stack}.md`);
      if (fs.existsSync(path.join(previous, review)) && missing(review)) move(review);
      continue;
    }
    const keep = synthesized ? isTerraformWorkingFile : isTerraformState;
    for (const entry of fs.readdirSync(path.join(previous, stackDir))) {
      const relative = path.join(stackDir, entry);
      if (keep(entry) && missing(relative)) move(relative);
    }
  }
  return moved;
}

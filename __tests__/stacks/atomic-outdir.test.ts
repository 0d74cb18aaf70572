import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeOutdirAtomically } from "../../tools/atomic-outdir";

function tempParent(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "wif-atomic-"));
}

/** Writes `files` (relative path -> content) under `dir`. */
function writeTree(dir: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), content);
  }
}

/** Every file under `dir` (relative path -> content), sorted. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), "utf8");
    }
  };
  walk("");
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const PREVIOUS = {
  "manifest.json": "old manifest",
  "review/dev.md": "old dev review",
  "review/prod.md": "old prod review",
  "stacks/dev/cdk.tf.json": "old dev json",
  "stacks/dev/assets/lambda/OLDHASH/archive.zip": "old zip",
  "stacks/dev/.terraform/terraform.tfstate": "backend cache",
  "stacks/dev/.terraform.lock.hcl": "provider hashes",
  "stacks/dev/terraform.tfstate": "local state kept next to the JSON",
  "stacks/prod/cdk.tf.json": "old prod json",
  "stacks/prod/.terraform.lock.hcl": "prod provider hashes",
};

describe("all-or-nothing synth output", () => {
  it("leaves the previous output untouched and removes its staging directory when the write throws", () => {
    const parent = tempParent();
    const outdir = path.join(parent, "cdktf.out");
    writeTree(outdir, PREVIOUS);
    expect(() =>
      writeOutdirAtomically(outdir, (staging) => {
        writeTree(staging, { "stacks/dev/cdk.tf.json": "half-written" });
        throw new Error("security rule pack: 1 error in stack prod");
      }),
    ).toThrow(/1 error in stack prod/);
    expect(readTree(outdir)).toEqual(PREVIOUS);
    expect(fs.readdirSync(parent)).toEqual(["cdktf.out"]);
  });

  it("creates the outdir when there was none", () => {
    const parent = tempParent();
    const outdir = path.join(parent, "out");
    writeOutdirAtomically(outdir, (staging) => writeTree(staging, { "manifest.json": "m" }));
    expect(readTree(outdir)).toEqual({ "manifest.json": "m" });
    expect(fs.readdirSync(parent)).toEqual(["out"]);
  });

  const NEW_DEV = {
    "manifest.json": "new manifest",
    "review/dev.md": "new dev review",
    "stacks/dev/cdk.tf.json": "new dev json",
    "stacks/dev/assets/lambda/NEWHASH/archive.zip": "new zip",
  };

  it("in a subset run, replaces synth's files, drops stale assets, keeps Terraform's working files and the other stacks", () => {
    const parent = tempParent();
    const outdir = path.join(parent, "cdktf.out");
    writeTree(outdir, PREVIOUS);
    const result = writeOutdirAtomically(outdir, (staging) => writeTree(staging, NEW_DEV), {
      subset: true,
    });
    expect(readTree(outdir)).toEqual({
      "manifest.json": "new manifest",
      "review/dev.md": "new dev review",
      // prod was not synthesized this time: its directory and review stay as they were.
      "review/prod.md": "old prod review",
      "stacks/dev/.terraform.lock.hcl": "provider hashes",
      "stacks/dev/.terraform/terraform.tfstate": "backend cache",
      "stacks/dev/assets/lambda/NEWHASH/archive.zip": "new zip",
      "stacks/dev/cdk.tf.json": "new dev json",
      "stacks/dev/terraform.tfstate": "local state kept next to the JSON",
      "stacks/prod/.terraform.lock.hcl": "prod provider hashes",
      "stacks/prod/cdk.tf.json": "old prod json",
    });
    expect(result.carriedOver).toEqual(
      expect.arrayContaining([
        "stacks/dev/.terraform",
        "stacks/dev/.terraform.lock.hcl",
        "stacks/prod",
        "review/prod.md",
      ]),
    );
    expect(fs.readdirSync(parent)).toEqual(["cdktf.out"]);
  });

  it("in a run of every environment, drops a removed environment's JSON, assets and review, keeping only its state", () => {
    const parent = tempParent();
    const outdir = path.join(parent, "cdktf.out");
    writeTree(outdir, {
      ...PREVIOUS,
      "stacks/prod/assets/lambda/OLDHASH/archive.zip": "old prod zip",
      "stacks/prod/terraform.tfstate": "prod state",
      "stacks/prod/terraform.tfstate.backup": "prod state backup",
    });
    const result = writeOutdirAtomically(outdir, (staging) => writeTree(staging, NEW_DEV));
    expect(readTree(outdir)).toEqual({
      "manifest.json": "new manifest",
      "review/dev.md": "new dev review",
      "stacks/dev/.terraform.lock.hcl": "provider hashes",
      "stacks/dev/.terraform/terraform.tfstate": "backend cache",
      "stacks/dev/assets/lambda/NEWHASH/archive.zip": "new zip",
      "stacks/dev/cdk.tf.json": "new dev json",
      "stacks/dev/terraform.tfstate": "local state kept next to the JSON",
      // prod's config is gone: no JSON, asset or review of it survives, and its state is kept.
      "stacks/prod/terraform.tfstate": "prod state",
      "stacks/prod/terraform.tfstate.backup": "prod state backup",
    });
    expect(result.carriedOver).not.toContain("stacks/prod");
    expect(result.carriedOver).not.toContain("review/prod.md");
  });

  it("carries only Terraform's own files of a re-synthesized stack, not a file synth no longer writes", () => {
    const parent = tempParent();
    const outdir = path.join(parent, "cdktf.out");
    writeTree(outdir, {
      "stacks/dev/cdk.tf.json": "old dev json",
      "stacks/dev/old-module/main.tf.json": "written by an older synth",
      "stacks/dev/tfplan": "saved plan",
      "stacks/dev/release.tfplan": "saved plan",
      "stacks/dev/.terraform.tfstate.lock.info": "state lock",
    });
    writeOutdirAtomically(outdir, (staging) =>
      writeTree(staging, { "stacks/dev/cdk.tf.json": "new dev json" }),
    );
    expect(readTree(outdir)).toEqual({
      "stacks/dev/.terraform.tfstate.lock.info": "state lock",
      "stacks/dev/cdk.tf.json": "new dev json",
      "stacks/dev/release.tfplan": "saved plan",
      "stacks/dev/tfplan": "saved plan",
    });
  });

  it("keeps the outdir's permissions", () => {
    const parent = tempParent();
    const outdir = path.join(parent, "cdktf.out");
    writeTree(outdir, PREVIOUS);
    fs.chmodSync(outdir, 0o750);
    writeOutdirAtomically(outdir, (staging) => writeTree(staging, { "manifest.json": "m" }));
    expect(fs.statSync(outdir).mode & 0o777).toBe(0o750);
  });
});

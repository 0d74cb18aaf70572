import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../helpers/synth";
import { synthArgv } from "../../tools/synth-command";

// [node, [preloads..., main.ts]] as execFileSync takes them: the command npm run synth runs.
const [execPath, ...args] = synthArgv();
const node = [execPath, args] as const;

/** What the app is made of: a fresh clone has these and no .gen/ (so no stored archive). */
const PROJECT_FILES = [
  "main.ts",
  "package.json",
  "tsconfig.json",
  "cdktf.json",
  "stacks",
  "lambda",
  "tools",
  "config",
];

/** Every file and directory under `dir`, node_modules aside. */
function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((rel) => !rel.startsWith("node_modules"));
}

/** A copy of the project in a new directory, every file dated `mtime` and given `mode`. */
function copyProject(mtime: Date, mode: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-clone-"));
  for (const entry of PROJECT_FILES) {
    fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  for (const rel of walk(dir)) {
    const file = path.join(dir, rel);
    if (fs.statSync(file).isFile()) fs.chmodSync(file, mode);
    fs.utimesSync(file, mtime, mtime);
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

interface Synthesized {
  readonly tfJson: Buffer;
  readonly zip: Buffer;
  readonly sourceCodeHash: string;
  readonly output: string;
}

/** `npm run synth` of the example environment in a copy, in a time zone; what it wrote. */
async function synthIn(dir: string, timeZone: string): Promise<Synthesized> {
  const outdir = path.join(dir, "cdktf.out");
  await promisify(execFile)(execPath, [...args.slice(0, -1), path.join(dir, "main.ts")], {
    cwd: dir,
    env: { ...process.env, CDKTF_OUTDIR: outdir, WIF_BRIDGE_ENV: "example", TZ: timeZone },
  });
  const stackDir = path.join(outdir, "stacks", "example");
  const tfJson = fs.readFileSync(path.join(stackDir, "cdk.tf.json"));
  const tf = JSON.parse(tfJson.toString());
  const fn = Object.values(tf.resource.aws_lambda_function)[0] as {
    filename: string;
    source_code_hash: string;
  };
  return {
    tfJson,
    zip: fs.readFileSync(path.join(stackDir, fn.filename)),
    sourceCodeHash: fn.source_code_hash,
    output: tf.output.lambda_code_sha256.value,
  };
}

describe("the app (main.ts), as `npm run synth` runs it", () => {
  describe("from two copies of the project in different directories, with different file mtimes, modes and time zones", () => {
    let a: Synthesized;
    let b: Synthesized;
    let dirs: string[];
    beforeAll(async () => {
      dirs = [
        copyProject(new Date("2001-02-03T04:05:06Z"), 0o644),
        copyProject(new Date(Date.now() + 86_400_000), 0o600),
      ];
      [a, b] = await Promise.all([synthIn(dirs[0], "UTC"), synthIn(dirs[1], "Asia/Kathmandu")]);
    }, 60_000);
    afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    it("writes byte-identical cdk.tf.json, with the zipped Lambda asset", () => {
      expect(b.tfJson.equals(a.tfJson)).toBe(true);
      expect(a.zip.subarray(0, 4).toString("hex")).toBe("504b0304"); // a zip file
    });

    it("writes a byte-identical archive.zip, each built afresh in its own copy", () => {
      expect(b.zip.equals(a.zip)).toBe(true);
      for (const dir of dirs) {
        const stored = walk(path.join(dir, ".gen", "lambda")).filter((f) =>
          f.endsWith("archive.zip"),
        );
        expect(stored).toHaveLength(1);
      }
    });

    it("gives both the same source_code_hash: base64 SHA-256 of the zip, also output as lambda_code_sha256", () => {
      const sha256 = createHash("sha256").update(a.zip).digest("base64");
      expect(a.sourceCodeHash).toBe(sha256);
      expect(b.sourceCodeHash).toBe(sha256);
      expect(a.output).toBe(sha256);
      expect(b.output).toBe(sha256);
    });
  });

  it("keeps another environment's output in a subset run, and drops it (but its state) in a full run", async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-cfg-"));
    fs.copyFileSync(
      path.join(PROJECT_ROOT, "config", "example.json"),
      path.join(configDir, "example.json"),
    );
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wif-out-")), "cdktf.out");
    // What a removed (or renamed) environment "retired" left from an earlier synth.
    const retired = {
      "stacks/retired/cdk.tf.json": "{}",
      "stacks/retired/terraform.tfstate": "its local state",
      "review/retired.md": "its review",
    };
    for (const [rel, content] of Object.entries(retired)) {
      fs.mkdirSync(path.dirname(path.join(outdir, rel)), { recursive: true });
      fs.writeFileSync(path.join(outdir, rel), content);
    }
    const synth = (selected: string | undefined) =>
      promisify(execFile)(execPath, args, {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          CDKTF_OUTDIR: outdir,
          WIF_BRIDGE_CONFIG_DIR: configDir,
          WIF_BRIDGE_ENV: selected ?? "",
        },
      });
    const exists = (rel: string) => fs.existsSync(path.join(outdir, rel));

    await synth("example");
    expect(exists("stacks/example/cdk.tf.json")).toBe(true);
    for (const rel of Object.keys(retired)) expect([rel, exists(rel)]).toEqual([rel, true]);

    await synth(undefined);
    expect(exists("stacks/example/cdk.tf.json")).toBe(true);
    expect(exists("stacks/retired/cdk.tf.json")).toBe(false);
    expect(exists("review/retired.md")).toBe(false);
    expect(fs.readFileSync(path.join(outdir, "stacks/retired/terraform.tfstate"), "utf8")).toBe(
      "its local state",
    );
  }, 120_000);

  it("fails with a clear error when WIF_BRIDGE_ENV names an unknown environment", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-badcfg-"));
    expect(() =>
      execFileSync(...node, {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CDKTF_OUTDIR: dir, WIF_BRIDGE_ENV: "nope" },
        stdio: "pipe",
      }),
    ).toThrow(/WIF_BRIDGE_ENV names nope, but config\/ has only: (\w[\w-]*, )*example\b/);
  });
});

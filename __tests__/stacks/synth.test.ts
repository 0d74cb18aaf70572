import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/synth";
import { synthArgv } from "../../tools/synth-command";

// [node, [preloads..., main.ts]] as execFileSync takes them: the command npm run synth runs.
const [execPath, ...args] = synthArgv();
const node = [execPath, args] as const;

function synthTo(outdir: string): Buffer {
  execFileSync(...node, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, WIF_BRIDGE_ENV: "example" },
    stdio: "pipe",
  });
  return fs.readFileSync(path.join(outdir, "stacks", "example", "cdk.tf.json"));
}

describe("the app (main.ts), as `npm run synth` runs it", () => {
  it("writes byte-identical cdk.tf.json on two runs, with the zipped Lambda asset", () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), "wif-synth-a-"));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), "wif-synth-b-"));
    const first = synthTo(a);
    const second = synthTo(b);
    expect(second.equals(first)).toBe(true);
    const fn = Object.values(JSON.parse(first.toString()).resource.aws_lambda_function)[0] as {
      filename: string;
    };
    const zip = fs.readFileSync(path.join(a, "stacks", "example", fn.filename));
    expect(zip.subarray(0, 4).toString("hex")).toBe("504b0304"); // a zip file
  });

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

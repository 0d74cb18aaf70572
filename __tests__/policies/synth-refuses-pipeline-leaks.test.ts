/**
 * Issue 14's done-when, end to end: removing any one isolation measure between pipelines (the
 * table grant widened to the dataset, a provider condition listing another account's role, a
 * service account shared by two pipelines) makes a real synth in a child process fail, naming
 * the Terraform address, the rule and the fix; the unattacked platform stack synthesizes. One
 * child synthesizes every stack, each in its own App.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/synth";
import { synthArgv } from "../../tools/synth-command";
import { ISOLATION_ATTACKS } from "./attacks/isolation-attacks";

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-isolation-"));
const [node, ...args] = synthArgv(path.join(__dirname, "attacks", "attacked-app.ts"));
const child = spawnSync(node, args, {
  cwd: PROJECT_ROOT,
  env: {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    WIF_ATTACKS: Object.keys(ISOLATION_ATTACKS).join("\n"),
  },
  encoding: "utf8",
});
fs.rmSync(outdir, { recursive: true, force: true });

function outcome(name: string): { exit: number; message: string } {
  const sections = child.stdout.split(/^=== ATTACK /m).slice(1);
  const section = sections.find((s) => s.startsWith(`${name} exit `));
  if (!section) throw new Error(`the child printed nothing for "${name}": ${child.stderr}`);
  const [head, ...rest] = section.split("\n");
  return { exit: Number(head.slice(`${name} exit `.length)), message: rest.join("\n") };
}

describe("a real synth of the platform stack with one isolation measure removed", () => {
  it.each(Object.entries(ISOLATION_ATTACKS))("refuses: %s", (name, attack) => {
    const { exit, message } = outcome(name);
    expect(exit).toBe(1);
    const line = new RegExp(
      `error ${attack.rule} \\w+ at (${attack.address.source})( \\(construct [^)]+\\))?: .+\\.\\n    Fix: .+`,
    );
    expect(message).toMatch(line);
  });
});

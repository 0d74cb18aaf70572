/**
 * Issue 10's done-when, end to end: for a representative of every class of unsafe change (and
 * every bypass found by attacking the guard), a real synth in a child process fails, naming the
 * Terraform address, the rule and the fix. One child synthesizes every attacked stack, each in
 * its own App, so the whole set costs one process start.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/synth";
import { synthArgv } from "../../tools/synth-command";
import { ATTACKS } from "./attacks/attacks";

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-attacks-"));
const [node, ...args] = synthArgv(path.join(__dirname, "attacks", "attacked-app.ts"));
const child = spawnSync(node, args, {
  cwd: PROJECT_ROOT,
  env: { ...process.env, CDKTF_OUTDIR: outdir, WIF_ATTACKS: Object.keys(ATTACKS).join("\n") },
  encoding: "utf8",
});
fs.rmSync(outdir, { recursive: true, force: true });

/** What the child printed for one attack: its exit and the synth's message. */
function outcome(name: string): { exit: number; message: string } {
  const sections = child.stdout.split(/^=== ATTACK /m).slice(1);
  const section = sections.find((s) => s.startsWith(`${name} exit `));
  if (!section) throw new Error(`the child printed nothing for "${name}": ${child.stderr}`);
  const [head, ...rest] = section.split("\n");
  return { exit: Number(head.slice(`${name} exit `.length)), message: rest.join("\n") };
}

describe("a real synth of an attacked stack", () => {
  it("exits 1", () => {
    expect(child.status).toBe(1);
  });

  it.each(Object.entries(ATTACKS))("refuses: %s", (name, attack) => {
    const { exit, message } = outcome(name);
    expect(exit).toBe(1);
    const line = new RegExp(
      `error ${attack.rule} \\w+ at (${attack.address.source})( \\(construct [^)]+\\))?: .+\\.\\n    Fix: .+`,
    );
    expect(message).toMatch(line);
  });
});

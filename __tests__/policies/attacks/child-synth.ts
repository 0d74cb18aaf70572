/**
 * Runs attacked-app.ts once in a child process for a list of attacks (one real synth each, one
 * process start for all) and reads back, per attack, its exit and what the synth said.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../helpers/synth";
import { synthArgv } from "../../../tools/synth-command";
import type { Attack } from "./attacks";

export interface ChildSynth {
  /** The child's exit status (1 when any synth failed). */
  readonly status: number | null;
  outcome(name: string): { exit: number; message: string };
}

export function synthAttacksInChild(names: readonly string[]): ChildSynth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-attacks-"));
  const [node, ...args] = synthArgv(path.join(__dirname, "attacked-app.ts"));
  const child = spawnSync(node, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, WIF_ATTACKS: names.join("\n") },
    encoding: "utf8",
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  return {
    status: child.status,
    outcome(name) {
      const sections = child.stdout.split(/^=== ATTACK /m).slice(1);
      const section = sections.find((s) => s.startsWith(`${name} exit `));
      if (!section) throw new Error(`the child printed nothing for "${name}": ${child.stderr}`);
      const [head, ...rest] = section.split("\n");
      return { exit: Number(head.slice(`${name} exit `.length)), message: rest.join("\n") };
    },
  };
}

/** The line a refused synth prints for the attack: its rule at its address, then the fix. */
export function refusalLine(attack: Pick<Attack, "rule" | "address">): RegExp {
  return new RegExp(
    `error ${attack.rule} \\w+ at (${attack.address.source})( \\(construct [^)]+\\))?: .+\\.\\n    Fix: .+`,
  );
}

/**
 * A cdktf app like main.ts that synthesizes the example stack (or, for an isolation attack,
 * the platform-example stack) once per attack named in
 * WIF_ATTACKS (one per line), each in its own App and outdir, in one process (a child synth
 * costs about a second, most of it loading cdktf and the providers). For each attack it prints
 * `=== ATTACK <name> exit <0|1>` and what main.ts would print; it exits 1 when any synth failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { BridgeStack } from "../../../stacks/bridge-stack";
import { parseConfig } from "../../../stacks/config";
import { merge, platformConfig, readExampleRaw } from "../../helpers/synth";
import { ATTACKS, type Attack } from "./attacks";
import { ISOLATION_ATTACKS } from "./isolation-attacks";

/** Attacks on the example stack, and isolation attacks on the platform-example stack. */
const ALL: Record<string, Attack & { platform?: boolean }> = {
  ...ATTACKS,
  ...Object.fromEntries(
    Object.entries(ISOLATION_ATTACKS).map(([name, a]) => [name, { ...a, platform: true }]),
  ),
};

const outRoot = process.env.CDKTF_OUTDIR ?? path.join(process.cwd(), "cdktf.out");
fs.mkdirSync(outRoot, { recursive: true });
let failed = false;
for (const name of (process.env.WIF_ATTACKS ?? "").split("\n").filter(Boolean)) {
  const attack = ALL[name];
  let exit = 0;
  let message = "";
  try {
    if (!attack) throw new Error(`no attack named ${name}`);
    const config = attack.platform
      ? platformConfig()
      : parseConfig(merge(readExampleRaw(), attack.config ?? {}), "config/example.json");
    const app = new App({ outdir: path.join(outRoot, String(Object.keys(ALL).indexOf(name))) });
    attack.apply(new BridgeStack(app, config.environment, { config }));
    app.synth();
  } catch (err) {
    exit = 1;
    failed = true;
    message = err instanceof Error ? err.message : String(err);
  }
  process.stdout.write(`=== ATTACK ${name} exit ${exit}\n${message}\n`);
}
process.exit(failed ? 1 : 0);

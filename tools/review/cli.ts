/**
 * `npm run review`: writes the trust-chain report of every synthesized stack to
 * <outdir>/review/<stack>.md (outdir: $CDKTF_OUTDIR or cdktf.out) and prints where.
 * Reads the JSON and rebuilds each stack's trust intent from config/<env>.json (a recorded intent
 * that differs is an error finding), so it takes milliseconds; run `npm run synth` first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { trustChainReport } from "./trust-chain-report";
import { loadConfig } from "../../stacks/config";
import { trustIntentOf } from "../../stacks/policies/trust-model/config-intent";
import type { TrustIntent } from "../../stacks/policies/trust-model/intent";

function configDir(): string {
  return path.resolve(process.env.WIF_BRIDGE_CONFIG_DIR ?? path.join(process.cwd(), "config"));
}

/**
 * The trust intent of every environment whose config file loads, by environment name. A file
 * that does not load is left out: its stack's report then says it judged the recorded intent.
 */
export function intentsFromConfigDir(dir: string): Map<string, TrustIntent> {
  const intents = new Map<string, TrustIntent>();
  if (!fs.existsSync(dir)) return intents;
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    try {
      const config = loadConfig(path.join(dir, file));
      intents.set(config.environment, trustIntentOf(config));
    } catch {
      // Not loadable here; `npm run synth` reports why.
    }
  }
  return intents;
}

export interface WrittenReport {
  readonly stack: string;
  readonly file: string;
  readonly errors: number;
}

/**
 * Writes one report per stack under `outdir/stacks`; returns them in stack order. `intents`:
 * per stack (environment) name, the trust intent rebuilt from its config.
 * @default the intents of the configs in $WIF_BRIDGE_CONFIG_DIR or ./config that load
 */
export function writeReviewReports(
  outdir: string,
  intents: ReadonlyMap<string, TrustIntent> = intentsFromConfigDir(configDir()),
): WrittenReport[] {
  const stacksDir = path.join(outdir, "stacks");
  const stacks = fs.existsSync(stacksDir)
    ? fs
        .readdirSync(stacksDir)
        .filter((name) => fs.existsSync(path.join(stacksDir, name, "cdk.tf.json")))
        .sort()
    : [];
  if (stacks.length === 0) {
    throw new Error(`no synthesized stack in ${stacksDir}; run \`npm run synth\` first`);
  }
  const reviewDir = path.join(outdir, "review");
  fs.mkdirSync(reviewDir, { recursive: true });
  return stacks.map((stack) => {
    const json = JSON.parse(fs.readFileSync(path.join(stacksDir, stack, "cdk.tf.json"), "utf8"));
    const report = trustChainReport(stack, json, intents.get(stack));
    const file = path.join(reviewDir, `${stack}.md`);
    fs.writeFileSync(file, report);
    const errors = /\*\*Rule pack:\*\* (\d+) error/.exec(report)?.[1];
    return { stack, file, errors: Number(errors ?? 0) };
  });
}

/** Writes the reports and prints one line per stack saying where its report is. */
export function printReviewReports(outdir: string): void {
  for (const r of writeReviewReports(outdir)) {
    const shown = path.relative(process.cwd(), r.file) || r.file;
    console.log(
      `Trust-chain review for ${r.stack}: ${shown}${r.errors ? ` (${r.errors} rule error(s))` : ""}`,
    );
  }
}

if (require.main === module) {
  try {
    printReviewReports(process.env.CDKTF_OUTDIR ?? path.join(process.cwd(), "cdktf.out"));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}

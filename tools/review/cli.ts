/**
 * `npm run review`: writes the trust-chain report of every synthesized stack to
 * <outdir>/review/<stack>.md (outdir: $CDKTF_OUTDIR or cdktf.out) and prints where.
 * Reads only the JSON, so it takes milliseconds; run `npm run synth` first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { trustChainReport } from "./trust-chain-report";

export interface WrittenReport {
  readonly stack: string;
  readonly file: string;
  readonly errors: number;
}

/** Writes one report per stack under `outdir/stacks`; returns them in stack order. */
export function writeReviewReports(outdir: string): WrittenReport[] {
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
    const report = trustChainReport(stack, json);
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

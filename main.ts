/**
 * The cdktf app: one stack per environment file in config/. `WIF_BRIDGE_ENV=dev,prod` selects
 * some; by default every file is synthesized. After synth it writes each stack's trust-chain
 * review (it reads only the JSON just written, in milliseconds) and prints where.
 * The output is all or nothing: everything is written to a staging directory that replaces
 * the outdir ($CDKTF_OUTDIR, which `cdktf synth/deploy` set, else cdktf.out) only when every
 * stack passed and its review is written; a refused run leaves the previous outdir untouched.
 * Run as `node --require ./tools/register-ts.cjs main.ts` (npm run synth and cdktf.json): one
 * process, no type-check (`npm run typecheck` is the type gate). Never bundled: cdktf's ARCHIVE
 * assets are zipped by re-running module files, which a bundle would turn into this app. Our
 * Lambda asset is a finished zip (a FILE asset, stacks/aws/bundled-function.ts), but the rule
 * stands for any ARCHIVE asset a contributor adds.
 */
import * as path from "node:path";
import { AnnotationMetadataEntryType, App } from "cdktf";
import type { IConstruct } from "constructs";
import { loadConfigDir } from "./stacks/config";
import { BridgeStack } from "./stacks/bridge-stack";
import { assertDistinctEnvironments } from "./stacks/environments";
import { writeReviewReports, type WrittenReport } from "./tools/review/cli";
import { writeOutdirAtomically } from "./tools/atomic-outdir";
import { trustIntentOf } from "./stacks/policies/trust-model/config-intent";

// WIF_BRIDGE_CONFIG_DIR points at another config directory (the offline end-to-end tests use it).
const configDir = process.env.WIF_BRIDGE_CONFIG_DIR
  ? path.resolve(process.env.WIF_BRIDGE_CONFIG_DIR)
  : path.join(__dirname, "config");
const selected = (process.env.WIF_BRIDGE_ENV ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);

/**
 * Under the cdktf CLI (CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS) synth does not throw on an
 * error annotation, it only records it; such a run has not passed, so its output is not used.
 */
function assertNoErrorAnnotations(app: IConstruct): void {
  const errors = app.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === AnnotationMetadataEntryType.ERROR)
        .map((m) => `[${c.node.path}] ${String(m.data)}`),
    );
  if (errors.length > 0) {
    throw new Error(
      `synth refused: ${errors.length} error annotation(s)\n  ${errors.join("\n  ")}`,
    );
  }
}

function main(): void {
  const configs = loadConfigDir(configDir);
  assertDistinctEnvironments(configs);
  const unknown = selected.filter((env) => !configs.some((c) => c.environment === env));
  if (unknown.length > 0) {
    throw new Error(
      `WIF_BRIDGE_ENV names ${unknown.join(", ")}, but config/ has only: ${configs.map((c) => c.environment).join(", ")}`,
    );
  }
  // App's own default, so `cdktf deploy` (which sets CDKTF_OUTDIR) finds what it expects.
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  let reports: WrittenReport[] = [];
  let staged = "";
  const result = writeOutdirAtomically(
    outdir,
    (staging) => {
      staged = staging;
      const app = new App({ outdir: staging });
      for (const config of configs) {
        if (selected.length === 0 || selected.includes(config.environment)) {
          new BridgeStack(app, config.environment, { config });
        }
      }
      app.synth();
      assertNoErrorAnnotations(app);
      reports = writeReviewReports(
        staging,
        new Map(configs.map((c) => [c.environment, trustIntentOf(c)])),
      );
    },
    // A subset run says nothing about the other environments: their previous output stays.
    // A run of every environment drops the output of one whose config is gone (not its state).
    { subset: selected.length > 0 },
  );
  for (const r of reports) {
    const file = path.join(result.outdir, path.relative(staged, r.file));
    const shown = path.relative(process.cwd(), file) || file;
    console.log(
      `Trust-chain review for ${r.stack}: ${shown}${r.errors ? ` (${r.errors} rule error(s))` : ""}`,
    );
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

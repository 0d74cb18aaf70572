/**
 * The Lambda bundle as synthesized (the asset's archive.zip) against a baseline written the
 * common way (@google-cloud/bigquery + google-auth-library root imports, `table.insert`),
 * bundled by the same esbuild call (stacks/aws/lambda-bundle's bundleCode) in a temp dir.
 * Init time: requiring index.js in a fresh node process with the function's environment.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { unzipSync, zipSync } from "fflate";
import { bundleCode } from "../stacks/aws/lambda-bundle";
import { measure, type Measured } from "./measure";
import { PROJECT_ROOT } from "./synth-variants";

const INIT_PROBE = path.join(__dirname, "init-probe.js");

export interface BundleFacts {
  readonly label: string;
  readonly dir: string;
  /** index.js + table-schema.json, uncompressed. */
  readonly bytes: number;
  /** As deployed: the asset's archive.zip (ours) or the same files zipped at level 9 (baseline). */
  readonly zippedBytes: number;
}

export interface BundleComparison {
  readonly ours: BundleFacts & { readonly init: Measured; readonly initRequireMs: number[] };
  readonly baseline: BundleFacts & { readonly init: Measured; readonly initRequireMs: number[] };
}

/** The single Lambda asset of a synth output dir, unzipped to a temp dir. */
export function synthesizedBundle(outdir: string): BundleFacts {
  const assets = path.join(outdir, "stacks", "example", "assets");
  const zips = fs
    .readdirSync(assets, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith("archive.zip"));
  if (zips.length !== 1) throw new Error(`expected one archive.zip under ${assets}, found ${zips}`);
  const zipPath = path.join(assets, zips[0]);
  const files = unzipSync(fs.readFileSync(zipPath));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bench-bundle-"));
  let bytes = 0;
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
    bytes += content.length;
  }
  if (!files["index.js"]) throw new Error(`${zipPath} has no index.js: ${Object.keys(files)}`);
  return { label: "ours (synthesized asset)", dir, bytes, zippedBytes: fs.statSync(zipPath).size };
}

const BASELINE_HANDLER = `
import { BigQuery } from "@google-cloud/bigquery";
import { GoogleAuth } from "google-auth-library";

const auth = new GoogleAuth({
  credentials: JSON.parse(process.env.GOOGLE_EXTERNAL_ACCOUNT_JSON!),
  projectId: process.env.GOOGLE_CLOUD_PROJECT,
  scopes: ["https://www.googleapis.com/auth/cloud-platform"],
});
const table = new BigQuery({ projectId: process.env.GOOGLE_CLOUD_PROJECT, authClient: auth })
  .dataset(process.env.BQ_DATASET_ID!)
  .table(process.env.BQ_TABLE_ID!);

export async function handler(event: { Records: { messageId: string; body: string }[] }) {
  const rows = event.Records.map((r) => ({ insertId: r.messageId, json: JSON.parse(r.body) }));
  await table.insert(rows, { raw: true });
  return { batchItemFailures: [] };
}
`;

/** The common-way handler, bundled like ours, next to the same table-schema.json. */
export function baselineBundle(tableSchemaJson: Uint8Array): BundleFacts {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bench-baseline-src-"));
  fs.writeFileSync(path.join(src, "handler.ts"), BASELINE_HANDLER);
  // Same tsconfig as ours (esbuild reads it), same node_modules.
  fs.copyFileSync(path.join(PROJECT_ROOT, "tsconfig.json"), path.join(src, "tsconfig.json"));
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(src, "node_modules"), "dir");
  const code = bundleCode(path.join(src, "handler.ts"), 22).code;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bench-baseline-"));
  const files = { "index.js": code, "table-schema.json": tableSchemaJson };
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, name), content);
  return {
    label: "baseline: @google-cloud/bigquery + google-auth-library",
    dir,
    bytes: code.length + tableSchemaJson.length,
    zippedBytes: zipSync(files, { level: 9, mtime: new Date(1980, 0, 1) }).length,
  };
}

/** The synthesized function's environment, plus what Lambda itself sets. */
export function lambdaEnvironment(outdir: string): Record<string, string> {
  const tf = JSON.parse(
    fs.readFileSync(path.join(outdir, "stacks", "example", "cdk.tf.json"), "utf8"),
  );
  const fns = Object.values(tf.resource?.aws_lambda_function ?? {}) as {
    environment?: { variables?: Record<string, string> };
  }[];
  if (fns.length !== 1) throw new Error(`expected one aws_lambda_function, found ${fns.length}`);
  return {
    ...fns[0].environment?.variables,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "ASIABENCHBENCHBENCH0",
    AWS_SECRET_ACCESS_KEY: "bench/secret/not/real",
    AWS_SESSION_TOKEN: "bench-session-token",
    AWS_LAMBDA_FUNCTION_NAME: "wif-bridge-example",
  };
}

export async function measureInit(
  bundle: BundleFacts,
  env: Record<string, string>,
  runs: number,
): Promise<BundleFacts & { init: Measured; initRequireMs: number[] }> {
  const init = await measure(
    {
      label: `init: ${bundle.label}`,
      argv: [process.execPath, INIT_PROBE, path.join(bundle.dir, "index.js")],
      cwd: bundle.dir,
      env,
    },
    runs,
    1,
  );
  const initRequireMs = init.samples.map(
    (s) => (JSON.parse(s.stdout) as { requireMs: number }).requireMs,
  );
  return { ...bundle, init, initRequireMs };
}

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { BridgeStack } from "../../stacks/bridge-stack";
import { loadConfigDir } from "../../stacks/config";
import { suppressRule } from "../../stacks/policies/suppressions";
import { trustChainReport } from "../../tools/review/trust-chain-report";
import { writeReviewReports } from "../../tools/review/cli";
import { exampleConfig, PROJECT_ROOT, type Json } from "../helpers/synth";

const configs = loadConfigDir(path.join(PROJECT_ROOT, "config"));

/** Synthesizes like main.ts (cdk.tf.json with its `//` comments) into a fresh outdir. */
function synthToOutdir(build: (app: App) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-review-"));
  const app = new App({ outdir });
  build(app);
  app.synth();
  return outdir;
}
const readStack = (outdir: string, stack: string): Json =>
  JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));

const outdir = synthToOutdir((app) => {
  for (const config of configs) new BridgeStack(app, config.environment, { config });
});

describe("npm run review", () => {
  const written = writeReviewReports(outdir);

  it("writes one report per synthesized environment", () => {
    expect(written.map((w) => path.relative(outdir, w.file))).toEqual(
      configs.map((c) => path.join("review", `${c.environment}.md`)).sort(),
    );
    expect(written.every((w) => w.errors === 0)).toBe(true);
  });

  it.each(configs.map((c) => [c.environment]))("holds the reviewed report for %s", (env) => {
    const report = fs.readFileSync(path.join(outdir, "review", `${env}.md`), "utf8");
    expect(report).toMatchSnapshot();
  });

  it("is deterministic and free of absolute paths and timestamps", () => {
    const again = trustChainReport("example", readStack(outdir, "example"));
    expect(again).toBe(fs.readFileSync(path.join(outdir, "review", "example.md"), "utf8"));
    expect(again).not.toContain(outdir);
    expect(again).not.toContain(PROJECT_ROOT);
    expect(again).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it("says an unknown outdir has no stacks and how to make them", () => {
    expect(() => writeReviewReports(path.join(outdir, "missing"))).toThrow(
      /no synthesized stack in .*missing[/\\]stacks; run `npm run synth` first/,
    );
  });
});

describe("the trust chain, read from the JSON", () => {
  const report = trustChainReport("example", readStack(outdir, "example"));

  it("walks account -> role -> Lambda -> pool/provider -> principal -> service account -> data", () => {
    const order = [
      "may deploy only to account(s) `111122223333`",
      "Runs as IAM role `wif-bridge-example-exec`",
      "### Pool `aws-lambda-example`",
      "AWS account pin (aws.account_id): `111122223333`",
      "The caller's role session belongs to exactly `arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec`",
      "Admits this stack's Lambda role `arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec`: yes",
      "every session of AWS role `arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec` (via pool `aws-lambda-example`) holds `roles/iam.workloadIdentityUser`",
      "| `roles/bigquery.dataEditor` | BigQuery dataset `wif_bridge_example`",
      "## 5. Findings",
    ];
    const positions = order.map((text) => report.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("shows findings and suppressions of the rule pack", () => {
    const dir = synthToOutdir((app) => {
      const stack = new BridgeStack(app, "example", {
        config: exampleConfig({ archive: undefined }),
      });
      stack.federation.provider.addOverride(
        "attribute_condition",
        "attribute.aws_role.contains('wif-bridge')",
      );
      suppressRule(stack.federation.provider, "WIF1", "temporary while roles are renamed (SEC-7)");
      stack.destination.dataset.addOverride("access", [
        { role: "READER", special_group: "allAuthenticatedUsers" },
      ]);
      suppressRule(stack.destination.dataset, "DATA1", "public sample dataset, approved in SEC-9");
    });
    const text = trustChainReport("example", readStack(dir, "example"));
    expect(text).toContain("0 error(s), 0 warning(s), 3 suppressed finding(s)");
    expect(text).toContain(
      "| WIF1 WorkloadIdentityConditionPinsRole | `google_iam_workload_identity_pool_provider.",
    );
    expect(text).toContain("temporary while roles are renamed (SEC-7)");
    expect(text).toContain("**anyone with a Google account** (allAuthenticatedUsers) | `READER`");
    expect(text).toContain(
      "Admits this stack's Lambda role `arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec`: **no**",
    );
  });
});

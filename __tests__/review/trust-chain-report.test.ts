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
function synthToOutdir(build: (app: App) => void, skipValidation = false): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-review-"));
  const app = new App({ outdir, skipValidation });
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
      "Admits this stack's Lambda `arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec/wif-bridge-example` (evaluated in CEL at synth): **yes**",
      "| this stack's Lambda | `arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec/wif-bridge-example` | 1 | 1 | admitted, reaches exactly its intended roles |",
      "| prefix look-alike role |",
      "every session of AWS role `arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec` (via pool `aws-lambda-example`) holds `roles/iam.workloadIdentityUser`",
      "| `roles/bigquery.dataEditor` | table `google_bigquery_table.",
      "## 6. Findings",
    ];
    const positions = order.map((text) => report.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("shows the result per adversarial identity class, from the evaluation", () => {
    const classes = [
      "prefix look-alike role",
      "suffix look-alike role",
      "case look-alike role",
      "same role, other account",
      "same role, other partition",
      "IAM user embedding assumed-role/ROLE/",
      "federated user embedding the role",
      "another role's session",
      "account root",
      "malformed or empty ARN",
    ];
    for (const cls of classes)
      expect(report).toMatch(
        new RegExp(`\\| ${cls.replace(/[/()]/g, ".")} \\|.*\\| 0 \\| 0 \\| all denied \\|`),
      );
    expect(report).toContain("32 AWS identities evaluated against the trust");
  });

  it("shows look-alikes let in and the Lambda locked out, with the findings", () => {
    const dir = synthToOutdir((app) => {
      const stack = new BridgeStack(app, "example", { config: exampleConfig() });
      stack.federation.provider.addOverride(
        "attribute_condition",
        "attribute.aws_role.contains('wif-bridge')",
      );
      const other = new BridgeStack(app, "locked", {
        config: exampleConfig({ environment: "locked" }),
      });
      other.federation.provider.addOverride(
        "attribute_condition",
        "attribute.aws_role == 'arn:aws:sts::111122223333:assumed-role/another-role'",
      );
    }, true);
    const open = trustChainReport("example", readStack(dir, "example"));
    expect(open).toMatch(
      /\| prefix look-alike role \|.*\| 10 \| 0 \| \*\*let in\*\* \(see TRUST2\) \|/,
    );
    expect(open).toMatch(
      /\| error \| TRUST2 AdversarialIdentitiesDenied \| `google_iam_workload_identity_pool_provider\./,
    );
    const locked = trustChainReport("locked", readStack(dir, "locked"));
    expect(locked).toContain("**no**, stopped at the condition: the attribute condition is false");
    expect(locked).toMatch(/\| this stack's Lambda \|.*\| \*\*locked out\*\* \(see TRUST1\) \|/);
    expect(locked).toMatch(
      /\| error \| TRUST1 LambdaIdentityAdmitted \|.*the deploy would lock the Lambda out/,
    );
  });

  it("shows findings and suppressions of the rule pack", () => {
    const dir = synthToOutdir((app) => {
      const stack = new BridgeStack(app, "example", {
        config: exampleConfig({ archive: undefined }),
      });
      stack.destination.dataset.addOverride("access", [
        { role: "READER", special_group: "allAuthenticatedUsers" },
      ]);
      suppressRule(stack.destination.dataset, "DATA1", "public sample dataset, approved in SEC-9");
      suppressRule(stack.destination.dataset, "TRUST4", "public sample dataset, approved in SEC-9");
    });
    const text = trustChainReport("example", readStack(dir, "example"));
    expect(text).toContain("0 error(s), 0 warning(s), 2 suppressed finding(s)");
    expect(text).toContain("| TRUST4 OnlyIntendedGrants | `google_bigquery_dataset.");
    expect(text).toContain("public sample dataset, approved in SEC-9");
    expect(text).toContain(
      "| **anyone with a Google account** (allAuthenticatedUsers) | `roles/bigquery.dataViewer` | dataset `google_bigquery_dataset.",
    );
    expect(text).toContain("(dataset access block) | **no** |");
  });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { BridgeStack } from "../../stacks/bridge-stack";
import { loadConfigDir } from "../../stacks/config";
import { suppressRule } from "../../stacks/policies/suppressions";
import { trustChainReport } from "../../tools/review/trust-chain-report";
import { writeReviewReports } from "../../tools/review/cli";
import { trustIntentOf } from "../../stacks/policies/trust-model/config-intent";
import { INTENT_COMMENT_KEY } from "../../stacks/policies/trust-model/intent";
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
    const example = configs.find((c) => c.environment === "example")!;
    const again = trustChainReport("example", readStack(outdir, "example"), trustIntentOf(example));
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

  it("names what invokes the Lambda by reference, not by a look-alike address", () => {
    expect(report).toContain("- Invoked by: ");
    const json = structuredClone(readStack(outdir, "example"));
    const [fnName] = Object.keys(json.resource.aws_lambda_function);
    for (const mapping of Object.values(json.resource.aws_lambda_event_source_mapping) as Json[]) {
      mapping.function_name = `\${aws_lambda_function.${fnName}2.arn}`;
    }
    expect(trustChainReport("example", json)).not.toContain("- Invoked by: ");
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
      "identity named in a mapping or condition",
    ];
    for (const cls of classes)
      expect(report).toMatch(
        new RegExp(`\\| ${cls.replace(/[/()]/g, ".")} \\|.*\\| 0 \\| 0 \\| all denied \\|`),
      );
    // 32 built in, and the role ARN the condition names tried as a caller of its own.
    expect(report).toContain("33 AWS identities evaluated against the trust");
  });

  it("reports an intent recorded in the JSON that differs from config's as an error", () => {
    const example = configs.find((c) => c.environment === "example")!;
    const json = readStack(outdir, "example");
    const recorded = json["//"][INTENT_COMMENT_KEY];
    // Edited after synth: a second role of the account recorded as a pipeline of its own.
    json["//"][INTENT_COMMENT_KEY] = {
      ...recorded,
      pipelines: [
        ...recorded.pipelines,
        { ...recorded.pipelines[0], name: "x", roleName: "admin" },
      ],
    };
    const report = trustChainReport("example", json, trustIntentOf(example));
    expect(report).toContain("**Intent:** rebuilt from the environment's config");
    expect(report).toMatch(
      /\| error \| TRUST8 TrustResolvableAtSynth \| `\/\/` \| the trust intent recorded in the stack's `\/\/` comment .* differs from the one config states \(pipelines\.1: config null, recorded /,
    );
    // Without config at hand, the report says which intent it judged against.
    expect(trustChainReport("example", json)).toContain(
      "**Intent:** as the JSON records it (no config for this stack at hand to check it against)",
    );
  });

  it("reports a recorded intent with no pipeline as unresolvable", () => {
    const json = readStack(outdir, "example");
    json["//"][INTENT_COMMENT_KEY] = { ...json["//"][INTENT_COMMENT_KEY], pipelines: [] };
    expect(trustChainReport("example", json)).toMatch(
      /\| error \| TRUST8 TrustResolvableAtSynth \| `\/\/` \| the trust intent lists no pipeline/,
    );
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

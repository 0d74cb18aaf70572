/**
 * The trust evaluation of several pipelines, on config/platform-example.json's JSON edited as a
 * careless change would: providers per account, lockouts per pipeline, the cross-pipeline
 * matrix, and how the review report shows it.
 */
import { StackJson } from "../../../stacks/policies/terraform-json";
import { evaluateTrust } from "../../../stacks/policies/trust-model/trust-evaluation";
import { trustModelOf } from "../../../stacks/policies/trust-model/trust-model";
import { trustChainReport } from "../../../tools/review/trust-chain-report";
import { platformConfig, sharedSynthJsonWithIntent, type Json } from "../../helpers/synth";

const platform = sharedSynthJsonWithIntent(platformConfig());
const PROVIDERS = "google_iam_workload_identity_pool_provider";
const named = (tf: Json, type: string, part: string): [string, Json] =>
  Object.entries(tf.resource[type]).find(([name]) => name.includes(part)) as [string, Json];

function evaluate(edit: (tf: Json) => void) {
  const tf = structuredClone(platform);
  edit(tf);
  const stack = new StackJson(tf);
  return { tf, evaluation: evaluateTrust(trustModelOf(stack), stack) };
}
const findings = (e: ReturnType<typeof evaluate>["evaluation"]) =>
  e.findings.map((f) => `${f.rule} ${f.address}`);

describe("the trust of several pipelines", () => {
  it("finds nothing in the stack as synthesized", () => {
    expect(evaluate(() => {}).evaluation.findings).toEqual([]);
  });

  it("refuses a second provider for an account that already has one", () => {
    const { evaluation } = evaluate((tf) => {
      const [, further] = named(tf, PROVIDERS, "444455556666");
      tf.resource[PROVIDERS].again = { ...further, workload_identity_pool_provider_id: "again" };
    });
    // The two are alike; whichever comes second in the JSON is named.
    const trust6 = evaluation.findings.filter((f) => f.rule === "TRUST6");
    expect(trust6).toHaveLength(1);
    expect(trust6[0].reason).toMatch(/is a second AWS provider for account 444455556666/);
  });

  it("refuses a provider pinned to an account no pipeline runs in", () => {
    const { evaluation } = evaluate((tf) => {
      named(tf, PROVIDERS, "444455556666")[1].aws.account_id = "999988887777";
    });
    expect(evaluation.findings.map((f) => f.reason).join("\n")).toMatch(
      /pins AWS account 999988887777, but the stack trusts only 111122223333, 444455556666/,
    );
  });

  it("finds the further account's pipelines locked out when their provider is gone, and only them", () => {
    const { evaluation } = evaluate((tf) => {
      delete tf.resource[PROVIDERS][named(tf, PROVIDERS, "444455556666")[0]];
    });
    const lockouts = evaluation.findings.filter((f) => f.rule === "TRUST1").map((f) => f.reason);
    expect(lockouts).toEqual([
      expect.stringMatching(
        /no AWS pool provider pins account 444455556666, so pipeline payments's Lambda/,
      ),
      expect.stringMatching(
        /no AWS pool provider pins account 444455556666, so pipeline audit's Lambda/,
      ),
    ]);
  });

  it("fills the matrix cell of the pair a cross grant joins, and no other", () => {
    const { evaluation } = evaluate((tf) => {
      const [, audit] = named(tf, "google_bigquery_table_iam_member", "audit");
      const [, orders] = named(tf, "google_bigquery_table_iam_member", "orders");
      tf.resource.google_bigquery_table_iam_member.cross = { ...orders, member: audit.member };
    });
    const filled = evaluation.matrix.filter((c) => c.reaches.length > 0);
    expect(filled.map((c) => [c.from, c.to, c.what])).toEqual([["audit", "orders", "table"]]);
    expect(findings(evaluation)).toEqual(
      expect.arrayContaining([
        "TRUST4 google_bigquery_table_iam_member.cross",
        "TRUST9 google_bigquery_table_iam_member.cross",
      ]),
    );
  });

  it("shows the matrix in the review report, the reaching cell with its grant", () => {
    const tf = structuredClone(platform);
    const [, audit] = named(tf, "google_bigquery_table_iam_member", "audit");
    const [, orders] = named(tf, "google_bigquery_table_iam_member", "orders");
    tf.resource.google_bigquery_table_iam_member.cross = { ...orders, member: audit.member };
    const report = trustChainReport("platform-example", tf);
    const row = report.split("\n").find((l) => l.startsWith("| `audit` ("))!;
    expect(row).toMatch(/\*\*reaches table\*\*: `google_bigquery_table_iam_member\.cross`/);
    expect(report).toMatch(/\*\*Some cross cells reach data \(see TRUST9\)\.\*\*/);
    const clean = trustChainReport("platform-example", platform);
    expect(clean).toMatch(/None of the 6 cross cells reaches anything\./);
  });
});

/**
 * The trust model reads every way the JSON can say a thing, by meaning: the same grant written
 * as a member, a binding, a jsonencoded policy or a legacy dataset access entry is the same
 * grant; what cannot be read at synth is unresolvable, never a pass.
 */
import { Testing } from "cdktf";
import { buildStack, exampleConfig, type Json } from "../../helpers/synth";
import { StackJson } from "../../../stacks/policies/terraform-json";
import { trustEvaluationOf } from "../../../stacks/policies/trust-model/trust-evaluation";
import { evaluateRulePack } from "../../../stacks/policies/pack";
import {
  parseHclLiteral,
  UnresolvableValue,
} from "../../../stacks/policies/trust-model/terraform-values";

const example = JSON.parse(Testing.synth(buildStack(exampleConfig())));
const ACCOUNT = "111122223333";
const first = (tf: Json, type: string): Json => Object.values(tf.resource[type])[0];
const nameOf = (tf: Json, type: string) => Object.keys(tf.resource[type])[0];
const tf0 = example;
const SA = (tf: Json) => `\${google_service_account.${nameOf(tf, "google_service_account")}.email}`;

function evaluate(edit: (tf: Json) => void) {
  const tf = structuredClone(example);
  edit(tf);
  return trustEvaluationOf(new StackJson(tf));
}
const rules = (e: ReturnType<typeof evaluate>) => e.findings.map((f) => f.rule);

describe("jsonencode, as cdktf writes Fn.jsonencode", () => {
  it("reads literal HCL objects, tuples and strings, keeping ${} references as text", () => {
    expect(
      parseHclLiteral(
        '{"bindings" = [{"role" = "roles/x", "members" = ["serviceAccount:${google_service_account.sa.email}"]}], n = 1, ok = true}',
        "policy_data",
      ),
    ).toEqual({
      bindings: [
        { role: "roles/x", members: ["serviceAccount:${google_service_account.sa.email}"] },
      ],
      n: 1,
      ok: true,
    });
  });

  it.each(["local.bindings", '{"a" = var.x}', '{"a" = upper("x")}', '["a" + "b"]'])(
    "refuses %s as unresolvable",
    (expression) => {
      expect(() => parseHclLiteral(expression, "policy_data")).toThrow(UnresolvableValue);
    },
  );
});

describe("the trust model of the example stack", () => {
  it("holds the three intended grants and nothing else", () => {
    const e = evaluate(() => {});
    expect(e.findings).toEqual([]);
    expect(e.intendedGrants.map((g) => `${g.role} ${g.scope}`)).toEqual([
      "roles/bigquery.dataEditor table",
      "roles/iam.workloadIdentityUser service account",
      "roles/storage.objectCreator bucket",
    ]);
  });

  it("refuses a legacy WRITER dataset access entry, even for the service account: the table is the grant's scope", () => {
    const e = evaluate((tf) => {
      first(tf, "google_bigquery_dataset").access = [{ role: "WRITER", user_by_email: SA(tf) }];
    });
    expect(e.findings.map((f) => `${f.rule} ${f.address}`)).toEqual([
      `TRUST4 google_bigquery_dataset.${nameOf(tf0, "google_bigquery_dataset")}`,
    ]);
    expect(e.findings[0].reason).toMatch(/roles\/bigquery\.dataEditor on dataset/);
  });

  it("reads the intended table grant written as a table IAM binding", () => {
    const e = evaluate((tf) => {
      const member = first(tf, "google_bigquery_table_iam_member");
      delete tf.resource.google_bigquery_table_iam_member;
      tf.resource.google_bigquery_table_iam_binding = {
        b: { ...member, members: [member.member], member: undefined },
      };
    });
    expect(e.findings).toEqual([]);
  });

  it("reads the intended grant written as a jsonencoded service-account policy", () => {
    const e = evaluate((tf) => {
      const member = first(tf, "google_service_account_iam_member");
      delete tf.resource.google_service_account_iam_member;
      tf.resource.google_service_account_iam_policy = {
        p: {
          service_account_id: member.service_account_id,
          policy_data: `\${jsonencode({"bindings" = [{"role" = "roles/iam.workloadIdentityUser", "members" = ["${member.member}"]}]})}`,
        },
      };
    });
    expect(e.findings).toEqual([]);
  });

  it("follows a literal pool name to the stack's pool and judges a pool-wide member by meaning", () => {
    const e = evaluate((tf) => {
      first(tf, "google_service_account_iam_member").member =
        "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-lambda-example/*";
    });
    expect(e.findings.map((f) => f.rule)).toContain("TRUST3");
    expect(e.findings.map((f) => f.reason).join("\n")).toMatch(
      /workloadIdentityPools\/aws-lambda-example\/\*/,
    );
  });

  it("finds the Lambda locked out when the only grant to it is removed", () => {
    const e = evaluate((tf) => delete tf.resource.google_service_account_iam_member);
    expect(e.findings.map((f) => f.reason).join("\n")).toMatch(
      /is admitted but does not reach roles\/iam\.workloadIdentityUser on service account .*: the deploy would lock the Lambda out/,
    );
  });

  it("refuses a member that is a reference the model cannot follow", () => {
    const e = evaluate((tf) => {
      first(tf, "google_bigquery_table_iam_member").member = "${var.writer}";
    });
    expect(rules(e)).toContain("TRUST8");
  });

  it("lets a grant through a custom role with getAccessToken act as the service account", () => {
    const e = evaluate((tf) => {
      tf.resource.google_project_iam_custom_role = {
        tok: { role_id: "tokens", title: "t", permissions: ["iam.serviceAccounts.getAccessToken"] },
      };
      tf.resource.google_service_account_iam_member.extra = {
        service_account_id: first(tf, "google_service_account_iam_member").service_account_id,
        role: "${google_project_iam_custom_role.tok.id}",
        member: `principalSet://iam.googleapis.com/\${google_iam_workload_identity_pool.${nameOf(tf, "google_iam_workload_identity_pool")}.name}/attribute.aws_account/${ACCOUNT}`,
      };
      first(tf, "google_iam_workload_identity_pool_provider").attribute_condition =
        `attribute.aws_account == '${ACCOUNT}'`;
    });
    const reasons = e.findings.map((f) => `${f.rule} ${f.address} ${f.reason}`).join("\n");
    expect(reasons).toMatch(
      /TRUST3 google_service_account_iam_member\.extra grants tokens \(custom: iam\.serviceAccounts\.getAccessToken\)/,
    );
    expect(reasons).toMatch(/TRUST2 google_bigquery_table_iam_member\.\S+ admits or grants to/);
  });
});

describe("the Lambda role's trust policy", () => {
  const trust = (tf: Json, statement: Json) => {
    first(tf, "aws_iam_role").assume_role_policy = JSON.stringify({ Statement: [statement] });
  };
  const lambdaStatement = (condition: Json) => ({
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: condition,
  });

  it("accepts aws:SourceArn of this stack's function", () => {
    const e = evaluate((tf) =>
      trust(
        tf,
        lambdaStatement({
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnEquals: {
            "aws:SourceArn": `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:wif-bridge-example`,
          },
        }),
      ),
    );
    expect(e.findings).toEqual([]);
  });

  it("refuses aws:SourceArn of another function, a wildcard, or a missing SourceAccount", () => {
    for (const condition of [
      {
        StringEquals: {
          "aws:SourceAccount": ACCOUNT,
          "aws:SourceArn": `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:other`,
        },
      },
      {
        StringEquals: { "aws:SourceAccount": ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:*` },
      },
      { StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } },
      {},
    ]) {
      const e = evaluate((tf) => trust(tf, lambdaStatement(condition)));
      expect({ condition, rules: rules(e) }).toEqual({
        condition,
        rules: expect.arrayContaining(["TRUST7"]),
      });
    }
  });

  it("reads a data.aws_iam_policy_document trust policy", () => {
    const e = evaluate((tf) => {
      tf.data = {
        aws_iam_policy_document: {
          trust: {
            statement: [
              {
                actions: ["sts:AssumeRole"],
                principals: [
                  { type: "Service", identifiers: ["lambda.amazonaws.com", "ec2.amazonaws.com"] },
                ],
                condition: [
                  { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
                ],
              },
            ],
          },
        },
      };
      first(tf, "aws_iam_role").assume_role_policy = "${data.aws_iam_policy_document.trust.json}";
    });
    expect(e.findings.map((f) => f.reason).join("\n")).toMatch(
      /admits Service principal "ec2\.amazonaws\.com"/,
    );
  });
});

describe("partitions", () => {
  // Config refuses partitions Google does not document (docs/aws-partitions.md); the model
  // must judge whatever JSON it is given, so the provider is moved in the JSON.
  const gov = JSON.parse(Testing.synth(buildStack(exampleConfig())));
  gov.provider.aws[0].region = "us-gov-west-1";
  const toGov = (tf: Json) => {
    const provider = first(tf, "google_iam_workload_identity_pool_provider");
    provider.attribute_condition = provider.attribute_condition.replace(
      "arn:aws:",
      "arn:aws-us-gov:",
    );
    const member = first(tf, "google_service_account_iam_member");
    member.member = member.member.replace("/arn:aws:", "/arn:aws-us-gov:");
  };

  it("locks the Lambda out when a GovCloud stack's condition and grant say arn:aws:", () => {
    const e = trustEvaluationOf(new StackJson(structuredClone(gov)));
    expect(e.findings.map((f) => f.reason).join("\n")).toMatch(
      /refuses this stack's Lambda arn:aws-us-gov:sts::111122223333:assumed-role\/wif-bridge-example-exec\/wif-bridge-example at the condition/,
    );
  });

  it("passes every rule when the condition and the grant name the GovCloud partition", () => {
    const tf = structuredClone(gov);
    toGov(tf);
    expect(evaluateRulePack(tf).findings).toEqual([]);
  });
});

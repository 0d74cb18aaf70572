/**
 * The bypasses a security review found (S4 mapping, S5 unread blocks, S6 deploy account, S8
 * intent), closed by meaning: an AWS provider's mapping is the bridge's or Google's default
 * however it is spelled, every identity the CEL names is tried, what the model does not read is
 * unresolvable, each pipeline's role deploys to its own account, and the intent judged is
 * config's. Each `it` is one spec; the end-to-end refusals are in attacks/.
 */
import {
  exampleConfig,
  platformConfig,
  sharedSynthJsonWithIntent,
  type Json,
} from "../../helpers/synth";
import { StackJson } from "../../../stacks/policies/terraform-json";
import { trustEvaluationOf } from "../../../stacks/policies/trust-model/trust-evaluation";
import { judgeAgainstIntent } from "../../../stacks/policies/trust-model/trust-model";
import { mappingDeviation } from "../../../stacks/policies/trust-model/provider-mapping";
import { namedIdentities } from "../../../stacks/policies/trust-model/adversarial-identities";
import { canonicalCel, celStringConstants } from "../../../stacks/policies/trust-model/cel";
import { trustIntentOf } from "../../../stacks/policies/trust-model/config-intent";
import { INTENT_COMMENT_KEY } from "../../../stacks/policies/trust-model/intent";
import {
  awsAttributeMapping,
  GOOGLE_DEFAULT_AWS_MAPPING,
} from "../../../stacks/federation/attribute-mapping";

const ACCOUNT = "111122223333";
const ROLE = "wif-bridge-example-exec";
const PINNED = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}`;
const example: Json = sharedSynthJsonWithIntent(exampleConfig());
const platform: Json = sharedSynthJsonWithIntent(platformConfig());
const LAMBDA = {
  partition: "aws" as const,
  accountId: ACCOUNT,
  roleName: ROLE,
  functionName: "wif-bridge-example",
};
const DEFAULT_ROLE = GOOGLE_DEFAULT_AWS_MAPPING["attribute.aws_role"];

const named = (resource: Json, prefix: string): [string, Json] =>
  Object.entries(resource).find(([name]) => name.startsWith(prefix)) as [string, Json];

function evaluate(base: Json, edit: (tf: Json) => void) {
  const tf = structuredClone(base);
  edit(tf);
  return trustEvaluationOf(new StackJson(tf));
}
const findingsOf = (e: ReturnType<typeof evaluate>, rule: string) =>
  e.findings.filter((f) => f.rule === rule);
const provider = (tf: Json) =>
  named(tf.resource.google_iam_workload_identity_pool_provider, "federation_aws-provider")[1];

describe("an AWS provider's attribute mapping (S4)", () => {
  it("accepts the bridge's mapping and Google's default", () => {
    expect(mappingDeviation(awsAttributeMapping())).toBeUndefined();
    expect(mappingDeviation(GOOGLE_DEFAULT_AWS_MAPPING)).toBeUndefined();
  });

  it("accepts the same mapping spelled with other whitespace, quotes, parentheses and comments", () => {
    const respelled = {
      ...awsAttributeMapping(),
      "google.subject": "  ( assertion . arn ) // the session ARN\n",
      "attribute.aws_role": DEFAULT_ROLE.replace(/'/g, '"').replace(" ? ", " ?\n  // role\n  "),
    };
    expect(mappingDeviation(respelled)).toBeUndefined();
  });

  it("refuses an aws_role mapping that turns a named caller into the role", () => {
    const steered = `assertion.arn == 'arn:aws:iam::${ACCOUNT}:user/bob' ? '${PINNED}' : (${DEFAULT_ROLE})`;
    expect(mappingDeviation({ ...awsAttributeMapping(), "attribute.aws_role": steered })).toMatch(
      /its attribute\.aws_role is .*user\/bob/,
    );
  });

  it("refuses an extra attribute, a missing one and one that does not parse", () => {
    expect(mappingDeviation({ ...awsAttributeMapping(), "attribute.x": "assertion.arn" })).toMatch(
      /it sets attribute\.x/,
    );
    const without: Record<string, string> = awsAttributeMapping();
    delete without["attribute.aws_role"];
    expect(mappingDeviation(without)).toMatch(/it does not set attribute\.aws_role/);
    expect(
      mappingDeviation({ ...awsAttributeMapping(), "google.subject": "assertion.arn +" }),
    ).toMatch(/is not valid CEL/);
  });

  it("refuses an equivalent-looking reordering (the meaning is compared as parsed, not guessed)", () => {
    const swapped = `!assertion.arn.contains('assumed-role') ? assertion.arn : assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/')`;
    expect(
      mappingDeviation({ ...awsAttributeMapping(), "attribute.aws_role": swapped }),
    ).toBeDefined();
  });

  it("makes a rewritten mapping in the stack an unsuppressible TRUST6 finding", () => {
    const e = evaluate(example, (tf) => {
      provider(tf).attribute_mapping["attribute.aws_role"] =
        `assertion.userid == 'AIDAEXAMPLEBOBUSER01' ? '${PINNED}' : (${DEFAULT_ROLE})`;
    });
    expect(findingsOf(e, "TRUST6").map((f) => f.reason)).toEqual([
      expect.stringMatching(/attribute mapping is neither/),
    ]);
    expect(findingsOf(e, "TRUST2")[0].reason).toMatch(/unique id AIDAEXAMPLEBOBUSER01/);
  });

  it.each([
    ["an IAM user, concatenated", `assertion.arn in ["arn:aws:iam::${ACCOUNT}:user/" + 'bob']`],
    ["a federated user", `assertion.arn == 'arn:aws:sts::${ACCOUNT}:federated-user/eve'`],
    ["a unique id", `assertion.userid == 'AIDAEXAMPLEBOBUSER01'`],
  ])(
    "refuses a condition that also admits %s (the named caller, tried, is let in)",
    (_w, extra) => {
      const e = evaluate(example, (tf) => {
        provider(tf).attribute_condition = `attribute.aws_role == '${PINNED}' || ${extra} // also`;
      });
      expect(findingsOf(e, "TRUST2")[0].reason).toMatch(/identity named in a mapping or condition/);
    },
  );

  it("keeps the example and platform stacks free of mapping findings", () => {
    expect(trustEvaluationOf(new StackJson(structuredClone(example))).findings).toEqual([]);
    expect(trustEvaluationOf(new StackJson(structuredClone(platform))).findings).toEqual([]);
  });
});

describe("the named-identity sweep (S4)", () => {
  const arns = (texts: string[]) => namedIdentities(LAMBDA, texts).map((a) => a.caller.arn);

  it("tries every IAM or STS ARN the CEL names, a user's included", () => {
    expect(arns([`assertion.arn == 'arn:aws:iam::${ACCOUNT}:user/path/bob'`])).toContain(
      `arn:aws:iam::${ACCOUNT}:user/path/bob`,
    );
    expect(
      arns([`assertion.arn == 'arn:aws-us-gov:sts::${ACCOUNT}:federated-user/eve'`]),
    ).toContain(`arn:aws-us-gov:sts::${ACCOUNT}:federated-user/eve`);
  });

  it("reads the ARN however the CEL spells it: concatenated, escaped, raw, double-quoted", () => {
    expect(
      arns([`assertion.arn == "arn:aws:iam::${ACCOUNT}:" + r'user/' + '\\x62ob' // x`]),
    ).toContain(`arn:aws:iam::${ACCOUNT}:user/bob`);
    expect(celStringConstants("'a' + 'b' + c")).toEqual(expect.arrayContaining(["ab", "a", "b"]));
  });

  it("tries every unique id the CEL names as a caller's userid", () => {
    const ids = namedIdentities(LAMBDA, [`assertion.userid == 'AIDAEXAMPLEBOBUSER01'`]);
    expect(ids.map((a) => a.caller.userid)).toContain("AIDAEXAMPLEBOBUSER01");
    expect(ids.every((a) => a.class === "identity named in a mapping or condition")).toBe(true);
  });

  it("ignores an ARN of a partition no AWS caller comes from", () => {
    expect(arns([`'arn:bogus:iam::${ACCOUNT}:user/bob'`])).toEqual([]);
  });

  it("compares CEL ignoring only syntax", () => {
    expect(canonicalCel("a == 'x'")).toBe(canonicalCel('(a == "x") // c'));
    expect(canonicalCel("a == 'x'")).not.toBe(canonicalCel("'x' == a"));
  });
});

describe("content the model does not read is unresolvable (S5)", () => {
  const trust8 = (base: Json, edit: (tf: Json) => void) =>
    findingsOf(evaluate(base, edit), "TRUST8").map((f) => `${f.address}: ${f.reason}`);

  it('refuses a dynamic "access" block on the dataset', () => {
    expect(
      trust8(example, (tf) => {
        const [, dataset] = named(tf.resource.google_bigquery_dataset, "");
        dataset.dynamic = { access: { for_each: ["x"], content: { role: "OWNER" } } };
      }),
    ).toEqual([
      expect.stringMatching(/google_bigquery_dataset\..*dynamic block \(dynamic "access"\)/),
    ]);
  });

  it("refuses a dynamic block nested inside a block", () => {
    expect(
      trust8(example, (tf) => {
        tf.data = {
          google_iam_policy: {
            p: { binding: [{ role: "roles/viewer", dynamic: { condition: { for_each: [] } } }] },
          },
        };
      }),
    ).toEqual([
      expect.stringMatching(/data\.google_iam_policy\.p: .*binding\.dynamic "condition"/),
    ]);
  });

  it.each(["source_policy_documents", "override_policy_documents", "source_json", "override_json"])(
    "refuses a policy document that merges %s",
    (key) => {
      expect(
        trust8(example, (tf) => {
          tf.data = { aws_iam_policy_document: { d: { statement: [], [key]: ["{}"] } } };
        }),
      ).toEqual([
        expect.stringMatching(new RegExp(`data\\.aws_iam_policy_document\\.d: sets ${key}`)),
      ]);
    },
  );

  it("refuses a block given as an expression", () => {
    expect(
      trust8(example, (tf) => {
        tf.data = { google_iam_policy: { p: { binding: "${local.bindings}" } } };
      }),
    ).toEqual([expect.stringMatching(/data\.google_iam_policy\.p: its binding is not a block/)]);
  });
});

describe("each pipeline's role and function deploy to its own account (S6)", () => {
  const trust7 = (edit: (tf: Json) => void) =>
    findingsOf(evaluate(platform, edit), "TRUST7").map((f) => `${f.address}: ${f.reason}`);
  const role = (tf: Json, name: string) => named(tf.resource.aws_iam_role, `pipeline-${name}_`)[1];

  it("holds for the platform stack as synthesized", () => {
    expect(trust7(() => {})).toEqual([]);
  });

  it("refuses a role that lost its account's provider", () => {
    expect(
      trust7((tf) => {
        delete role(tf, "payments").provider;
      }),
    ).toEqual([
      expect.stringMatching(
        /aws_iam_role\.pipeline-payments_.*: it deploys with the default AWS provider, whose allowed_account_ids is \["111122223333"\], not exactly \["444455556666"\]/,
      ),
    ]);
  });

  it.each([
    ["an alias in another case", "aws.Account_444455556666"],
    ["an interpolation", "${aws.account_444455556666}"],
    ["surrounding space", " aws.account_444455556666"],
    ["another provider type", "google"],
  ])("refuses a provider spelled with %s", (_what, spelled) => {
    expect(
      trust7((tf) => {
        role(tf, "payments").provider = spelled;
      }),
    ).toHaveLength(1);
  });

  it("refuses a provider whose allowed_account_ids is widened or defined twice", () => {
    expect(
      trust7((tf) => {
        tf.provider.aws[1].allowed_account_ids = ["444455556666", "111122223333"];
      }).length,
    ).toBeGreaterThan(0);
    expect(
      trust7((tf) => {
        tf.provider.aws.push({ ...tf.provider.aws[1] });
      }).some((r) => /defined 2 times/.test(r)),
    ).toBe(true);
  });
});

describe("the intent judged is config's (S8)", () => {
  it("judges against the given intent and reports a record that differs", () => {
    const tf = structuredClone(example);
    const intent = trustIntentOf(exampleConfig());
    tf["//"][INTENT_COMMENT_KEY] = {
      ...intent,
      pipelines: [{ ...intent.pipelines[0], roleName: "wif-bridge-example-admin" }],
    };
    const e = trustEvaluationOf(judgeAgainstIntent(new StackJson(tf), intent));
    expect(e.pipelines[0].pipeline.intent.roleName).toBe(ROLE);
    expect(findingsOf(e, "TRUST8").map((f) => f.reason)).toEqual([
      expect.stringMatching(/differs from the one config states \(pipelines\.0\.roleName: config/),
    ]);
  });

  it("reports a record removed after synth", () => {
    const tf = structuredClone(example);
    delete tf["//"][INTENT_COMMENT_KEY];
    const e = trustEvaluationOf(
      judgeAgainstIntent(new StackJson(tf), trustIntentOf(exampleConfig())),
    );
    expect(findingsOf(e, "TRUST8").map((f) => f.reason)).toEqual([
      expect.stringMatching(/records no trust intent/),
    ]);
  });

  it("makes an intent without pipelines unresolvable, never a pass", () => {
    const e = evaluate(example, (tf) => {
      tf["//"][INTENT_COMMENT_KEY].pipelines = [];
    });
    expect(findingsOf(e, "TRUST8").map((f) => f.reason)).toContainEqual(
      expect.stringMatching(/lists no pipeline/),
    );
  });
});

import { Testing } from "cdktf";
import {
  buildStack,
  exampleConfig,
  platformConfig,
  sharedSynthJsonWithIntent,
  type Json,
} from "../helpers/synth";
import { evaluateRulePack, SECURITY_RULES } from "../../stacks/policies/pack";
import { assumedRoleArn } from "../../stacks/federation/attribute-mapping";

const example = JSON.parse(Testing.synth(buildStack(exampleConfig())));
/** Three pipelines in two AWS accounts (config/platform-example.json). */
const platform = sharedSynthJsonWithIntent(platformConfig());
const ACCOUNT = "111122223333";

/** The first resource of a type in `tf` (the test fixture has one of each). */
function first(tf: Json, type: string): Json {
  return Object.values(tf.resource[type])[0];
}
function add(tf: Json, type: string, name: string, config: Json): void {
  tf.resource[type] = { ...(tf.resource[type] ?? {}), [name]: config };
}
const LOG_POLICY = "write-own-logs";
function logPolicyAddress(tf: Json): string {
  const [name] = Object.entries(tf.resource.aws_iam_role_policy).find(
    ([, p]) => (p as Json).name === LOG_POLICY,
  )!;
  return `aws_iam_role_policy.${name}`;
}
function editPolicy(tf: Json, edit: (statement: Json) => void): void {
  const policy = tf.resource.aws_iam_role_policy[logPolicyAddress(tf).split(".")[1]];
  const doc = JSON.parse(policy.policy);
  edit(doc.Statement[0]);
  policy.policy = JSON.stringify(doc);
}
const encryptedQueues = (tf: Json) => {
  add(tf, "aws_sqs_queue", "dlq", { name: "ingest-dlq", sqs_managed_sse_enabled: true });
  add(tf, "aws_sqs_queue", "main", {
    name: "ingest",
    kms_master_key_id: "alias/aws/sqs",
    redrive_policy: JSON.stringify({
      deadLetterTargetArn: "${aws_sqs_queue.dlq.arn}",
      maxReceiveCount: 5,
    }),
  });
};

interface RuleCase {
  /** Makes the example stack compliant for this rule (when it is not already, e.g. no queue). */
  compliant?: (tf: Json) => void;
  /** The stack the case edits. @default the example stack (one pipeline) */
  fixture?: Json;
  nonCompliant: (tf: Json) => void;
  /** Address whose suppression silences the finding. */
  offender: (tf: Json) => string;
  message: RegExp;
}

const firstAddress = (type: string) => (tf: Json) => `${type}.${Object.keys(tf.resource[type])[0]}`;

const PROVIDER = "google_iam_workload_identity_pool_provider";

const cases: Record<string, RuleCase> = {
  TRUST1: {
    nonCompliant: (tf) => {
      first(tf, PROVIDER).attribute_condition =
        `attribute.aws_role == '${assumedRoleArn("aws", ACCOUNT, "another-role")}'`;
    },
    offender: firstAddress(PROVIDER),
    message:
      /refuses this stack's Lambda .* at the condition .*: the deploy would lock the Lambda out/,
  },
  TRUST2: {
    nonCompliant: (tf) => {
      first(tf, PROVIDER).attribute_condition = `attribute.aws_account == '${ACCOUNT}'`;
    },
    offender: firstAddress(PROVIDER),
    message:
      /admits or grants to \d+ of the \d+ adversarial identities, e\.g\. prefix look-alike role/,
  },
  TRUST3: {
    nonCompliant: (tf) =>
      add(tf, "google_service_account_iam_member", "domain", {
        service_account_id: first(tf, "google_service_account_iam_member").service_account_id,
        role: "roles/iam.serviceAccountTokenCreator",
        member: "domain:example.com",
      }),
    offender: () => "google_service_account_iam_member.domain",
    message:
      /grants roles\/iam\.serviceAccountTokenCreator on service account .* to domain:example\.com: a grant on the identity/,
  },
  TRUST4: {
    nonCompliant: (tf) =>
      add(tf, "google_bigquery_table_iam_member", "analyst", {
        dataset_id: "wif_bridge_example",
        table_id: "events",
        role: "roles/bigquery.dataViewer",
        member: "user:analyst@example.com",
      }),
    offender: () => "google_bigquery_table_iam_member.analyst",
    message:
      /grants roles\/bigquery\.dataViewer on table .* to user:analyst@example\.com, which the config does not intend/,
  },
  TRUST5: {
    nonCompliant: (tf) =>
      add(tf, "google_storage_hmac_key", "archive", {
        service_account_email: "${google_service_account.identity_service-account_97448892.email}",
      }),
    offender: () => "google_storage_hmac_key.archive",
    message: /creates a Cloud Storage HMAC key/,
  },
  TRUST6: {
    nonCompliant: (tf) =>
      add(tf, PROVIDER, "oidc", {
        workload_identity_pool_id: first(tf, PROVIDER).workload_identity_pool_id,
        workload_identity_pool_provider_id: "oidc",
        attribute_mapping: {
          "google.subject": "assertion.sub",
          "attribute.aws_role": "assertion.role",
        },
        oidc: { issuer_uri: "https://token.example.com" },
      }),
    offender: () => `${PROVIDER}.oidc`,
    message: /is an oidc provider trusting issuer https:\/\/token\.example\.com with no condition/,
  },
  TRUST7: {
    nonCompliant: (tf) => {
      const role = first(tf, "aws_iam_role");
      const doc = JSON.parse(role.assume_role_policy);
      doc.Statement[0].Principal = { AWS: "*" };
      role.assume_role_policy = JSON.stringify(doc);
    },
    offender: firstAddress("aws_iam_role"),
    message: /trust policy statement admits AWS principal "\*"/,
  },
  TRUST8: {
    nonCompliant: (tf) =>
      add(tf, "google_service_account_iam_policy", "computed", {
        service_account_id: first(tf, "google_service_account_iam_member").service_account_id,
        policy_data: "${jsonencode(local.bindings)}",
      }),
    offender: () => "google_service_account_iam_policy.computed",
    message: /jsonencode\(\) of an expression the model cannot read at synth/,
  },
  WIF1: {
    nonCompliant: (tf) => {
      first(tf, "google_iam_workload_identity_pool_provider").attribute_condition =
        `attribute.aws_role.startsWith('${assumedRoleArn("aws", ACCOUNT, "wif-bridge-")}')`;
    },
    offender: firstAddress("google_iam_workload_identity_pool_provider"),
    message: /tests the role with startsWith\(\).*begins that way/,
  },
  WIF2: {
    nonCompliant: (tf) => {
      first(tf, "google_iam_workload_identity_pool_provider").aws = { account_id: "*" };
    },
    offender: firstAddress("google_iam_workload_identity_pool_provider"),
    message: /aws\.account_id is "\*", not a 12-digit AWS account id/,
  },
  WIF3: {
    nonCompliant: (tf) => {
      const binding = first(tf, "google_service_account_iam_member");
      binding.member = binding.member.replace(/\/attribute\.aws_role\/.*$/, "/*");
    },
    offender: firstAddress("google_service_account_iam_member"),
    message: /roles\/iam\.workloadIdentityUser grants to every identity of the pool/,
  },
  IAM1: {
    nonCompliant: (tf) =>
      add(tf, "google_service_account_key", "leak", {
        service_account_id: "${google_service_account.identity_service-account_97448892.name}",
      }),
    offender: () => "google_service_account_key.leak",
    message: /creates a key for .*stored in Terraform state/,
  },
  IAM2: {
    nonCompliant: (tf) =>
      add(tf, "google_project_iam_member", "ops", {
        project: "wif-bridge-example",
        role: "roles/editor",
        member: "group:ops@example.com",
      }),
    offender: () => "google_project_iam_member.ops",
    message: /grants the primitive role roles\/editor to group:ops@example.com/,
  },
  TRUST9: {
    fixture: platform,
    nonCompliant: (tf) => {
      const grants = tf.resource.google_bigquery_table_iam_member;
      const ordersSa = Object.entries(grants).find(([name]) => name.includes("orders"))![1] as Json;
      const payments = Object.entries(grants).find(([name]) =>
        name.includes("payments"),
      )![1] as Json;
      add(tf, "google_bigquery_table_iam_member", "cross", {
        ...payments,
        member: ordersSa.member,
      });
    },
    offender: () => "google_bigquery_table_iam_member.cross",
    message:
      /pipeline orders's Lambda \S+ reaches pipeline payments's table: roles\/bigquery\.dataEditor/,
  },
  IAM3: {
    nonCompliant: (tf) =>
      add(tf, "google_project_iam_member", "writer", {
        project: "wif-bridge-example",
        role: "roles/bigquery.dataEditor",
        member: first(tf, "google_bigquery_table_iam_member").member,
      }),
    offender: () => "google_project_iam_member.writer",
    message: /grants the data role roles\/bigquery\.dataEditor .* on the whole project/,
  },
  DATA1: {
    nonCompliant: (tf) => {
      first(tf, "google_storage_bucket_iam_member").member = "allUsers";
    },
    offender: firstAddress("google_storage_bucket_iam_member"),
    message: /grants roles\/storage\.objectCreator to allUsers/,
  },
  GCS1: {
    nonCompliant: (tf) => {
      first(tf, "google_storage_bucket").public_access_prevention = "inherited";
    },
    offender: firstAddress("google_storage_bucket"),
    message: /public_access_prevention is "inherited", not "enforced"/,
  },
  AWS1: {
    nonCompliant: (tf) => editPolicy(tf, (s) => (s.Action = ["logs:*"])),
    offender: logPolicyAddress,
    message: /policy write-own-logs of Lambda role wif-bridge-example-exec .*allows "logs:\*"/,
  },
  AWS2: {
    nonCompliant: (tf) => editPolicy(tf, (s) => (s.Resource = "*")),
    offender: logPolicyAddress,
    message: /allows logs:CreateLogStream, logs:PutLogEvents on Resource "\*"/,
  },
  LOG1: {
    nonCompliant: (tf) => {
      delete first(tf, "aws_cloudwatch_log_group").retention_in_days;
    },
    offender: firstAddress("aws_cloudwatch_log_group"),
    message: /retention_in_days is null, so \/aws\/lambda\/wif-bridge-example keeps logs forever/,
  },
  SQS1: {
    compliant: encryptedQueues,
    nonCompliant: (tf) => {
      encryptedQueues(tf);
      delete tf.resource.aws_sqs_queue.main.kms_master_key_id;
    },
    offender: () => "aws_sqs_queue.main",
    message: /sets neither sqs_managed_sse_enabled = true nor kms_master_key_id/,
  },
  SQS2: {
    compliant: encryptedQueues,
    nonCompliant: (tf) =>
      add(tf, "aws_sqs_queue", "loose", { name: "loose", sqs_managed_sse_enabled: true }),
    offender: () => "aws_sqs_queue.loose",
    message: /loose has no redrive_policy/,
  },
  API1: {
    nonCompliant: (tf) => {
      const services = tf.resource.google_project_service;
      for (const [name, s] of Object.entries(services) as [string, Json][]) {
        if (s.service === "storage.googleapis.com") delete services[name];
      }
    },
    offender: firstAddress("google_storage_bucket"),
    message: /needs storage\.googleapis\.com, which no google_project_service enables/,
  },
  ALARM1: {
    nonCompliant: (tf) => {
      const alarms = tf.resource.aws_cloudwatch_metric_alarm;
      for (const [name, a] of Object.entries(alarms) as [string, Json][])
        if (a.metric_name === "ApproximateNumberOfMessagesVisible") delete alarms[name];
    },
    offender: (tf) =>
      `aws_sqs_queue.${Object.keys(tf.resource.aws_sqs_queue).find((k) => !tf.resource.aws_sqs_queue[k].redrive_policy)}`,
    message: /dead-letter queue wif-bridge-example-dlq has no alarm/,
  },
  ALARM2: {
    nonCompliant: (tf) => {
      first(tf, "aws_cloudwatch_metric_alarm").alarm_actions = [];
    },
    offender: firstAddress("aws_cloudwatch_metric_alarm"),
    message: /has no alarm_actions, so it notifies nobody/,
  },
};

function findingsOf(tf: Json, ruleId: string) {
  const result = evaluateRulePack(tf);
  return {
    findings: result.findings.filter((f) => f.ruleId === ruleId),
    suppressed: result.suppressed.filter((f) => f.ruleId === ruleId),
  };
}

it("has a compliant, a non-compliant and a suppression case for every rule of the pack", () => {
  expect(Object.keys(cases).sort()).toEqual(SECURITY_RULES.map((r) => r.id).sort());
});

describe.each(SECURITY_RULES.map((rule) => [rule.id, rule] as const))("rule %s", (id, rule) => {
  const c = cases[id];

  it("finds nothing in a compliant stack", () => {
    const tf = structuredClone(c.fixture ?? example);
    c.compliant?.(tf);
    expect(findingsOf(tf, id).findings).toEqual([]);
  });

  it(`reports the offending resource at level ${rule.level}, with the fix`, () => {
    const tf = structuredClone(c.fixture ?? example);
    c.nonCompliant(tf);
    const { findings } = findingsOf(tf, id);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({ ruleId: id, level: rule.level, address: c.offender(tf) });
    expect(findings.map((f) => f.reason).join("\n")).toMatch(c.message);
    expect(findings[0].fix).toBe(rule.fix);
  });

  const suppressible = rule.suppressible !== false;
  it(
    suppressible
      ? "moves the finding to the suppressed list when the resource carries a suppression"
      : "refuses a suppression (the rule guards the trust) and keeps the finding",
    () => {
      const tf = structuredClone(c.fixture ?? example);
      c.nonCompliant(tf);
      const [type, name] = c.offender(tf).split(".");
      tf.resource[type][name]["//"] = {
        suppressions: [{ rule: id, reason: "accepted for the test, see ticket SEC-1" }],
      };
      const { findings, suppressed } = findingsOf(tf, id);
      if (!suppressible) {
        expect(findings.filter((f) => f.address === c.offender(tf)).length).toBeGreaterThan(0);
        expect(suppressed).toEqual([]);
        expect(findingsOf(tf, "SUP1").findings[0]).toMatchObject({
          address: c.offender(tf),
          reason: expect.stringMatching(
            new RegExp(`suppression of ${id} is refused: .*cannot be suppressed`),
          ),
        });
        return;
      }
      expect(findings.filter((f) => f.address === c.offender(tf))).toEqual([]);
      expect(suppressed[0]).toMatchObject({
        ruleId: id,
        address: c.offender(tf),
        suppressionReason: "accepted for the test, see ticket SEC-1",
      });
    },
  );
});

describe("rule details", () => {
  it("advises no dataset-level data grant, which TRUST4 and TRUST9 refuse", () => {
    for (const rule of SECURITY_RULES) {
      const text = [rule.info, rule.explanation, rule.fix].join(" ");
      expect([rule.id, text]).not.toEqual([
        rule.id,
        expect.stringMatching(/on the dataset|dataset[- ]level/i),
      ]);
      if (/roles\/bigquery\.dataEditor/.test(text))
        expect([rule.id, text]).toEqual([rule.id, expect.stringContaining("on its table")]);
    }
  });

  it("exempts a queue that is another queue's dead-letter target from SQS2", () => {
    const tf = structuredClone(example);
    encryptedQueues(tf);
    expect(findingsOf(tf, "SQS2").findings).toEqual([]);
    delete tf.resource.aws_sqs_queue.main.redrive_policy;
    expect(findingsOf(tf, "SQS2").findings.map((f) => f.address)).toEqual([
      "aws_sqs_queue.dlq",
      "aws_sqs_queue.main",
    ]);
  });

  it("reads SQS2's redrive policy by meaning, not by the word deadLetterTargetArn", () => {
    const tf = structuredClone(example);
    encryptedQueues(tf);
    const main = tf.resource.aws_sqs_queue.main;
    const dlqArn = JSON.parse(main.redrive_policy).deadLetterTargetArn;
    const sqs2 = () => findingsOf(tf, "SQS2").findings.map((f) => f.address);
    for (const policy of [
      JSON.stringify({ deadLetterTargetArn: "", maxReceiveCount: 5 }),
      JSON.stringify({ note: "deadLetterTargetArn", maxReceiveCount: 5 }),
      JSON.stringify({ deadLetterTargetArn: "${aws_sqs_queue.elsewhere.arn}" }),
      "deadLetterTargetArn, some day",
    ]) {
      main.redrive_policy = policy;
      expect(sqs2()).toContain("aws_sqs_queue.main");
    }
    main.redrive_policy = `\${jsonencode({"deadLetterTargetArn" = "${dlqArn}", "maxReceiveCount" = 5})}`;
    expect(sqs2()).toEqual([]);
    main.redrive_policy = JSON.stringify({
      deadLetterTargetArn: "arn:aws:sqs:eu-west-1:111122223333:shared-dlq",
    });
    expect(sqs2()).not.toContain("aws_sqs_queue.main");
  });

  it("exempts from SQS2 only a queue named in deadLetterTargetArn, not one mentioned elsewhere", () => {
    const tf = structuredClone(example);
    encryptedQueues(tf);
    add(tf, "aws_sqs_queue", "loose", { name: "loose", sqs_managed_sse_enabled: true });
    const main = tf.resource.aws_sqs_queue.main;
    main.redrive_policy = JSON.stringify({
      ...JSON.parse(main.redrive_policy),
      note: "${aws_sqs_queue.loose.arn}",
    });
    expect(findingsOf(tf, "SQS2").findings.map((f) => f.address)).toEqual(["aws_sqs_queue.loose"]);
  });

  it("allows Resource * for actions AWS cannot scope (AWS2)", () => {
    const tf = structuredClone(example);
    editPolicy(tf, (s) => {
      s.Action = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
      s.Resource = "*";
    });
    expect(findingsOf(tf, "AWS2").findings).toEqual([]);
  });

  it("refuses a grant to every role of the AWS account (WIF3)", () => {
    const tf = structuredClone(example);
    const binding = first(tf, "google_service_account_iam_member");
    binding.member = binding.member.replace(
      /attribute\.aws_role\/.*$/,
      `attribute.aws_account/${ACCOUNT}`,
    );
    expect(findingsOf(tf, "WIF3").findings[0].reason).toMatch(
      /every role and user of AWS account 111122223333/,
    );
  });

  it("refuses allUsers on a service account (WIF3)", () => {
    const tf = structuredClone(example);
    first(tf, "google_service_account_iam_member").member = "allUsers";
    expect(findingsOf(tf, "WIF3").findings[0].reason).toMatch(
      /allUsers: anyone could use this identity/,
    );
  });

  // WIF3, IAM2, IAM3 and DATA1 read the trust model's grants: a policy written with
  // Fn.jsonencode (which an older JSON.parse-only reader read as no grant at all) is read too.
  const jsonencodedPolicy = (tf: Json, type: string, args: Json, role: string, member: string) =>
    add(tf, type, "encoded", {
      ...args,
      policy_data: `\${jsonencode({"bindings" = [{"role" = "${role}", "members" = ["${member}"]}]})}`,
    });

  it("refuses a pool-wide member in a jsonencoded service-account policy (WIF3)", () => {
    const tf = structuredClone(example);
    const pool = first(tf, "google_service_account_iam_member").member.replace(
      /\/attribute\.aws_role\/.*$/,
      "/*",
    );
    jsonencodedPolicy(
      tf,
      "google_service_account_iam_policy",
      { service_account_id: first(tf, "google_service_account_iam_member").service_account_id },
      "roles/iam.workloadIdentityUser",
      pool,
    );
    expect(findingsOf(tf, "WIF3").findings.map((f) => f.address)).toEqual([
      "google_service_account_iam_policy.encoded",
    ]);
  });

  it("refuses a primitive role and a project-wide data role in a jsonencoded project policy (IAM2, IAM3)", () => {
    for (const [rule, role] of [
      ["IAM2", "roles/owner"],
      ["IAM3", "roles/bigquery.dataViewer"],
    ]) {
      const tf = structuredClone(example);
      jsonencodedPolicy(
        tf,
        "google_project_iam_policy",
        { project: "wif-bridge-example" },
        role,
        "user:ops@example.com",
      );
      expect(findingsOf(tf, rule).findings.map((f) => f.address)).toEqual([
        "google_project_iam_policy.encoded",
      ]);
    }
  });

  it("refuses allUsers in a jsonencoded table policy (DATA1)", () => {
    const tf = structuredClone(example);
    const writer = first(tf, "google_bigquery_table_iam_member");
    jsonencodedPolicy(
      tf,
      "google_bigquery_table_iam_policy",
      { project: writer.project, dataset_id: writer.dataset_id, table_id: writer.table_id },
      "roles/bigquery.dataViewer",
      "allUsers",
    );
    expect(findingsOf(tf, "DATA1").findings.map((f) => f.address)).toEqual([
      "google_bigquery_table_iam_policy.encoded",
    ]);
  });

  it("fails an unreadable policy through TRUST8 rather than reading it as no grant", () => {
    const tf = structuredClone(example);
    add(tf, "google_project_iam_policy", "garbled", {
      project: "wif-bridge-example",
      policy_data: "{not json",
    });
    const trust8 = findingsOf(tf, "TRUST8").findings;
    expect(trust8.map((f) => f.address)).toEqual(["google_project_iam_policy.garbled"]);
  });

  it("refuses a pinned role of another account than aws.account_id (WIF1)", () => {
    const tf = structuredClone(example);
    first(tf, "google_iam_workload_identity_pool_provider").attribute_condition =
      `attribute.aws_role == '${assumedRoleArn("aws", "999999999999", "wif-bridge-example-exec")}'`;
    expect(findingsOf(tf, "WIF1").findings[0].reason).toMatch(
      /of account 999999999999, but the provider's aws.account_id is 111122223333/,
    );
  });

  it("reports an unused suppression so it can be removed", () => {
    const tf = structuredClone(example);
    first(tf, "google_storage_bucket")["//"] = {
      suppressions: [{ rule: "GCS1", reason: "the bucket was private all along" }],
    };
    expect(evaluateRulePack(tf).unusedSuppressions).toEqual([
      {
        ruleId: "GCS1",
        address: "google_storage_bucket.archive_bucket_B42367AB",
        reason: "the bucket was private all along",
      },
    ]);
  });
});

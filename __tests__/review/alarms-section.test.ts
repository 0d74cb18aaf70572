import { Testing } from "cdktf";
import { buildStack, exampleConfig, type Json } from "../helpers/synth";
import { StackJson } from "../../stacks/policies/terraform-json";
import { alarmsSection } from "../../tools/review/alarms-section";

const example = JSON.parse(
  Testing.synth(
    buildStack(
      exampleConfig({
        alarms: { subscriptions: [{ protocol: "email", endpoint: "oncall@example.com" }] },
      }),
    ),
  ),
);
const section = (tf: Json) => alarmsSection(new StackJson(tf)).join("\n");
const firstOf = (tf: Json, type: string) => Object.values(tf.resource[type])[0] as Json;

describe("the report's alarms section", () => {
  it("lists every alarm with its condition, its topic and its runbook section", () => {
    const text = section(example);
    expect(text).toContain(
      "| `wif-bridge-example-dlq-not-empty` | Maximum of AWS/SQS/ApproximateNumberOfMessagesVisible (QueueName `wif-bridge-example-dlq`) > 0 over 1 × 60 s | topic `wif-bridge-example-alarms` / topic `wif-bridge-example-alarms` | `docs/operations-runbook.md#alarm-dlq-not-empty` |",
    );
    expect(text.match(/^\| `wif-bridge-example-/gm)).toHaveLength(4);
  });

  it("names the subscriptions and says CloudWatch may use the topic's key", () => {
    const text = section(example);
    expect(text).toContain("- Subscriptions: email `oncall@example.com`.");
    expect(text).toContain("its policy lets CloudWatch publish");
  });

  it("warns when the topic uses the AWS managed key CloudWatch cannot use", () => {
    const tf = structuredClone(example);
    firstOf(tf, "aws_sns_topic").kms_master_key_id = "alias/aws/sns";
    expect(section(tf)).toContain("AWS managed: CloudWatch cannot use it");
  });

  it("warns when the key's policy leaves CloudWatch out", () => {
    const tf = structuredClone(example);
    const key = firstOf(tf, "aws_kms_key");
    const policy = JSON.parse(key.policy);
    policy.Statement = policy.Statement.filter((s: Json) => s.Principal.AWS);
    key.policy = JSON.stringify(policy);
    expect(section(tf)).toContain("**its policy does not let CloudWatch publish**");
  });

  it("says so when an alarm notifies nobody", () => {
    const tf = structuredClone(example);
    firstOf(tf, "aws_cloudwatch_metric_alarm").alarm_actions = [];
    expect(section(tf)).toContain("| **nobody** / topic");
  });
});

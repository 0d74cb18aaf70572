/** Attacks on ALARM1 (every DLQ has an alarm that notifies) and ALARM2 (alarms have actions). */
import { Testing } from "cdktf";
import { buildStack, exampleConfig, type Json } from "../helpers/synth";
import { evaluateRulePack } from "../../stacks/policies/pack";

const example = JSON.parse(Testing.synth(buildStack(exampleConfig())));

function reasons(tf: Json, ruleId: string): string[] {
  return evaluateRulePack(tf)
    .findings.filter((f) => f.ruleId === ruleId)
    .map((f) => f.reason);
}
function alarm(tf: Json, metric: string): Json {
  return Object.values(tf.resource.aws_cloudwatch_metric_alarm).find(
    (a) => (a as Json).metric_name === metric,
  );
}
const dlqAlarm = (tf: Json) => alarm(tf, "ApproximateNumberOfMessagesVisible");
const errorsAlarm = (tf: Json) => alarm(tf, "Errors");
const queueKey = (tf: Json, dlq: boolean) =>
  Object.keys(tf.resource.aws_sqs_queue).find(
    (k) => !tf.resource.aws_sqs_queue[k].redrive_policy === dlq,
  )!;

describe("ALARM1 DeadLetterQueueHasAlarm", () => {
  const edited = (edit: (tf: Json) => void) => {
    const tf = structuredClone(example);
    edit(tf);
    return reasons(tf, "ALARM1");
  };

  it("accepts the stack's alarm, and the same alarm naming the queue by literal", () => {
    expect(edited(() => {})).toEqual([]);
    expect(edited((tf) => (dlqAlarm(tf).dimensions.QueueName = "wif-bridge-example-dlq"))).toEqual(
      [],
    );
  });

  it("refuses an alarm that waits for the second message (> 1)", () => {
    expect(edited((tf) => (dlqAlarm(tf).threshold = 1))).toEqual([
      expect.stringContaining("does not fire on exactly the first message"),
    ]);
  });

  it("refuses an alarm that fires on an empty queue (< 1)", () => {
    expect(edited((tf) => (dlqAlarm(tf).comparison_operator = "LessThanThreshold"))).toEqual([
      expect.stringContaining("does not fire on exactly the first message"),
    ]);
  });

  it("refuses an alarm on the source queue instead of the DLQ", () => {
    expect(
      edited(
        (tf) =>
          (dlqAlarm(tf).dimensions.QueueName = `\${aws_sqs_queue.${queueKey(tf, false)}.name}`),
      ),
    ).toEqual([expect.stringContaining("has no alarm on ApproximateNumberOfMessagesVisible")]);
  });

  it("refuses a look-alike literal name and another namespace", () => {
    expect(
      edited((tf) => (dlqAlarm(tf).dimensions.QueueName = "wif-bridge-example-dlq2")),
    ).toHaveLength(1);
    expect(edited((tf) => (dlqAlarm(tf).namespace = "Custom/SQS"))).toHaveLength(1);
  });

  it("refuses an alarm on a series SQS never publishes (extra dimension, other unit)", () => {
    expect(edited((tf) => (dlqAlarm(tf).dimensions.Team = "platform"))).toEqual([
      expect.stringContaining("has no alarm on ApproximateNumberOfMessagesVisible"),
    ]);
    expect(edited((tf) => (dlqAlarm(tf).unit = "Seconds"))).toEqual([
      expect.stringContaining("unit Seconds matches no data"),
    ]);
  });

  it("refuses a statistic that does not measure depth (SampleCount is never 0)", () => {
    expect(edited((tf) => (dlqAlarm(tf).statistic = "SampleCount"))).toEqual([
      expect.stringContaining('statistic "SampleCount" does not measure'),
    ]);
  });

  it("refuses an alarm whose actions are disabled or point nowhere", () => {
    expect(edited((tf) => (dlqAlarm(tf).actions_enabled = false))).toEqual([
      expect.stringContaining("actions_enabled false"),
    ]);
    expect(edited((tf) => (dlqAlarm(tf).alarm_actions = ["${var.topic}"]))).toEqual([
      expect.stringContaining("known only at apply"),
    ]);
  });
});

describe("ALARM2 AlarmHasActions", () => {
  const edited = (edit: (a: Json) => void) => {
    const tf = structuredClone(example);
    edit(errorsAlarm(tf));
    return reasons(tf, "ALARM2");
  };

  it("accepts a literal topic ARN in the account the provider is pinned to", () => {
    expect(
      edited((a) => (a.alarm_actions = ["arn:aws:sns:eu-west-1:111122223333:oncall"])),
    ).toEqual([]);
  });

  it("refuses a topic of another account, naming it", () => {
    expect(
      edited((a) => (a.alarm_actions = ["arn:aws:sns:eu-west-1:999988887777:oncall"])),
    ).toEqual([expect.stringContaining("account 999988887777")]);
  });

  it("refuses a topic of the pinned account in another partition, which the alarm cannot reach", () => {
    expect(
      edited((a) => (a.alarm_actions = ["arn:aws-cn:sns:cn-north-1:111122223333:oncall"])),
    ).toEqual([expect.stringContaining("partition aws-cn")]);
    expect(
      edited((a) => (a.alarm_actions = ["arn:aws-bogus:sns:eu-west-1:111122223333:oncall"])),
    ).toEqual([expect.stringContaining("is not an SNS topic ARN")]);
  });

  it("refuses a reference to a topic that is not in the stack", () => {
    expect(edited((a) => (a.alarm_actions = ["${aws_sns_topic.elsewhere.arn}"]))).toEqual([
      expect.stringContaining("not the ARN of an SNS topic in this stack"),
    ]);
  });

  it("refuses another kind of action and a bad OK action", () => {
    expect(
      edited((a) => (a.alarm_actions = ["arn:aws:lambda:eu-west-1:111122223333:function:x"])),
    ).toEqual([expect.stringContaining("is not an SNS topic ARN")]);
    expect(edited((a) => (a.ok_actions = ["${data.aws_sns_topic.t.arn}"]))).toEqual([
      expect.stringContaining("not the ARN of an SNS topic in this stack"),
    ]);
  });

  it("refuses a missing alarm_actions and disabled actions", () => {
    expect(edited((a) => delete a.alarm_actions)).toEqual([
      expect.stringContaining("has no alarm_actions"),
    ]);
    expect(edited((a) => (a.actions_enabled = false))).toEqual([
      expect.stringContaining("actions_enabled false"),
    ]);
  });
});

import * as fs from "node:fs";
import * as path from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { ALARM_KINDS, IngestionAlarms, RUNBOOK_PATH } from "../../stacks/aws/ingestion-alarms";
import { AlarmTopic } from "../../stacks/aws/alarm-topic";
import { MIN_LAMBDA_TIMEOUT_SECONDS } from "../../stacks/aws/lambda-timeout";
import {
  oldestMessageAgeThresholdSeconds,
  SOURCE_QUEUE_RETENTION_SECONDS,
  visibilityTimeoutSeconds,
} from "../../stacks/aws/ingestion-queue-settings";
import {
  all,
  configProblems,
  exampleConfig,
  only,
  PROJECT_ROOT,
  sharedSynthJson,
} from "../helpers/synth";
import type { Json } from "../helpers/synth";

const alarms = (tf: Json) => all(tf, "aws_cloudwatch_metric_alarm") as Json[];
const alarmNamed = (tf: Json, suffix: string) =>
  alarms(tf).find((a) => a.alarm_name.endsWith(`-${suffix}`));
const refTo = (tf: Json, type: string, attribute: string) =>
  `\${${type}.${Object.keys(tf.resource[type])[0]}.${attribute}}`;

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to "-". */
function anchorsOf(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    ),
  );
}

describe("IngestionAlarms in the example stack", () => {
  const tf = sharedSynthJson(exampleConfig());
  const topicArn = refTo(tf, "aws_sns_topic", "arn");

  it("has one alarm per kind, each notifying the topic on ALARM and on OK", () => {
    expect(
      alarms(tf)
        .map((a) => a.alarm_name)
        .sort(),
    ).toEqual(ALARM_KINDS.map((k) => `wif-bridge-example-${k}`).sort());
    for (const alarm of alarms(tf)) {
      expect(alarm.actions_enabled).toBe(true);
      expect(alarm.alarm_actions).toEqual([topicArn]);
      expect(alarm.ok_actions).toEqual([topicArn]);
    }
  });

  it("raises the DLQ alarm on the first visible message of the dead-letter queue", () => {
    const dlq = alarmNamed(tf, "dlq-not-empty");
    const dlqKey = Object.entries(tf.resource.aws_sqs_queue).find(
      ([, q]) => !(q as Json).redrive_policy,
    )![0];
    expect(dlq).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: `\${aws_sqs_queue.${dlqKey}.name}` },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      // An idle DLQ may stop reporting: its last state (ALARM) must not turn OK by itself.
      treat_missing_data: "ignore",
    });
  });

  it("watches the function's Errors and Throttles by name", () => {
    for (const metric of ["Errors", "Throttles"]) {
      expect(alarmNamed(tf, metric.toLowerCase())).toMatchObject({
        namespace: "AWS/Lambda",
        metric_name: metric,
        dimensions: { FunctionName: "wif-bridge-example" },
        statistic: "Sum",
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
      });
    }
  });

  it("names each alarm's runbook section, and the runbook has it", () => {
    const runbook = fs.readFileSync(path.join(PROJECT_ROOT, RUNBOOK_PATH), "utf8");
    const anchors = anchorsOf(runbook);
    for (const alarm of alarms(tf)) {
      const link = /Runbook: (\S+)#(\S+)$/.exec(alarm.alarm_description);
      expect(link?.[1]).toBe(RUNBOOK_PATH);
      expect(anchors).toContain(link![2]);
    }
  });

  it("encrypts the topic with its own key, which CloudWatch may use and the account administers", () => {
    const topic = only(tf, "aws_sns_topic");
    expect(topic.kms_master_key_id).toBe(refTo(tf, "aws_kms_key", "arn"));
    const key = only(tf, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    const statements = JSON.parse(key.policy).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Principal: { AWS: "arn:aws:iam::111122223333:root" } }),
    );
  });

  it("lets only this account's alarms publish to the topic", () => {
    const policy = JSON.parse(only(tf, "aws_sns_topic_policy").policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: {
          StringEquals: { "aws:SourceAccount": "111122223333" },
          ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*" },
        },
      }),
    ]);
  });

  it("spells the key's and the topic policy's ARNs in the region's partition", () => {
    // The config refuses partitions Google does not document (docs/aws-partitions.md), so the
    // construct is built on its own: it must still spell whatever partition its region is in.
    const stack = new TerraformStack(Testing.app(), "gov");
    new AlarmTopic(stack, "alarm-topic", {
      topicName: "wif-bridge-gov-alarms",
      accountId: "111122223333",
      region: "us-gov-west-1",
    });
    const gov = JSON.parse(Testing.synth(stack));
    expect(only(gov, "aws_kms_key").policy).toContain("arn:aws-us-gov:iam::111122223333:root");
    expect(only(gov, "aws_sns_topic_policy").policy).toContain(
      "arn:aws-us-gov:cloudwatch:us-gov-west-1:111122223333:alarm:*",
    );
  });

  it("subscribes nobody unless config lists subscriptions", () => {
    expect(tf.resource.aws_sns_topic_subscription).toBeUndefined();
  });
});

describe("the oldest-message alarm's threshold", () => {
  it("is older than any message that is only being retried, and fires before retention ends (every accepted timing)", () => {
    let checked = 0;
    for (const timeoutSeconds of [MIN_LAMBDA_TIMEOUT_SECONDS, 60, 900]) {
      for (const window of [0, 5, 300]) {
        for (const receives of [1, 5, 50]) {
          const patch = {
            lambda: { timeoutSeconds },
            queue: { maxBatchingWindowSeconds: window, maxReceiveCount: receives, batchSize: 10 },
          };
          const threshold = oldestMessageAgeThresholdSeconds({
            lambdaTimeoutSeconds: timeoutSeconds,
            maxBatchingWindowSeconds: window,
            maxReceiveCount: receives,
          });
          if (threshold >= SOURCE_QUEUE_RETENTION_SECONDS) {
            // Such a config is refused: failing messages would expire before reaching the DLQ.
            expect(configProblems(patch).map((p) => p.field)).toContain("queue.maxReceiveCount");
            continue;
          }
          const tf = sharedSynthJson(exampleConfig(patch));
          const alarm = alarmNamed(tf, "oldest-message-age");
          expect(alarm.threshold).toBe(threshold);
          expect(alarm.threshold).toBeGreaterThan(
            receives * visibilityTimeoutSeconds(timeoutSeconds, window),
          );
          expect(alarm.threshold).toBeLessThan(SOURCE_QUEUE_RETENTION_SECONDS);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it("is 5 x (6 x 60 + 5) + 60 = 1885 s for the example (timeout 60 s, window 5 s, 5 receives)", () => {
    expect(alarmNamed(sharedSynthJson(exampleConfig()), "oldest-message-age").threshold).toBe(1885);
  });

  it("takes alarms.oldestMessageAgeSeconds from config when set", () => {
    const tf = sharedSynthJson(exampleConfig({ alarms: { oldestMessageAgeSeconds: 600 } }));
    expect(alarmNamed(tf, "oldest-message-age").threshold).toBe(600);
  });
});

describe("alarm subscriptions", () => {
  const subscriptions = [
    { protocol: "email", endpoint: "oncall@example.com" },
    { protocol: "https", endpoint: "https://hooks.example.com/alarms" },
  ];

  it("subscribes each configured endpoint to the topic", () => {
    const tf = sharedSynthJson(exampleConfig({ alarms: { subscriptions } }));
    const subs = all(tf, "aws_sns_topic_subscription");
    expect(subs.map((s: Json) => [s.protocol, s.endpoint]).sort()).toEqual(
      subscriptions.map((s) => [s.protocol, s.endpoint]).sort(),
    );
    for (const s of subs) expect(s.topic_arn).toBe(refTo(tf, "aws_sns_topic", "arn"));
  });

  it("keeps each subscription's address when the list is reordered (no re-confirmation)", () => {
    const a = sharedSynthJson(exampleConfig({ alarms: { subscriptions } }));
    const b = sharedSynthJson(
      exampleConfig({ alarms: { subscriptions: [...subscriptions].reverse() } }),
    );
    expect(a.resource.aws_sns_topic_subscription).toEqual(b.resource.aws_sns_topic_subscription);
  });
});

describe("alarms config", () => {
  const problem = (patch: Json) => configProblems(patch).map((p) => [p.field, p.message]);

  it("refuses an email subscription that is not an address", () => {
    expect(
      problem({ alarms: { subscriptions: [{ protocol: "email", endpoint: "oncall" }] } }),
    ).toEqual([["alarms.subscriptions[0].endpoint", expect.stringContaining("email address")]]);
  });

  it("refuses an http (not https) endpoint and an IP host", () => {
    for (const endpoint of ["http://hooks.example.com/a", "https://10.0.0.1/a"]) {
      expect(problem({ alarms: { subscriptions: [{ protocol: "https", endpoint }] } })).toEqual([
        ["alarms.subscriptions[0].endpoint", expect.stringContaining("https:// URL")],
      ]);
    }
  });

  it("refuses another protocol, naming the two it takes", () => {
    expect(
      problem({ alarms: { subscriptions: [{ protocol: "sms", endpoint: "+15550100" }] } }),
    ).toEqual([
      ["alarms.subscriptions[0].protocol", expect.stringContaining('"email" or "https"')],
    ]);
  });

  it("refuses the same endpoint twice", () => {
    const s = { protocol: "email", endpoint: "oncall@example.com" };
    expect(
      problem({ alarms: { subscriptions: [s, { ...s, endpoint: "OnCall@example.com" }] } }),
    ).toEqual([["alarms.subscriptions[1].endpoint", expect.stringContaining("repeats")]]);
  });

  it("refuses a threshold under a minute or past the queue's retention", () => {
    expect(problem({ alarms: { oldestMessageAgeSeconds: 30 } })[0][0]).toBe(
      "alarms.oldestMessageAgeSeconds",
    );
    expect(problem({ alarms: { oldestMessageAgeSeconds: 345_600 } })).toEqual([
      ["alarms.oldestMessageAgeSeconds", expect.stringContaining("4 days")],
    ]);
  });

  it("refuses an unknown field under alarms", () => {
    expect(problem({ alarms: { emails: ["a@example.com"] } })).toEqual([
      ["alarms", expect.stringContaining('"emails"')],
    ]);
  });

  it("refuses receives x visibility that outlast retention, saying what to lower", () => {
    expect(problem({ lambda: { timeoutSeconds: 900 }, queue: { maxReceiveCount: 100 } })).toEqual([
      ["queue.maxReceiveCount", expect.stringContaining("Lower queue.maxReceiveCount")],
    ]);
  });
});

describe("IngestionAlarms construct", () => {
  it("refuses to build alarms that notify nobody", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    expect(
      () =>
        new IngestionAlarms(stack, "alarms", {
          namePrefix: "fn",
          functionName: "fn",
          queueName: "fn",
          deadLetterQueueName: "fn-dlq",
          oldestMessageAgeSeconds: 600,
          actions: [],
        }),
    ).toThrow(/no actions/);
  });
});

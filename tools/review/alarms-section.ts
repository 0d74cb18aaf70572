/**
 * The report's alarms section: which alarms the stack has, when each fires, whom it notifies
 * through which topic, whether CloudWatch can actually publish to that topic (its KMS key), and
 * the runbook section it points to. Read from cdk.tf.json alone, like the rest of the report.
 */
import {
  parseReference,
  type StackJson,
  type TerraformResource,
} from "../../stacks/policies/terraform-json";
import { code, valueOf } from "./describe";

const OPERATORS: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: "≥",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "≤",
};

/** Whether CloudWatch alarms can publish to a topic encrypted with `keyId`, in words. */
function encryptionOf(topic: TerraformResource, stack: StackJson): string {
  const keyId = topic.config.kms_master_key_id;
  if (keyId === undefined) return "not encrypted";
  if (typeof keyId === "string" && keyId.startsWith("alias/aws/")) {
    return `${code(keyId)} (AWS managed: CloudWatch cannot use it, so alarm actions fail)`;
  }
  const key = stack.find(parseReference(keyId));
  if (!key) return `${valueOf(keyId, stack)} (not a key of this stack; its policy cannot be read)`;
  let statements: { Effect?: string; Principal?: { Service?: unknown }; Action?: unknown }[] = [];
  try {
    statements = [JSON.parse(String(key.config.policy)).Statement].flat();
  } catch {
    // An unreadable policy is reported as such below.
  }
  const cloudwatchMay = statements.some((s) => {
    const services = [s.Principal?.Service].flat();
    const actions = [s.Action].flat().map(String);
    return (
      s.Effect === "Allow" &&
      services.includes("cloudwatch.amazonaws.com") &&
      actions.some((a) => a === "kms:GenerateDataKey*" || a === "kms:*") &&
      actions.some((a) => a === "kms:Decrypt" || a === "kms:*")
    );
  });
  return `customer managed key ${code(key.address)}${key.config.enable_key_rotation === true ? ", rotated" : ""}; ${
    cloudwatchMay
      ? "its policy lets CloudWatch publish"
      : "**its policy does not let CloudWatch publish**"
  }`;
}

function actionsOf(targets: unknown, stack: StackJson): string {
  const list = Array.isArray(targets) ? targets : [];
  if (list.length === 0) return "**nobody**";
  return list
    .map((t) => {
      const topic = stack.find(parseReference(t));
      return topic
        ? `topic ${code(String(topic.config.name ?? topic.address))}`
        : valueOf(t, stack);
    })
    .join(", ");
}

export function alarmsSection(stack: StackJson): string[] {
  const out = ["## Alarms and who they notify", ""];
  const topics = stack.resources("aws_sns_topic");
  for (const topic of topics) {
    out.push(
      `### Topic ${code(String(topic.config.name ?? topic.address))}`,
      "",
      `- Encryption: ${encryptionOf(topic, stack)}.`,
    );
    const subs = stack
      .resources("aws_sns_topic_subscription")
      .filter((s) => parseReference(s.config.topic_arn)?.address === topic.address);
    out.push(
      subs.length === 0
        ? "- Subscriptions: none in this stack (subscribe on-call to the topic)."
        : `- Subscriptions: ${subs.map((s) => `${s.config.protocol} ${code(String(s.config.endpoint))}`).join(", ")}.`,
      "",
    );
  }
  const alarms = stack.resources("aws_cloudwatch_metric_alarm");
  if (alarms.length === 0) {
    out.push("No CloudWatch alarm in this stack: nobody is told when messages fail.", "");
    return out;
  }
  out.push("| alarm | fires when | notifies (alarm / OK) | runbook |", "| --- | --- | --- | --- |");
  for (const a of alarms) {
    const c = a.config;
    const on = Object.entries(c.dimensions ?? {})
      .map(([k, v]) => `${k} ${valueOf(v, stack)}`)
      .join(", ");
    const when = `${c.statistic ?? c.extended_statistic ?? "?"} of ${c.namespace}/${c.metric_name} (${on}) ${
      OPERATORS[String(c.comparison_operator)] ?? c.comparison_operator
    } ${c.threshold} over ${c.evaluation_periods} × ${c.period} s`;
    const notifies =
      c.actions_enabled === false
        ? "**actions disabled**"
        : `${actionsOf(c.alarm_actions, stack)} / ${actionsOf(c.ok_actions, stack)}`;
    const runbook = /Runbook: (\S+)/.exec(String(c.alarm_description ?? ""))?.[1];
    out.push(
      `| ${code(String(c.alarm_name))} | ${when} | ${notifies} | ${runbook ? code(runbook) : "none"} |`,
    );
  }
  out.push("");
  return out;
}

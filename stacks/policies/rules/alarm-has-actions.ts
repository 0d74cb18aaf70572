/**
 * ALARM2: every CloudWatch metric alarm notifies someone: its actions are enabled, and it has
 * alarm actions, each of which (and each OK action) is an SNS topic of this stack or a literal
 * SNS topic ARN in the account the AWS provider is pinned to. Closed world: anything else (an
 * expression the stack cannot resolve, another account's topic, another kind of action) is a
 * finding, because nobody can tell from the JSON who would be told.
 * Reads the synthesized JSON: aws_cloudwatch_metric_alarm, aws_sns_topic, the aws provider.
 */
import {
  isExpression,
  parseReference,
  type StackJson,
  type TerraformResource,
} from "../terraform-json";
import { outcomeOf, resourceTypes, type SecurityRule } from "../rule";
import { AWS_PARTITIONS, findAwsPartition } from "../../federation/partition";

const SNS_TOPIC_ARN = new RegExp(
  String.raw`^arn:(${AWS_PARTITIONS.join("|")}):sns:[a-z0-9-]+:(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$`,
);

/** The stack's AWS provider blocks. */
function awsProviders(stack: StackJson): { allowed_account_ids?: unknown; region?: unknown }[] {
  const providers = stack.json?.provider?.aws;
  return Array.isArray(providers) ? providers : providers ? [providers] : [];
}

/** Accounts the stack's AWS provider(s) may deploy to (allowed_account_ids). */
function pinnedAccounts(stack: StackJson): Set<string> {
  return new Set(
    awsProviders(stack).flatMap((p) =>
      Array.isArray(p.allowed_account_ids) ? p.allowed_account_ids.map(String) : [],
    ),
  );
}

/** Partitions of the provider(s)' regions: a topic elsewhere is unreachable for the alarm. */
function providerPartitions(stack: StackJson): Set<string> {
  return new Set(
    awsProviders(stack).flatMap((p) => {
      const partition = typeof p.region === "string" ? findAwsPartition(p.region) : undefined;
      return partition ? [partition] : [];
    }),
  );
}

/** Why one action target does not notify a known topic, or undefined when it does. */
function actionProblem(action: unknown, stack: StackJson): string | undefined {
  if (typeof action !== "string") return `action ${JSON.stringify(action)} is not an ARN`;
  const ref = parseReference(action);
  if (ref) {
    if (ref.type === "aws_sns_topic" && ref.attribute === "arn" && !ref.isData && stack.find(ref)) {
      return undefined;
    }
    return `action "${action}" is not the ARN of an SNS topic in this stack`;
  }
  if (isExpression(action))
    return `action "${action}" is known only at apply, so who it notifies cannot be checked`;
  const m = SNS_TOPIC_ARN.exec(action);
  if (!m) return `action "${action}" is not an SNS topic ARN`;
  const [, partition, account] = m;
  if (!pinnedAccounts(stack).has(account)) {
    return `action "${action}" is a topic in account ${account}, not the account the AWS provider is pinned to`;
  }
  if (!providerPartitions(stack).has(partition)) {
    return `action "${action}" is a topic in partition ${partition}, which the stack's AWS provider region is not in`;
  }
  return undefined;
}

/** What keeps an alarm from notifying anyone (empty when it notifies). */
export function alarmNotifyProblems(alarm: TerraformResource, stack: StackJson): string[] {
  const c = alarm.config;
  const name = c.alarm_name ?? alarm.address;
  const problems: string[] = [];
  if (c.actions_enabled === false) problems.push(`${name} has actions_enabled false`);
  const actions = Array.isArray(c.alarm_actions) ? c.alarm_actions : [];
  if (actions.length === 0) problems.push(`${name} has no alarm_actions, so it notifies nobody`);
  const okActions = Array.isArray(c.ok_actions) ? c.ok_actions : [];
  for (const action of [...actions, ...okActions]) {
    const problem = actionProblem(action, stack);
    if (problem) problems.push(`${name}: ${problem}`);
  }
  return problems;
}

export const AlarmHasActions: SecurityRule = {
  id: "ALARM2",
  name: "AlarmHasActions",
  info: "Every CloudWatch alarm has enabled alarm actions, each an SNS topic of this stack (or of its pinned account).",
  explanation:
    "An alarm without an action changes state in a console nobody watches; one whose action cannot be resolved may notify nobody, or someone else.",
  level: "error",
  fix: "set alarmActions (and okActions) to the alarm topic's ARN (AlarmTopic.topicArn) and leave actionsEnabled true",
  appliesTo: resourceTypes("aws_cloudwatch_metric_alarm"),
  evaluate(resource, stack) {
    return outcomeOf(alarmNotifyProblems(resource, stack));
  },
};

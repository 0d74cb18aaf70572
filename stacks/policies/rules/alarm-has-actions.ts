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

const SNS_TOPIC_ARN =
  /^arn:aws(?:-[a-z-]+)?:sns:[a-z0-9-]+:(\d{12}):[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Accounts the stack's AWS provider(s) may deploy to (allowed_account_ids). */
function pinnedAccounts(stack: StackJson): Set<string> {
  const providers = stack.json?.provider?.aws;
  const list = Array.isArray(providers) ? providers : providers ? [providers] : [];
  return new Set(
    list.flatMap((p: { allowed_account_ids?: unknown }) =>
      Array.isArray(p.allowed_account_ids) ? p.allowed_account_ids.map(String) : [],
    ),
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
  if (!pinnedAccounts(stack).has(m[1])) {
    return `action "${action}" is a topic in account ${m[1]}, not the account the AWS provider is pinned to`;
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

/**
 * ALARM1: every dead-letter queue has an alarm that fires on its first visible message and
 * notifies someone (ALARM2's test). A message in a DLQ is a record that will be lost when the
 * queue's retention ends unless someone redrives it.
 * Reads the synthesized JSON: redrive policies (which queue is a DLQ), aws_cloudwatch_metric_alarm
 * on AWS/SQS ApproximateNumberOfMessagesVisible whose QueueName dimension is that queue's name,
 * as a reference to the queue or as the same literal.
 */
import { parseReference, type StackJson, type TerraformResource } from "../terraform-json";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceTypes, type SecurityRule } from "../rule";
import { deadLetterTargets } from "./queue-has-dead-letter-queue";
import { alarmNotifyProblems } from "./alarm-has-actions";

/** True when `value` compared to `threshold` by `operator` is in alarm. */
function breaches(operator: unknown, value: number, threshold: number): boolean {
  switch (operator) {
    case "GreaterThanThreshold":
      return value > threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
    default:
      return false;
  }
}

/** Statistics of a queue depth that are above 0 when, and only when, a message was visible. */
const DEPTH_STATISTICS = new Set(["Maximum", "Average", "Sum"]);

/**
 * Whether the alarm watches the series SQS publishes for `queue`: exactly the QueueName
 * dimension (another dimension would select a series that never exists), naming the queue by
 * reference or by equal literal.
 */
function watchesQueue(alarm: TerraformResource, queue: TerraformResource): boolean {
  const dimensions = alarm.config.dimensions ?? {};
  if (Object.keys(dimensions).join() !== "QueueName") return false;
  const dimension = dimensions.QueueName;
  const ref = parseReference(dimension);
  if (ref) return ref.address === queue.address && ref.attribute === "name";
  return typeof dimension === "string" && dimension === queue.config.name;
}

/** Why an alarm on this DLQ would not tell anyone about one message, or undefined. */
function alarmProblem(alarm: TerraformResource, stack: StackJson): string | undefined {
  const c = alarm.config;
  if (!DEPTH_STATISTICS.has(c.statistic)) {
    return `${c.alarm_name}: statistic ${JSON.stringify(c.statistic ?? c.extended_statistic ?? null)} does not measure how many messages are visible (use Maximum)`;
  }
  // SQS publishes the depth in Count: any other unit selects a series that never has data.
  if (c.unit !== undefined && c.unit !== "Count") {
    return `${c.alarm_name}: unit ${c.unit} matches no data (SQS reports this metric in Count)`;
  }
  if (typeof c.threshold !== "number") return `${c.alarm_name}: threshold is not a number`;
  // By meaning: one visible message breaches, an empty queue does not.
  if (
    !breaches(c.comparison_operator, 1, c.threshold) ||
    breaches(c.comparison_operator, 0, c.threshold)
  ) {
    return `${c.alarm_name}: ${c.comparison_operator} ${c.threshold} does not fire on exactly the first message`;
  }
  const notify = alarmNotifyProblems(alarm, stack);
  return notify.length > 0 ? notify.join("; ") : undefined;
}

export const DeadLetterQueueHasAlarm: SecurityRule = {
  id: "ALARM1",
  name: "DeadLetterQueueHasAlarm",
  info: "Every dead-letter queue has an alarm on ApproximateNumberOfMessagesVisible > 0 with an action.",
  explanation:
    "A message in a DLQ has run out of receives; unless someone is told, it is dropped silently when the DLQ's retention ends.",
  level: "error",
  fix: "add IngestionAlarms (its dlq-not-empty alarm) with the alarm topic as action, or an equivalent aws_cloudwatch_metric_alarm",
  appliesTo: resourceTypes("aws_sqs_queue"),
  evaluate(resource, stack) {
    if (!deadLetterTargets(stack).has(resource.address)) return NOT_APPLICABLE;
    const candidates = stack
      .resources("aws_cloudwatch_metric_alarm")
      .filter(
        (a) =>
          a.config.namespace === "AWS/SQS" &&
          a.config.metric_name === "ApproximateNumberOfMessagesVisible" &&
          watchesQueue(a, resource),
      );
    const problems = candidates.map((a) => alarmProblem(a, stack));
    if (problems.some((p) => p === undefined)) return COMPLIANT;
    const name = resource.config.name ?? resource.address;
    return nonCompliant(
      candidates.length === 0
        ? `dead-letter queue ${name} has no alarm on ApproximateNumberOfMessagesVisible, so nobody learns that messages wait in it`
        : `dead-letter queue ${name} has no alarm that notifies on its first message: ${problems.join("; ")}`,
    );
  },
};

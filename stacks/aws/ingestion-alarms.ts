/**
 * The alarms that make "nothing is lost" noticed: a message in the dead-letter queue, a source
 * queue whose oldest message is older than any retry explains, and the function's Errors and
 * Throttles. Each notifies on ALARM and on OK, and its name and description lead to its
 * runbook section.
 */
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

/** The runbook, from the repository root; each alarm's section is `#alarm-<kind>`. */
export const RUNBOOK_PATH = "docs/operations-runbook.md";

export const ALARM_KINDS = ["dlq-not-empty", "oldest-message-age", "errors", "throttles"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** `docs/operations-runbook.md#alarm-<kind>`: the heading "Alarm: <kind>" in the runbook. */
export function runbookLink(kind: AlarmKind): string {
  return `${RUNBOOK_PATH}#alarm-${kind}`;
}

export interface IngestionAlarmsProps {
  /** Alarm names are `<namePrefix>-<kind>`. */
  readonly namePrefix: string;
  /** The function whose Errors and Throttles are watched. */
  readonly functionName: string;
  /** The source queue's name (a literal or the queue's `name` reference). */
  readonly queueName: string;
  /** Its dead-letter queue's name. */
  readonly deadLetterQueueName: string;
  /** Age of the oldest message (seconds) above which the queue is not being consumed. */
  readonly oldestMessageAgeSeconds: number;
  /** Notified on ALARM and OK (the alarm topic's ARN). */
  readonly actions: readonly string[];
  /** Seconds per evaluated datapoint. @default 60 (SQS and Lambda report once a minute) */
  readonly periodSeconds?: number;
}

export class IngestionAlarms extends Construct {
  readonly alarms: Record<AlarmKind, CloudwatchMetricAlarm>;

  constructor(scope: Construct, id: string, props: IngestionAlarmsProps) {
    super(scope, id);
    if (props.actions.length === 0) {
      throw new Error(
        `IngestionAlarms ${props.namePrefix}: no actions; pass the alarm topic's ARN so an alarm notifies someone`,
      );
    }
    const period = props.periodSeconds ?? 60;
    const alarm = (
      kind: AlarmKind,
      what: string,
      metric: { namespace: string; metricName: string; dimensions: Record<string, string> },
      rule: { statistic: string; threshold: number; treatMissingData: string },
    ) =>
      new CloudwatchMetricAlarm(this, kind, {
        alarmName: `${props.namePrefix}-${kind}`,
        alarmDescription: `${what} Runbook: ${runbookLink(kind)}`,
        ...metric,
        ...rule,
        comparisonOperator: "GreaterThanThreshold",
        period,
        evaluationPeriods: 1,
        actionsEnabled: true,
        alarmActions: [...props.actions],
        okActions: [...props.actions],
      });

    const sqs = (queueName: string, metricName: string) => ({
      namespace: "AWS/SQS",
      metricName,
      dimensions: { QueueName: queueName },
    });
    const lambda = (metricName: string) => ({
      namespace: "AWS/Lambda",
      metricName,
      dimensions: { FunctionName: props.functionName },
    });
    this.alarms = {
      "dlq-not-empty": alarm(
        "dlq-not-empty",
        `Messages of ${props.namePrefix} ran out of receives and wait in the dead-letter queue (kept 14 days). Find why in the logs, fix the cause, then npm run redrive.`,
        sqs(props.deadLetterQueueName, "ApproximateNumberOfMessagesVisible"),
        // SQS may stop reporting an idle queue: keep the last state rather than call it OK.
        { statistic: "Maximum", threshold: 0, treatMissingData: "ignore" },
      ),
      "oldest-message-age": alarm(
        "oldest-message-age",
        `The oldest message in the ${props.namePrefix} queue is older than ${props.oldestMessageAgeSeconds} s, more than its retries can explain: the queue is not being consumed.`,
        sqs(props.queueName, "ApproximateAgeOfOldestMessage"),
        {
          statistic: "Maximum",
          threshold: props.oldestMessageAgeSeconds,
          treatMissingData: "notBreaching",
        },
      ),
      errors: alarm(
        "errors",
        `Lambda ${props.functionName} failed invocations (threw, timed out or crashed): the whole batch returns to the queue.`,
        lambda("Errors"),
        { statistic: "Sum", threshold: 0, treatMissingData: "notBreaching" },
      ),
      throttles: alarm(
        "throttles",
        `Lambda ${props.functionName} was throttled (concurrency limit): batches wait in the queue and use up receives.`,
        lambda("Throttles"),
        { statistic: "Sum", threshold: 0, treatMissingData: "notBreaching" },
      ),
    };
  }
}

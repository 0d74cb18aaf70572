/**
 * What the ingestion queue's names and timings are, derived once from an environment's
 * settings. Pure (no cdktf), so the stack, the config validation and `npm run redrive` agree
 * on which queue is which and when a message is older than any retry explains.
 */

/** AWS: visibility timeout at least six times the function timeout (plus the batching window). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** SQS's default retention, which the source queue keeps (4 days). */
export const SOURCE_QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
/** Slack for the poll that finally moves a message to the DLQ (one alarm period). */
export const DLQ_MOVE_SLACK_SECONDS = 60;

export interface IngestionQueueNames {
  /** The queue producers send to (the Lambda's event source). */
  readonly queueName: string;
  /** Where messages go after maxReceiveCount receives. */
  readonly deadLetterQueueName: string;
}

/** The queue takes the function's name; its DLQ adds "-dlq". */
export function ingestionQueueNames(functionName: string): IngestionQueueNames {
  return { queueName: functionName, deadLetterQueueName: deadLetterQueueName(functionName) };
}

export function deadLetterQueueName(queueName: string): string {
  return `${queueName}-dlq`;
}

export function visibilityTimeoutSeconds(
  lambdaTimeoutSeconds: number,
  maxBatchingWindowSeconds: number,
): number {
  return VISIBILITY_TIMEOUT_FACTOR * lambdaTimeoutSeconds + maxBatchingWindowSeconds;
}

export interface QueueTimings {
  readonly lambdaTimeoutSeconds: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxReceiveCount: number;
}

/**
 * The oldest age a message can reach in the source queue while it is merely being retried:
 * each of its maxReceiveCount receives hides it for one visibility timeout, and the poll after
 * the last one moves it to the DLQ. An older message means the queue is not being consumed
 * (mapping disabled, function throttled or failing before it reports), not that a record is bad.
 */
export function oldestMessageAgeThresholdSeconds(timings: QueueTimings): number {
  return (
    timings.maxReceiveCount *
      visibilityTimeoutSeconds(timings.lambdaTimeoutSeconds, timings.maxBatchingWindowSeconds) +
    DLQ_MOVE_SLACK_SECONDS
  );
}

/**
 * The Lambda's feed: an SQS queue (SSE on) whose messages move to a dead-letter queue after
 * `maxReceiveCount` receives, and the event source mapping that hands batches to the function
 * with ReportBatchItemFailures, so only the messages the handler reports are redelivered.
 */
import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { ITerraformDependable } from "cdktf";
import type { LambdaExecutionRole } from "./execution-role";
import { deadLetterQueueName, visibilityTimeoutSeconds } from "./ingestion-queue-settings";

/** 14 days, SQS's longest retention: time to inspect and redrive what failed. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** SQS's largest visibility timeout (12 hours). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** The exact SQS actions a Lambda event source mapping needs to consume a queue. */
export const CONSUME_ACTIONS = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:ChangeMessageVisibility",
] as const;

export interface IngestionQueueProps {
  /** The queue's name; the DLQ is `<queueName>-dlq`. */
  readonly queueName: string;
  /** ARN of the function fed by the queue (a reference, so the mapping is created after it). */
  readonly functionArn: string;
  /** Its timeout, to size the visibility timeout. */
  readonly lambdaTimeoutSeconds: number;
  /** Its execution role, granted exactly what consuming needs. */
  readonly role: LambdaExecutionRole;
  /** Records per invocation. @default 100 */
  readonly batchSize?: number;
  /** Seconds SQS may wait to fill a batch. @default 5 */
  readonly maxBatchingWindowSeconds?: number;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /**
   * What must exist before the trigger goes live, e.g. the wait after the Google grants.
   * @default nothing beyond the role's SQS permissions
   */
  readonly startAfter?: readonly ITerraformDependable[];
}

export class IngestionQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly eventSourceMapping: LambdaEventSourceMapping;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly deadLetterQueueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the DLQ, as configured. */
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: IngestionQueueProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 100;
    const window = props.maxBatchingWindowSeconds ?? 5;
    if (batchSize > 10 && window < 1) {
      throw new Error(
        `IngestionQueue ${props.queueName}: batchSize ${batchSize} needs maxBatchingWindowSeconds of at least 1 (AWS refuses a batch size above 10 without a batching window); set queue.maxBatchingWindowSeconds >= 1 or queue.batchSize <= 10`,
      );
    }
    this.visibilityTimeoutSeconds = visibilityTimeoutSeconds(props.lambdaTimeoutSeconds, window);
    if (this.visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw new Error(
        `IngestionQueue ${props.queueName}: visibility timeout ${this.visibilityTimeoutSeconds} s (6 x lambda timeout ${props.lambdaTimeoutSeconds} s + window ${window} s) exceeds SQS's ${MAX_VISIBILITY_TIMEOUT_SECONDS} s; lower lambda.timeoutSeconds`,
      );
    }

    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: deadLetterQueueName(props.queueName),
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DLQ_RETENTION_SECONDS,
    });
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: this.deadLetterQueue.arn,
        maxReceiveCount: this.maxReceiveCount,
      }),
    });
    this.queueArn = this.queue.arn;
    this.queueUrl = this.queue.url;
    this.deadLetterQueueArn = this.deadLetterQueue.arn;
    this.deadLetterQueueUrl = this.deadLetterQueue.url;

    const consume = this.grantConsume(props.role);
    this.eventSourceMapping = new LambdaEventSourceMapping(this, "event-source", {
      eventSourceArn: this.queue.arn,
      functionName: props.functionArn,
      batchSize,
      maximumBatchingWindowInSeconds: window,
      functionResponseTypes: ["ReportBatchItemFailures"],
      // AWS checks the role's SQS permissions when the mapping is created; the first batch
      // must also find the Google side ready (startAfter).
      dependsOn: [consume, ...(props.startAfter ?? [])],
    });
  }

  /** Receive, delete, read attributes of and extend visibility on this queue, and nothing else. */
  grantConsume(role: LambdaExecutionRole): IamRolePolicy {
    return role.addInlinePolicy("consume-ingestion-queue", [
      {
        Sid: "ConsumeIngestionQueue",
        Effect: "Allow",
        Action: [...CONSUME_ACTIONS],
        Resource: [this.queue.arn],
      },
    ]);
  }
}

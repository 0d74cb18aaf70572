/** SQS-shaped Lambda events, as the event source mapping delivers a batch. */
import { createHash, randomUUID } from "node:crypto";
import { awsArn, awsPartitionOf } from "../stacks/federation/partition";

export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<string, unknown>;
  readonly md5OfBody: string;
  readonly eventSource: "aws:sqs";
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export interface SqsEvent {
  readonly Records: SqsRecord[];
}

export interface SqsEventProps {
  readonly region: string;
  readonly accountId: string;
  /** @default "wif-bridge-queue" */
  readonly queueName?: string;
  /** @default 1 */
  readonly receiveCount?: number;
}

/** One batch, each body JSON-encoded (strings are sent as they are). */
export function sqsEvent(bodies: readonly unknown[], props: SqsEventProps): SqsEvent {
  const now = Date.now();
  return {
    Records: bodies.map((b) => {
      const body = typeof b === "string" ? b : JSON.stringify(b);
      return {
        messageId: randomUUID(),
        receiptHandle: `AQEB${createHash("sha256")
          .update(body + Math.random())
          .digest("base64")}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(props.receiveCount ?? 1),
          SentTimestamp: String(now),
          SenderId: "AIDAEXAMPLESENDER",
          ApproximateFirstReceiveTimestamp: String(now),
        },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: awsArn({
          partition: awsPartitionOf(props.region),
          service: "sqs",
          region: props.region,
          account: props.accountId,
          resource: props.queueName ?? "wif-bridge-queue",
        }),
        awsRegion: props.region,
      };
    }),
  };
}

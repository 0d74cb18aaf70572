import { Testing, TerraformStack } from "cdktf";
import { LambdaExecutionRole } from "../../stacks/aws/execution-role";
import {
  CONSUME_ACTIONS,
  DLQ_RETENTION_SECONDS,
  IngestionQueue,
  type IngestionQueueProps,
} from "../../stacks/aws/ingestion-queue";
import { exampleConfig, only, sharedSynthJson, type Json } from "../helpers/synth";

function synthQueue(props: Partial<IngestionQueueProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), "test");
  const role = new LambdaExecutionRole(stack, "role", {
    roleName: "fn-exec",
    accountId: "111122223333",
  });
  new IngestionQueue(stack, "ingestion", {
    queueName: "fn",
    functionArn: "arn:aws:lambda:eu-west-1:111122223333:function:fn",
    lambdaTimeoutSeconds: 60,
    role,
    ...props,
  });
  return JSON.parse(Testing.synth(stack));
}

/** The main queue (the one with a redrive policy), the DLQ, and `${...arn}` references to them. */
function queues(tf: Json) {
  const entries = Object.entries(tf.resource.aws_sqs_queue) as [string, Json][];
  const [queueKey, queue] = entries.find(([, q]) => q.redrive_policy)!;
  const [dlqKey, dlq] = entries.find(([, q]) => !q.redrive_policy)!;
  return {
    queue,
    dlq,
    queueArn: `\${aws_sqs_queue.${queueKey}.arn}`,
    dlqArn: `\${aws_sqs_queue.${dlqKey}.arn}`,
  };
}

describe("IngestionQueue", () => {
  it("encrypts both queues at rest (SQS-managed SSE)", () => {
    const { queue, dlq } = queues(synthQueue());
    expect(queue.sqs_managed_sse_enabled).toBe(true);
    expect(dlq.sqs_managed_sse_enabled).toBe(true);
  });

  it("keeps dead letters 14 days and redrives after maxReceiveCount receives", () => {
    const { queue, dlq, dlqArn } = queues(synthQueue({ maxReceiveCount: 7 }));
    expect(dlq.name).toBe("fn-dlq");
    expect(dlq.message_retention_seconds).toBe(DLQ_RETENTION_SECONDS);
    expect(DLQ_RETENTION_SECONDS).toBe(1_209_600);
    expect(JSON.parse(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 7,
    });
  });

  it("sets the visibility timeout to 6 x the Lambda timeout plus the batching window", () => {
    const { queue } = queues(
      synthQueue({ lambdaTimeoutSeconds: 90, maxBatchingWindowSeconds: 10 }),
    );
    expect(queue.visibility_timeout_seconds).toBe(6 * 90 + 10);
  });

  it("maps the queue to the function with ReportBatchItemFailures, batch size and window", () => {
    const tf = synthQueue({ batchSize: 250, maxBatchingWindowSeconds: 3 });
    const mapping = only(tf, "aws_lambda_event_source_mapping");
    expect(mapping).toMatchObject({
      event_source_arn: queues(tf).queueArn,
      function_name: "arn:aws:lambda:eu-west-1:111122223333:function:fn",
      batch_size: 250,
      maximum_batching_window_in_seconds: 3,
      function_response_types: ["ReportBatchItemFailures"],
    });
  });

  it("creates the mapping only after the role may consume the queue", () => {
    const tf = synthQueue();
    const mapping = only(tf, "aws_lambda_event_source_mapping");
    const [policyKey] = Object.keys(tf.resource.aws_iam_role_policy);
    expect(mapping.depends_on).toEqual([`aws_iam_role_policy.${policyKey}`]);
  });

  it("grants exactly the four consume actions on this queue's ARN, nothing wider", () => {
    const tf = synthQueue();
    const policy = only(tf, "aws_iam_role_policy");
    expect(policy.name).toBe("consume-ingestion-queue");
    expect(JSON.parse(policy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ConsumeIngestionQueue",
          Effect: "Allow",
          Action: [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
          ],
          Resource: [queues(tf).queueArn],
        },
      ],
    });
    expect(CONSUME_ACTIONS).toHaveLength(4);
  });

  it("refuses a batch size above 10 without a batching window, naming the fix", () => {
    expect(() => synthQueue({ batchSize: 50, maxBatchingWindowSeconds: 0 })).toThrow(
      /batchSize 50 needs maxBatchingWindowSeconds of at least 1 .*set queue.maxBatchingWindowSeconds >= 1 or queue.batchSize <= 10/,
    );
  });

  it("refuses a visibility timeout beyond SQS's 12 hours", () => {
    expect(() =>
      synthQueue({ lambdaTimeoutSeconds: 900, maxBatchingWindowSeconds: 300 }),
    ).not.toThrow();
    expect(() => synthQueue({ lambdaTimeoutSeconds: 7300 })).toThrow(
      /exceeds SQS's 43200 s; lower lambda.timeoutSeconds/,
    );
  });
});

describe("the bridge stack's ingestion", () => {
  const tf = sharedSynthJson(
    exampleConfig({ queue: { batchSize: 200, maxBatchingWindowSeconds: 4, maxReceiveCount: 3 } }),
  );

  it("feeds the Lambda from the queue with the configured batch settings", () => {
    const mapping = only(tf, "aws_lambda_event_source_mapping");
    expect(mapping.function_name).toMatch(/^\$\{aws_lambda_function\..*\.arn\}$/);
    expect(mapping.batch_size).toBe(200);
    expect(mapping.maximum_batching_window_in_seconds).toBe(4);
    const { queue } = queues(tf);
    expect(JSON.parse(queue.redrive_policy).maxReceiveCount).toBe(3);
    expect(queue.visibility_timeout_seconds).toBe(6 * 60 + 4);
  });

  it("outputs the queue and DLQ URLs and ARNs", () => {
    for (const name of ["queue_url", "queue_arn", "dlq_url", "dlq_arn"])
      expect(tf.output[name]).toBeDefined();
    expect(tf.output.queue_url.value).toMatch(/aws_sqs_queue\..*queue.*\.url/);
    expect(tf.output.dlq_arn.value).toMatch(/aws_sqs_queue\..*dlq.*\.arn/);
  });
});

/**
 * Moves an environment's dead-letter messages back to its source queue with SQS's own
 * StartMessageMoveTask (the console's "redrive"), after checking that the credentials are for
 * the environment's AWS account. Queue names come from ingestion-queue-settings.ts, the same
 * derivation the stack uses. Reports the count before, the progress (ListMessageMoveTasks) and
 * the result through `report`.
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { BridgeConfig, Pipeline } from "../../stacks/config";
import { ingestionQueueNames } from "../../stacks/aws/ingestion-queue-settings";

/** SQS's limit on MaxNumberOfMessagesPerSecond. */
export const MAX_MESSAGES_PER_SECOND = 500;

export interface RedriveOptions {
  readonly config: BridgeConfig;
  readonly sqs: SQSClient;
  readonly sts: STSClient;
  /** Which pipeline's queues (a file with several pipelines). @default the file's only pipeline */
  readonly pipeline?: string;
  /** Show what would move, move nothing. @default false */
  readonly dryRun?: boolean;
  /** Messages per second (1-500). @default SQS's system-optimized rate */
  readonly maxPerSecond?: number;
  /** @default console.log */
  readonly report?: (line: string) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Between progress polls. @default 2000 */
  readonly pollMs?: number;
}

export type RedriveOutcome =
  "nothing-to-move" | "dry-run" | "completed" | "already-running" | "failed" | "cancelled";

export interface RedriveResult {
  readonly outcome: RedriveOutcome;
  readonly before: number;
  readonly moved?: number;
  readonly after?: number;
}

/** A refusal the operator must act on (wrong account, missing queue); the message says how. */
export class RedriveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedriveError";
  }
}

interface QueueFacts {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly visible: number;
  readonly inFlight: number;
}

async function queueFacts(sqs: SQSClient, name: string, accountId: string): Promise<QueueFacts> {
  let url: string | undefined;
  try {
    url = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: accountId }))
    ).QueueUrl;
  } catch (err) {
    if ((err as { name?: string }).name === "QueueDoesNotExist") {
      throw new RedriveError(
        `queue ${name} does not exist in account ${accountId}; deploy the stack first (cdktf deploy), or check the environment name`,
      );
    }
    throw err;
  }
  if (!url) throw new RedriveError(`SQS returned no URL for queue ${name}`);
  const attributes =
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            "QueueArn",
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
          ],
        }),
      )
    ).Attributes ?? {};
  if (!attributes.QueueArn) throw new RedriveError(`SQS returned no ARN for queue ${name}`);
  return {
    name,
    url,
    arn: attributes.QueueArn,
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

async function latestTask(
  sqs: SQSClient,
  sourceArn: string,
): Promise<ListMessageMoveTasksResultEntry | undefined> {
  const tasks = (
    await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }))
  ).Results;
  return tasks?.[0];
}

function progress(task: ListMessageMoveTasksResultEntry): string {
  const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
  const toMove = task.ApproximateNumberOfMessagesToMove;
  return `${moved}${toMove !== undefined ? ` of ~${toMove}` : ""} moved`;
}

/** The pipeline whose queues to redrive: the named one, or the file's only one. */
function pipelineOf(config: BridgeConfig, name: string | undefined): Pipeline {
  const names = config.pipelines.map((p) => p.name).join(", ");
  if (name === undefined) {
    if (config.pipelines.length === 1) return config.pipelines[0];
    throw new RedriveError(
      `environment ${config.environment} has ${config.pipelines.length} pipelines (${names}); name one with --pipeline`,
    );
  }
  const found = config.pipelines.find((p) => p.name === name);
  if (!found) {
    throw new RedriveError(
      `--pipeline ${name}: environment ${config.environment} has no such pipeline; it has ${names}`,
    );
  }
  return found;
}

export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  const { config, sqs, sts } = options;
  const report = options.report ?? ((line: string) => console.log(line));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = options.pollMs ?? 2000;
  const max = options.maxPerSecond;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_MESSAGES_PER_SECOND)) {
    throw new RedriveError(
      `--max ${max}: expected a whole number of messages per second from 1 to ${MAX_MESSAGES_PER_SECOND}`,
    );
  }

  const pipeline = pipelineOf(config, options.pipeline);

  // 1. The credentials must be for the pipeline's account, before anything is read.
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const accountId = pipeline.accountId;
  if (identity.Account !== accountId) {
    throw new RedriveError(
      `the AWS credentials are for account ${identity.Account ?? "(unknown)"} (${identity.Arn ?? "no ARN"}), but ${config.pipelinesDeclared ? `pipeline ${pipeline.name} of environment ${config.environment} is in account ${accountId} (${accountId === config.aws.accountId ? "aws.accountId" : `pipelines[].aws.accountId`} in ${config.source})` : `environment ${config.environment} is in account ${accountId} (aws.accountId in ${config.source})`}; use credentials for ${accountId}`,
    );
  }

  // 2. The queues, by the names the stack gives them.
  const names = ingestionQueueNames(pipeline.names.functionName);
  const dlq = await queueFacts(sqs, names.deadLetterQueueName, accountId);
  const source = await queueFacts(sqs, names.queueName, accountId);
  report(
    `Dead-letter queue ${dlq.name}: ~${dlq.visible} message(s) to redrive${dlq.inFlight ? ` (+${dlq.inFlight} in flight, not moved until visible)` : ""}; destination ${source.name}.`,
  );

  const running = await latestTask(sqs, dlq.arn);
  if (running?.Status === "RUNNING") {
    report(
      `A move task from ${dlq.name} is already running (${progress(running)}). Wait for it, or cancel it: aws sqs cancel-message-move-task --task-handle ${running.TaskHandle}`,
    );
    return { outcome: "already-running", before: dlq.visible };
  }
  if (dlq.visible === 0) {
    report("Nothing to redrive.");
    return { outcome: "nothing-to-move", before: 0 };
  }
  const rate = max ? `at most ${max} message(s)/s` : "at SQS's optimized rate";
  if (options.dryRun) {
    report(
      `Dry run: would move ~${dlq.visible} message(s) from ${dlq.name} to ${source.name}, ${rate}. Nothing was moved.`,
    );
    return { outcome: "dry-run", before: dlq.visible };
  }

  // 3. Move, and follow the task until it ends.
  const started = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: dlq.arn,
      DestinationArn: source.arn,
      ...(max ? { MaxNumberOfMessagesPerSecond: max } : {}),
    }),
  );
  report(
    `Started moving ${dlq.name} -> ${source.name}, ${rate} (task ${started.TaskHandle ?? "?"}).`,
  );
  let task: ListMessageMoveTasksResultEntry | undefined;
  for (;;) {
    await sleep(pollMs);
    task = await latestTask(sqs, dlq.arn);
    if (!task) throw new RedriveError(`SQS lists no move task for ${dlq.name} after starting one`);
    if (task.Status !== "RUNNING") break;
    report(`  ${progress(task)}`);
  }
  const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
  const after = (await queueFacts(sqs, dlq.name, accountId)).visible;
  switch (task.Status) {
    case "COMPLETED":
      report(`Done: ${moved} message(s) moved to ${source.name}; ~${after} left in ${dlq.name}.`);
      return { outcome: "completed", before: dlq.visible, moved, after };
    case "CANCELLED":
      report(`Cancelled after ${moved} message(s); ~${after} left in ${dlq.name}.`);
      return { outcome: "cancelled", before: dlq.visible, moved, after };
    default:
      report(
        `Failed after ${moved} message(s): ${task.FailureReason ?? `status ${task.Status}`}; ~${after} left in ${dlq.name}. Fix the cause (e.g. permissions on ${source.name}) and run again.`,
      );
      return { outcome: "failed", before: dlq.visible, moved, after };
  }
}

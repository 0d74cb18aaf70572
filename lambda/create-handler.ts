/**
 * The handler, built from its dependencies so tests inject a fake Google, a fake clock and a
 * captured logger, while handler.ts wires the real ones once per container.
 *
 * Nothing is lost: every message either has all its rows in BigQuery or is reported in
 * batchItemFailures (SQS redelivers it, then moves it to the DLQ after maxReceiveCount).
 * A message is all or nothing at validation: one invalid record, or one limit passed
 * (message-limits.ts), fails the message and none of its rows is sent.
 */
import type { RuntimeConfig } from "./runtime-config";
import type { GoogleRequest } from "./google-request";
import type { Logger } from "./logger";
import { systemClock, type Clock } from "./clock";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
import { parseEvent, type IncomingMessage } from "./event-parsing";
import { formatProblems, listed, validateRecord } from "./record-validation";
import { columnPaths, writeRows, type PendingRow } from "./bigquery-writer";
import { rowBytes } from "./insert-batches";
import {
  messageLimitsFor,
  rowSizeViolation,
  type LimitName,
  type MessageLimits,
} from "./message-limits";
import { archiveBatch, archiveObjectName, ArchiveFailedError } from "./archive-writer";
import { archiveFailureCauseOf, type FailureCause } from "./failure-cause";
import type { GoogleErrorContext } from "./google-errors";
import { NO_METRICS, type HandlerMetrics } from "./metrics";

export interface HandlerDeps {
  readonly config: RuntimeConfig;
  readonly request: GoogleRequest;
  readonly logger: Logger;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retryPolicy?: RetryPolicy;
  /** Rows written and messages failed by cause, flushed after each invocation. @default NO_METRICS */
  readonly metrics?: HandlerMetrics;
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export type RecordResult =
  { index: number; status: "written" } | { index: number; status: "failed"; reason: string };

export interface DirectInvocationResponse {
  written: number;
  failed: number;
  results: RecordResult[];
}

export type Handler = (
  event: unknown,
  context: InvocationContext,
) => Promise<SqsBatchResponse | DirectInvocationResponse>;

export function errorContextFor(config: RuntimeConfig): GoogleErrorContext {
  const saUrl = config.credentialConfig.service_account_impersonation_url;
  return {
    projectId: config.projectId,
    datasetId: config.datasetId,
    tableId: config.tableId,
    archiveBucket: config.archiveBucket,
    audience: config.credentialConfig.audience,
    serviceAccountEmail: saUrl
      ? /serviceAccounts\/([^:/]+):generateAccessToken/.exec(saUrl)?.[1]
      : undefined,
    expectedRoleArn: config.expectedRoleArn,
    functionName: config.functionName,
  };
}

export function createHandler(deps: HandlerDeps): Handler {
  const { config, request } = deps;
  const clock = deps.clock ?? systemClock;
  const policy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const errorContext = errorContextFor(config);
  const metrics = deps.metrics ?? NO_METRICS;
  const limits = messageLimitsFor(config.tableSchema);
  const columns = columnPaths(config.tableSchema);

  const handle: Handler = async (event, context) => {
    const started = clock.now();
    const logger = deps.logger.child({ requestId: context.awsRequestId });
    const remainingMs = () => context.getRemainingTimeInMillis();
    const parsed = parseEvent(event, context.awsRequestId, limits);
    const { messages } = parsed;

    // 1. Limits, parse and validate: a bad message fails alone, with its reason.
    const failures = new Map<string, string>();
    const rows: PendingRow[] = [];
    for (const message of messages) {
      const rejection = rejectionOf(message, config, limits);
      if ("reason" in rejection) {
        failures.set(message.messageId, rejection.reason);
        metrics.messageFailed("InvalidRecord");
        logger.warn("message rejected", {
          messageId: message.messageId,
          reason: rejection.reason,
          ...(rejection.limit ? { limit: rejection.limit } : {}),
        });
        continue;
      }
      rows.push(...rejection.rows);
    }
    logger.info("batch received", {
      source: parsed.kind,
      batchSize: messages.length,
      recordCount: messages.reduce((n, m) => n + (m.records?.length ?? 0), 0),
      invalidMessages: failures.size,
    });

    // 2. Archive the raw batch first: if it cannot be archived, nothing is written.
    let archiveMs: number | undefined;
    if (config.archiveBucket && messages.length > 0) {
      const t0 = clock.now();
      const objectName = archiveObjectName(
        context.awsRequestId,
        new Date(t0),
        config.archivePrefix,
      );
      try {
        const { bytes } = await archiveBatch(messages, objectName, {
          request,
          storageEndpoint: config.storageEndpoint,
          bucket: config.archiveBucket,
          errorContext,
          policy,
          clock,
          remainingMs,
          logger,
        });
        archiveMs = clock.now() - t0;
        logger.info("batch archived", {
          object: `gs://${config.archiveBucket}/${objectName}`,
          bytes,
          archiveMs,
        });
      } catch (err) {
        const reason = (err as Error).message;
        const cause: FailureCause =
          err instanceof ArchiveFailedError ? archiveFailureCauseOf(err.described) : "Archive";
        logger.error(reason, { object: `gs://${config.archiveBucket}/${objectName}` });
        for (const message of messages)
          if (!failures.has(message.messageId)) {
            failures.set(message.messageId, reason);
            metrics.messageFailed(cause);
          }
        metrics.rowsWritten(0);
        return respond(parsed.kind, messages, failures, 0, logger, {
          durationMs: clock.now() - started,
        });
      }
    }

    // 3. Insert the valid rows; whatever did not land is a failure of its message.
    const t1 = clock.now();
    const result =
      rows.length > 0
        ? await writeRows(rows, {
            request,
            bigqueryEndpoint: config.bigqueryEndpoint,
            columns,
            errorContext,
            policy,
            clock,
            remainingMs,
            logger,
          })
        : {
            rowsWritten: 0,
            failures: new Map<string, string>(),
            failureCauses: new Map(),
            requests: 0,
          };
    metrics.rowsWritten(result.rowsWritten);
    for (const [messageId, reason] of result.failures) {
      if (!failures.has(messageId)) {
        failures.set(messageId, reason);
        metrics.messageFailed(result.failureCauses.get(messageId) ?? "GoogleUnavailable");
        logger.warn("message not written", { messageId, reason });
      }
    }
    return respond(parsed.kind, messages, failures, result.rowsWritten, logger, {
      insertRequests: result.requests,
      insertMs: clock.now() - t1,
      ...(archiveMs !== undefined ? { archiveMs } : {}),
      durationMs: clock.now() - started,
    });
  };

  return async (event, context) => {
    try {
      return await handle(event, context);
    } finally {
      // Metrics must never fail a batch whose messages were handled.
      try {
        metrics.flush();
      } catch (err) {
        deps.logger.warn("metrics not written", { error: err });
      }
    }
  };
}

/**
 * The message's rows, or why it fails: over a limit, not JSON, or a record that does not fit
 * the schema. Rows are measured (serialized) only once the depth limit and the schema hold.
 */
function rejectionOf(
  message: IncomingMessage,
  config: RuntimeConfig,
  limits: MessageLimits,
): { rows: PendingRow[] } | { reason: string; limit?: LimitName } {
  if (message.parseError) return { reason: message.parseError, limit: message.limit };
  const records = message.records!;
  const problems: string[] = [];
  records.forEach((record, index) => {
    const validation = validateRecord(record, config.tableSchema);
    if (!validation.ok) {
      const where = records.length > 1 ? `record ${index}: ` : "";
      problems.push(`${where}${formatProblems(validation.problems)}`);
    }
  });
  if (problems.length > 0)
    return { reason: `invalid record: ${listed(problems, " | ", "invalid records")}` };
  const rows = records.map((record, index) => ({
    messageId: message.messageId,
    insertId: `${message.messageId}:${index}`,
    json: record as Record<string, unknown>,
  }));
  const tooLarge = rowSizeViolation(rows.map(rowBytes), limits);
  return tooLarge ? tooLarge : { rows };
}

function respond(
  kind: "sqs" | "direct",
  messages: readonly IncomingMessage[],
  failures: ReadonlyMap<string, string>,
  rowsWritten: number,
  logger: Logger,
  timings: Record<string, number>,
): SqsBatchResponse | DirectInvocationResponse {
  logger.info("batch done", {
    source: kind,
    batchSize: messages.length,
    rowsWritten,
    failedMessages: failures.size,
    failedMessageIds: [...failures.keys()],
    ...timings,
  });
  if (kind === "sqs") {
    return {
      batchItemFailures: messages
        .filter((m) => failures.has(m.messageId))
        .map((m) => ({ itemIdentifier: m.messageId })),
    };
  }
  const results: RecordResult[] = messages.map((m, index) => {
    const reason = failures.get(m.messageId);
    return reason === undefined
      ? { index, status: "written" }
      : { index, status: "failed", reason };
  });
  return { written: results.length - failures.size, failed: failures.size, results };
}

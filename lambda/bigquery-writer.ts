/**
 * Writes validated rows with tabledata.insertAll through the auth client and says per message
 * whether its rows landed. A message lands whole or not at all:
 *
 * - skipInvalidRows is false, so a request with a bad row writes nothing (BigQuery reports the
 *   other rows as "stopped"). The messages of the bad rows fail; the rows of the other messages
 *   are sent again at once, same insertIds, without them.
 * - The rows of a message go in one request (unless they alone exceed one), and a message with a
 *   row too large for any request sends none of its rows.
 *
 * So a failed message left nothing behind, and its redelivery (minutes later, after the
 * visibility timeout) cannot duplicate rows: BigQuery's insertId de-duplication is best effort
 * and lasts about a minute; it covers our own immediate retries of a request whose answer was lost.
 */
import { planInsertBatches, type InsertLimits, type InsertRow } from "./insert-batches";
import { describeGoogleError, failureMessage, type GoogleErrorContext } from "./google-errors";
import { withGoogleRetry, type GoogleCallProps } from "./google-call";
import { failureCauseOf, type FailureCause } from "./failure-cause";
import type { TableField } from "../stacks/schema/table-schema";

export interface PendingRow extends InsertRow {
  readonly messageId: string;
}

export interface InsertError {
  readonly index: number;
  readonly errors?: readonly { reason?: string; location?: string; message?: string }[];
}

interface InsertAllResponse {
  readonly insertErrors?: readonly InsertError[];
}

export interface WriteResult {
  /** Rows BigQuery accepted. */
  readonly rowsWritten: number;
  /** Messages with at least one row not written, and why. */
  readonly failures: ReadonlyMap<string, string>;
  /** The same messages, by cause (the MessagesFailed metric). */
  readonly failureCauses: ReadonlyMap<string, FailureCause>;
  readonly requests: number;
}

export interface BigQueryWriterProps extends GoogleCallProps {
  readonly bigqueryEndpoint: string;
  /** The table's column paths (columnPaths), which a row error may name. @default none */
  readonly columns?: ReadonlySet<string>;
  /** @default BIGQUERY_INSERT_LIMITS */
  readonly limits?: InsertLimits;
}

export function insertAllUrl(endpoint: string, ctx: GoogleErrorContext): string {
  const p = (s: string) => encodeURIComponent(s);
  return `${endpoint}/bigquery/v2/projects/${p(ctx.projectId)}/datasets/${p(ctx.datasetId)}/tables/${p(ctx.tableId)}/insertAll`;
}

/** True when BigQuery only says the row was not written because another row was invalid. */
function isStoppedOnly(error: InsertError): boolean {
  const errors = error.errors ?? [];
  return errors.length > 0 && errors.every((e) => e.reason === "stopped");
}

/** Every column path of the schema (`a`, `a.b`), the locations a row error may name. */
export function columnPaths(fields: readonly TableField[], prefix = ""): Set<string> {
  const paths = new Set<string>();
  for (const field of fields) {
    const path = prefix ? `${prefix}.${field.name}` : field.name;
    paths.add(path);
    if (field.fields) for (const inner of columnPaths(field.fields, path)) paths.add(inner);
  }
  return paths;
}

/**
 * Why a row listed in insertErrors was not written: BigQuery's reason, and its location when
 * that is a column of the table. BigQuery's row message is not repeated, since it may quote the
 * value ("Could not parse '…'"), nor a location that is not a column (an unknown key's text).
 */
export function insertErrorReason(
  error: InsertError,
  columns: ReadonlySet<string> = new Set(),
): string {
  const errors = error.errors ?? [];
  if (isStoppedOnly(error)) {
    return "not written: BigQuery stopped the request because another row in it was invalid; SQS will redeliver it";
  }
  const where = (location: string | undefined) => {
    if (!location) return "";
    const column = location.replace(/\[\d+\]/g, "");
    return columns.has(column) ? `${location}: ` : "a field that is not a column: ";
  };
  const parts = errors
    .filter((e) => e.reason !== "stopped")
    .map((e) => `${where(e.location)}${e.reason ?? "error"}`);
  return `BigQuery rejected the row: ${parts.join("; ") || "no reason given"}`;
}

export async function writeRows(
  rows: readonly PendingRow[],
  props: BigQueryWriterProps,
): Promise<WriteResult> {
  const failures = new Map<string, string>();
  const failureCauses = new Map<string, FailureCause>();
  const fail = (messageId: string, reason: string, cause: FailureCause) => {
    if (!failures.has(messageId)) {
      failures.set(messageId, reason);
      failureCauses.set(messageId, cause);
    }
  };
  const plan = planInsertBatches(rows, props.limits, (row) => row.messageId);
  for (const { row, bytes } of plan.oversized) {
    fail(
      row.messageId,
      `row ${row.insertId} is ${bytes} bytes; BigQuery's insertAll takes at most 10 MB per request`,
      "InvalidRecord",
    );
  }
  const url = insertAllUrl(props.bigqueryEndpoint, props.errorContext);
  let rowsWritten = 0;
  let requests = 0;
  // After an error that every later request would repeat (auth, missing table), stop calling.
  let fatal: string | undefined;
  let fatalCause: FailureCause = "GoogleDenied";

  for (const [n, batch] of plan.batches.entries()) {
    // Rows of messages that already failed (an oversized row) are not sent.
    let pending = batch.filter((row) => !failures.has(row.messageId));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (fatal) {
        for (const row of pending) fail(row.messageId, fatal, fatalCause);
        break;
      }
      const operation =
        `BigQuery insertAll request ${n + 1}/${plan.batches.length} (${pending.length} rows)` +
        (attempt > 1 ? `, resent without rejected messages` : "");
      try {
        const sent = pending;
        const response = await withGoogleRetry(
          props,
          operation,
          "retrying BigQuery insertAll",
          (_attempt, timeout) => {
            requests++;
            return props.request<InsertAllResponse>({
              url,
              method: "POST",
              timeout,
              responseType: "json",
              data: {
                kind: "bigquery#tableDataInsertAllRequest",
                skipInvalidRows: false,
                ignoreUnknownValues: false,
                rows: sent.map((r) => ({ insertId: r.insertId, json: r.json })),
              },
            });
          },
        );
        const insertErrors = response.data?.insertErrors ?? [];
        if (insertErrors.length === 0) {
          rowsWritten += pending.length;
          break;
        }
        // Nothing of this request was written. Fail the messages of the rejected rows and
        // send the others again.
        const rejected = new Set<string>();
        for (const insertError of insertErrors) {
          const row = pending[insertError.index];
          if (!row || isStoppedOnly(insertError)) continue;
          rejected.add(row.messageId);
          fail(row.messageId, insertErrorReason(insertError, props.columns), "InvalidRecord");
        }
        if (rejected.size === 0) {
          // Only "stopped" rows and no culprit: resending would get the same answer.
          for (const row of pending)
            fail(
              row.messageId,
              insertErrorReason(insertErrors[0], props.columns),
              "GoogleUnavailable",
            );
          break;
        }
        pending = pending.filter((row) => !rejected.has(row.messageId));
      } catch (err) {
        const described = describeGoogleError(err, props.errorContext);
        const message = failureMessage(described, "insert");
        props.logger.error(message, {
          operation,
          service: described.service,
          status: described.status,
          reason: described.reason,
        });
        const cause = failureCauseOf(described);
        for (const row of pending) fail(row.messageId, message, cause);
        const everyRequestWouldFail =
          !described.retryable &&
          (described.service === "sts" ||
            described.service === "iam" ||
            described.reason === "time-budget-exhausted" ||
            [401, 403, 404].includes(described.status ?? 0));
        if (everyRequestWouldFail) {
          fatal = message;
          fatalCause = cause;
        }
        break;
      }
    }
  }
  return { rowsWritten, failures, failureCauses, requests };
}

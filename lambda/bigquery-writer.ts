/**
 * Writes validated rows with tabledata.insertAll through the auth client, one request per
 * planned batch, and says per message whether all its rows landed.
 *
 * skipInvalidRows is true: the valid rows of a request land and only the bad rows come back in
 * insertErrors. (With false, one bad row rejects the request and every other row is reported
 * with reason "stopped".) Either way every row listed in insertErrors was NOT written, so its
 * message is reported as failed and SQS redelivers it; the rows of that message that did land
 * are deduplicated on redelivery by their insertId `<messageId>:<index>`.
 */
import { planInsertBatches, type InsertLimits, type InsertRow } from "./insert-batches";
import { describeGoogleError, type GoogleErrorContext } from "./google-errors";
import { withGoogleRetry, type GoogleCallProps } from "./google-call";

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
  readonly requests: number;
}

export interface BigQueryWriterProps extends GoogleCallProps {
  readonly bigqueryEndpoint: string;
  /** @default BIGQUERY_INSERT_LIMITS */
  readonly limits?: InsertLimits;
}

export function insertAllUrl(endpoint: string, ctx: GoogleErrorContext): string {
  const p = (s: string) => encodeURIComponent(s);
  return `${endpoint}/bigquery/v2/projects/${p(ctx.projectId)}/datasets/${p(ctx.datasetId)}/tables/${p(ctx.tableId)}/insertAll`;
}

/** Why a row listed in insertErrors was not written, from its error reasons. */
export function insertErrorReason(error: InsertError): string {
  const errors = error.errors ?? [];
  if (errors.length > 0 && errors.every((e) => e.reason === "stopped")) {
    return "not written: BigQuery stopped the request because another row in it was invalid; SQS will redeliver it";
  }
  const parts = errors
    .filter((e) => e.reason !== "stopped")
    .map(
      (e) =>
        `${e.location ? `${e.location}: ` : ""}${e.reason ?? "error"}${e.message ? ` (${e.message})` : ""}`,
    );
  return `BigQuery rejected the row: ${parts.join("; ") || "no reason given"}`;
}

export async function writeRows(
  rows: readonly PendingRow[],
  props: BigQueryWriterProps,
): Promise<WriteResult> {
  const failures = new Map<string, string>();
  const fail = (messageId: string, reason: string) => {
    if (!failures.has(messageId)) failures.set(messageId, reason);
  };
  const plan = planInsertBatches(rows, props.limits);
  for (const { row, bytes } of plan.oversized) {
    fail(
      row.messageId,
      `row ${row.insertId} is ${bytes} bytes; BigQuery's insertAll takes at most 10 MB per request`,
    );
  }
  const url = insertAllUrl(props.bigqueryEndpoint, props.errorContext);
  let rowsWritten = 0;
  let requests = 0;
  // After an error that every later request would repeat (auth, missing table), stop calling.
  let fatal: string | undefined;

  for (const [n, batch] of plan.batches.entries()) {
    if (fatal) {
      for (const row of batch) fail(row.messageId, fatal);
      continue;
    }
    const operation = `BigQuery insertAll request ${n + 1}/${plan.batches.length} (${batch.length} rows)`;
    try {
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
              skipInvalidRows: true,
              ignoreUnknownValues: false,
              rows: batch.map((r) => ({ insertId: r.insertId, json: r.json })),
            },
          });
        },
      );
      const insertErrors = response.data?.insertErrors ?? [];
      const failedRows = new Set<number>();
      for (const insertError of insertErrors) {
        const row = batch[insertError.index];
        if (!row) continue;
        failedRows.add(insertError.index);
        fail(row.messageId, insertErrorReason(insertError));
      }
      rowsWritten += batch.length - failedRows.size;
    } catch (err) {
      const described = describeGoogleError(err, props.errorContext);
      props.logger.error(described.message, {
        operation,
        service: described.service,
        status: described.status,
        reason: described.reason,
      });
      for (const row of batch) fail(row.messageId, described.message);
      const everyRequestWouldFail =
        !described.retryable &&
        (described.service === "sts" ||
          described.service === "iam" ||
          described.reason === "time-budget-exhausted" ||
          [401, 403, 404].includes(described.status ?? 0));
      if (everyRequestWouldFail) fatal = described.message;
    }
  }
  return { rowsWritten, failures, requests };
}

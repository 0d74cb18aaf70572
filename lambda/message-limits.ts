/**
 * Per-message limits, checked before anything of the message is serialized, so a hostile
 * message fails alone (its id in batchItemFailures, the limit named in the log) and its
 * neighbours land. They follow what BigQuery would refuse anyway, and what keeps a message
 * inside one all-or-nothing insertAll request:
 *
 * - nesting: "The JSON data type has a nesting limit of 500" and "A schema cannot contain more
 *   than 15 levels of nested RECORD types" (cloud.google.com/bigquery/docs/json-data,
 *   /nested-repeated). The deepest record the table's schema admits follows from the schema;
 *   anything deeper cannot be a valid row, and it is measured without recursion.
 * - row size: streaming inserts take rows of at most 10 MB, in requests of at most 10 MB
 *   (cloud.google.com/bigquery/quotas#streaming_inserts).
 * - records and bytes per message: one request's worth (insert-batches.ts), so a message is
 *   written by a single request, all or nothing.
 */
import { isRecordType, type TableField } from "../stacks/schema/table-schema";
import { MAX_REQUEST_BYTES, MAX_ROWS_PER_REQUEST, REQUEST_ENVELOPE_BYTES } from "./insert-batches";
import { jsonTextDepth, jsonValueDepth } from "./json-depth";

export const BIGQUERY_JSON_NESTING_LIMIT = 500;
export const BIGQUERY_RECORD_NESTING_LIMIT = 15;
/** Bytes of one row (its insertAll JSON) and of one message's rows together. */
export const MAX_ROW_BYTES = MAX_REQUEST_BYTES - REQUEST_ENVELOPE_BYTES;
export const MAX_MESSAGE_BYTES = MAX_REQUEST_BYTES - REQUEST_ENVELOPE_BYTES;
export const MAX_RECORDS_PER_MESSAGE = MAX_ROWS_PER_REQUEST;

export type LimitName = "nesting depth" | "message size" | "records per message" | "row size";

export interface MessageLimits {
  /** Deepest nesting of a message body: a JSON array of the deepest records the schema admits. */
  readonly maxDepth: number;
  readonly maxRecords: number;
  readonly maxMessageBytes: number;
  readonly maxRowBytes: number;
}

/** A message over a limit: which one, and a reason that names it (never the content). */
export interface LimitViolation {
  readonly limit: LimitName;
  readonly reason: string;
}

/**
 * The deepest record the schema admits: the record object, one level per RECORD (and per
 * REPEATED array), and a JSON column's own 500. Recursion follows the schema, which config
 * validation keeps within 15 RECORD levels, never the data.
 */
export function recordDepthAllowed(fields: readonly TableField[]): number {
  let deepestField = 0;
  for (const field of fields) {
    const array = field.mode === "REPEATED" ? 1 : 0;
    const inner = isRecordType(field.type)
      ? recordDepthAllowed(field.fields ?? [])
      : field.type === "JSON"
        ? BIGQUERY_JSON_NESTING_LIMIT
        : 0;
    deepestField = Math.max(deepestField, array + inner);
  }
  return 1 + deepestField;
}

export function messageLimitsFor(fields: readonly TableField[]): MessageLimits {
  return {
    maxDepth: 1 + recordDepthAllowed(fields),
    maxRecords: MAX_RECORDS_PER_MESSAGE,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    maxRowBytes: MAX_ROW_BYTES,
  };
}

const violation = (limit: LimitName, detail: string): LimitViolation => ({
  limit,
  reason: `over the ${limit} limit: ${detail}`,
});

/** An SQS body over the size or depth limit, checked on the text before it is parsed. */
export function bodyLimitViolation(
  body: string,
  limits: MessageLimits,
): LimitViolation | undefined {
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > limits.maxMessageBytes)
    return violation(
      "message size",
      `the body is ${bytes} bytes; one message is written by one insertAll request of at most ${limits.maxMessageBytes} bytes`,
    );
  if (jsonTextDepth(body, limits.maxDepth) > limits.maxDepth) return depthViolation(limits);
  return undefined;
}

/** A record (already parsed, e.g. by the Lambda runtime for a direct invocation) nested too deep. */
export function valueDepthViolation(
  value: unknown,
  limits: MessageLimits,
): LimitViolation | undefined {
  // A direct invocation's record stands alone: one level less than a body's array.
  const max = limits.maxDepth - 1;
  return jsonValueDepth(value, max) > max ? depthViolation(limits) : undefined;
}

function depthViolation(limits: MessageLimits): LimitViolation {
  return violation(
    "nesting depth",
    `the message nests deeper than ${limits.maxDepth} levels, the most this table's schema admits (BigQuery: ${BIGQUERY_RECORD_NESTING_LIMIT} levels of RECORD, ${BIGQUERY_JSON_NESTING_LIMIT} levels in a JSON value)`,
  );
}

export function recordCountViolation(
  count: number,
  limits: MessageLimits,
): LimitViolation | undefined {
  return count > limits.maxRecords
    ? violation(
        "records per message",
        `the message carries ${count} records; at most ${limits.maxRecords} (one insertAll request) so it is written all or nothing`,
      )
    : undefined;
}

/** Rows of a message whose insertAll JSON is over the row or message size. */
export function rowSizeViolation(
  rowBytes: readonly number[],
  limits: MessageLimits,
): LimitViolation | undefined {
  const largest = rowBytes.reduce((max, n, i) => (n > rowBytes[max] ? i : max), 0);
  if (rowBytes.length > 0 && rowBytes[largest] > limits.maxRowBytes)
    return violation(
      "row size",
      `record ${largest} is ${rowBytes[largest]} bytes as an insertAll row; BigQuery takes rows of at most ${limits.maxRowBytes} bytes`,
    );
  const total = rowBytes.reduce((n, b) => n + b, 0);
  if (total > limits.maxMessageBytes)
    return violation(
      "message size",
      `its rows are ${total} bytes together; one message is written by one insertAll request of at most ${limits.maxMessageBytes} bytes`,
    );
  return undefined;
}

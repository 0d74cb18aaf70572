/**
 * Splits rows into insertAll requests that stay inside BigQuery's streaming limits
 * (https://cloud.google.com/bigquery/quotas#streaminginserts): "Maximum rows per request:
 * 50,000 ... A maximum of 500 rows is recommended" and "HTTP request size limit: 10 MB" (also
 * the maximum row size). We use the recommended 500 rows and 10,000,000 bytes (10 MB read as
 * decimal, the stricter reading) for the whole JSON request body.
 */

export const MAX_ROWS_PER_REQUEST = 500;
export const MAX_REQUEST_BYTES = 10_000_000;
/** Room for the request envelope around the rows (`{"skipInvalidRows":...,"rows":[...]}`). */
export const REQUEST_ENVELOPE_BYTES = 1_024;

export interface InsertRow {
  readonly insertId: string;
  readonly json: Record<string, unknown>;
}

export interface InsertLimits {
  readonly maxRows: number;
  readonly maxBytes: number;
}

export const BIGQUERY_INSERT_LIMITS: InsertLimits = {
  maxRows: MAX_ROWS_PER_REQUEST,
  maxBytes: MAX_REQUEST_BYTES,
};

export interface InsertPlan<T> {
  /** Requests to send, rows in input order. */
  readonly batches: T[][];
  /** Rows that alone exceed the byte limit: they can never be inserted. */
  readonly oversized: { readonly row: T; readonly bytes: number }[];
}

// Rows are measured twice (the per-message size limit, then the request plan): serialize once.
const measured = new WeakMap<InsertRow, number>();

/** Bytes a row adds to the request body: its JSON and the comma that separates it. */
export function rowBytes(row: InsertRow): number {
  let bytes = measured.get(row);
  if (bytes === undefined) {
    bytes =
      Buffer.byteLength(JSON.stringify({ insertId: row.insertId, json: row.json }), "utf8") + 1;
    measured.set(row, bytes);
  }
  return bytes;
}

/**
 * Packs rows into requests in order. With `groupOf` (e.g. the SQS message id), the rows of one
 * group start a new request rather than straddle two, unless the group alone is larger than a
 * request; so a message is normally written by one all-or-nothing request.
 */
export function planInsertBatches<T extends InsertRow>(
  rows: readonly T[],
  limits: InsertLimits = BIGQUERY_INSERT_LIMITS,
  groupOf?: (row: T) => string,
): InsertPlan<T> {
  const budget = limits.maxBytes - REQUEST_ENVELOPE_BYTES;
  const batches: T[][] = [];
  const oversized: { row: T; bytes: number }[] = [];
  let current: T[] = [];
  let currentBytes = 0;
  const flush = () => {
    if (current.length > 0) batches.push(current);
    current = [];
    currentBytes = 0;
  };

  const sized = rows.map((row) => ({ row, bytes: rowBytes(row) }));
  for (let start = 0; start < sized.length;) {
    // The run of consecutive rows of one group (a single row without groupOf).
    let end = start + 1;
    if (groupOf) {
      const key = groupOf(sized[start].row);
      while (end < sized.length && groupOf(sized[end].row) === key) end++;
    }
    const group = sized.slice(start, end).filter(({ row, bytes }) => {
      if (bytes <= budget) return true;
      oversized.push({ row, bytes });
      return false;
    });
    const groupBytes = group.reduce((n, r) => n + r.bytes, 0);
    if (current.length + group.length > limits.maxRows || currentBytes + groupBytes > budget) {
      flush();
    }
    for (const { row, bytes } of group) {
      if (current.length >= limits.maxRows || currentBytes + bytes > budget) flush();
      current.push(row);
      currentBytes += bytes;
    }
    start = end;
  }
  flush();
  return { batches, oversized };
}

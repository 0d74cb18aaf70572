import {
  columnPaths,
  insertErrorReason,
  writeRows,
  type PendingRow,
} from "../../lambda/bigquery-writer";
import type { GoogleRequest, GoogleRequestOptions } from "../../lambda/google-request";
import { DEFAULT_RETRY_POLICY } from "../../lambda/retry";
import { capturedLogger, FakeClock } from "./test-support";

const ctx = { projectId: "proj", datasetId: "ds", tableId: "events" };

function rowsFor(messages: Record<string, number>): PendingRow[] {
  return Object.entries(messages).flatMap(([messageId, count]) =>
    Array.from({ length: count }, (_, i) => ({
      messageId,
      insertId: `${messageId}:${i}`,
      json: { n: i },
    })),
  );
}

/** A request function answering each insertAll with the next scripted answer. */
function scripted(
  answers: ((body: { rows: { insertId: string }[]; skipInvalidRows: boolean }) => unknown)[],
) {
  const sent: GoogleRequestOptions[] = [];
  const request = (async (options: GoogleRequestOptions) => {
    sent.push(options);
    const answer = answers.shift();
    const result = answer ? answer(options.data as never) : {};
    if (result instanceof Error) throw result;
    return { status: 200, data: result };
  }) as GoogleRequest;
  return { request, sent };
}

function write(
  rows: PendingRow[],
  request: GoogleRequest,
  limits = { maxRows: 500, maxBytes: 10_000_000 },
) {
  const clock = new FakeClock(0);
  const log = capturedLogger();
  const result = writeRows(rows, {
    request,
    bigqueryEndpoint: "http://bq",
    columns: new Set(["n"]),
    errorContext: ctx,
    policy: DEFAULT_RETRY_POLICY,
    clock,
    remainingMs: () => 60_000 - clock.time,
    logger: log.logger,
    limits,
  });
  return { result, log };
}

describe("writing rows with insertAll", () => {
  it("posts to the table's insertAll URL, all-or-nothing (skipInvalidRows false), with insertIds", async () => {
    const { request, sent } = scripted([() => ({})]);
    const { result } = write(rowsFor({ a: 2 }), request);
    expect(await result).toMatchObject({ rowsWritten: 2, requests: 1 });
    expect(sent[0].url).toBe(
      "http://bq/bigquery/v2/projects/proj/datasets/ds/tables/events/insertAll",
    );
    expect(sent[0].data).toMatchObject({
      skipInvalidRows: false,
      ignoreUnknownValues: false,
      rows: [
        { insertId: "a:0", json: { n: 0 } },
        { insertId: "a:1", json: { n: 1 } },
      ],
    });
  });

  it("maps insertErrors back to their messages, fails those whole and resends the others at once", async () => {
    const stopped = { errors: [{ reason: "stopped" }] };
    const { request, sent } = scripted([
      () => ({
        insertErrors: [
          { index: 0, ...stopped },
          { index: 1, ...stopped },
          { index: 2, ...stopped },
          { index: 3, errors: [{ reason: "invalid", location: "n", message: "bad" }] },
          { index: 4, ...stopped },
        ],
      }),
      () => ({}),
    ]);
    const { result } = write(rowsFor({ a: 2, b: 2, c: 1 }), request);
    const { failures, rowsWritten, requests } = await result;
    expect([...failures.keys()]).toEqual(["b"]);
    expect(failures.get("b")).toBe("BigQuery rejected the row: n: invalid");
    // b's valid row is not resent: a failed message leaves no row behind to duplicate later.
    expect((sent[1].data as { rows: { insertId: string }[] }).rows.map((r) => r.insertId)).toEqual([
      "a:0",
      "a:1",
      "c:0",
    ]);
    expect(rowsWritten).toBe(3);
    expect(requests).toBe(2);
  });

  it("maps indexes per request when rows span several requests", async () => {
    const { request, sent } = scripted([
      () => ({}),
      () => ({
        insertErrors: [
          { index: 0, errors: [{ reason: "stopped" }] },
          { index: 1, errors: [{ reason: "invalid" }] },
        ],
      }),
      () => ({}),
    ]);
    const { result } = write(rowsFor({ a: 1, b: 1, c: 1, d: 1, e: 1 }), request, {
      maxRows: 3,
      maxBytes: 10_000_000,
    });
    const { failures, rowsWritten, requests } = await result;
    expect(sent.map((s) => (s.data as { rows: unknown[] }).rows.length)).toEqual([3, 2, 1]);
    expect([...failures.keys()]).toEqual(["e"]);
    expect(rowsWritten).toBe(4);
    expect(requests).toBe(3);
  });

  it("keeps a message's rows in one request rather than straddling two", async () => {
    const { request, sent } = scripted([() => ({}), () => ({})]);
    const { result } = write(rowsFor({ a: 2, b: 2 }), request, {
      maxRows: 3,
      maxBytes: 10_000_000,
    });
    expect(await result).toMatchObject({ rowsWritten: 4, requests: 2 });
    expect(sent.map((s) => (s.data as { rows: unknown[] }).rows.length)).toEqual([2, 2]);
  });

  it('writes the rows BigQuery "stopped" for another row\'s sake, and fails only the bad message', async () => {
    const { request } = scripted([
      () => ({
        insertErrors: [
          { index: 0, errors: [{ reason: "invalid", message: "no such field" }] },
          { index: 1, errors: [{ reason: "stopped" }] },
        ],
      }),
      () => ({}),
    ]);
    const { result } = write(rowsFor({ bad: 1, innocent: 1 }), request);
    const { failures, rowsWritten } = await result;
    expect([...failures.keys()]).toEqual(["bad"]);
    expect(failures.get("bad")).toBe("BigQuery rejected the row: invalid");
    expect(rowsWritten).toBe(1);
  });

  it('fails as "not written" when BigQuery reports only stopped rows, without looping', async () => {
    const { request, sent } = scripted([
      () => ({ insertErrors: [{ index: 0, errors: [{ reason: "stopped" }] }] }),
    ]);
    const { result } = write(rowsFor({ a: 1 }), request);
    const { failures } = await result;
    expect(failures.get("a")).toMatch(/^not written: BigQuery stopped the request/);
    expect(sent).toHaveLength(1);
  });

  it("fails every message of a request that failed for good, and stops calling after a 404", async () => {
    const notFound = Object.assign(new Error("Not found"), {
      config: { url: "http://bq/bigquery/v2/x" },
      response: { status: 404, data: {} },
    });
    const { request, sent } = scripted([() => notFound, () => ({})]);
    const { result, log } = write(rowsFor({ a: 1, b: 1, c: 1 }), request, {
      maxRows: 2,
      maxBytes: 10_000_000,
    });
    const { failures } = await result;
    expect([...failures.keys()]).toEqual(["a", "b", "c"]);
    expect(sent).toHaveLength(1);
    expect(log.entries()[0]).toMatchObject({ level: "ERROR", service: "bigquery", status: 404 });
  });

  it("fails the message of a row too large for any request, and writes the rest", async () => {
    const { request } = scripted([() => ({})]);
    const rows = [
      ...rowsFor({ a: 1 }),
      { messageId: "huge", insertId: "huge:0", json: { n: "x".repeat(2000) } },
    ];
    const { result } = write(rows, request, { maxRows: 500, maxBytes: 1500 });
    const { failures, rowsWritten } = await result;
    expect(failures.get("huge")).toMatch(
      /bytes; BigQuery's insertAll takes at most 10 MB per request/,
    );
    expect(rowsWritten).toBe(1);
  });

  it("sends none of the rows of a message that has a row too large for any request", async () => {
    const { request, sent } = scripted([() => ({})]);
    const rows = [
      ...rowsFor({ a: 1 }),
      { messageId: "huge", insertId: "huge:0", json: { n: "small" } },
      { messageId: "huge", insertId: "huge:1", json: { n: "x".repeat(2000) } },
    ];
    const { result } = write(rows, request, { maxRows: 500, maxBytes: 1500 });
    const { failures, rowsWritten } = await result;
    expect([...failures.keys()]).toEqual(["huge"]);
    expect((sent[0].data as { rows: { insertId: string }[] }).rows.map((r) => r.insertId)).toEqual([
      "a:0",
    ]);
    expect(rowsWritten).toBe(1);
  });

  it("names a column location but never BigQuery's row message or a location that is not a column", () => {
    const columns = columnPaths([
      { name: "amount", type: "NUMERIC" },
      {
        name: "attributes",
        type: "RECORD",
        mode: "REPEATED",
        fields: [{ name: "key", type: "STRING" }],
      },
    ]);
    expect(
      insertErrorReason(
        {
          index: 0,
          errors: [
            {
              reason: "invalid",
              location: "amount",
              message: "Could not parse 'card-4111' as NUMERIC",
            },
            { reason: "invalid", location: "attributes[2].key", message: "value 'secret'" },
            { reason: "invalid", location: "card-4111", message: "no such field: card-4111." },
          ],
        },
        columns,
      ),
    ).toBe(
      "BigQuery rejected the row: amount: invalid; attributes[2].key: invalid; a field that is not a column: invalid",
    );
  });

  it("explains an insertError without reasons", () => {
    expect(insertErrorReason({ index: 0 })).toBe("BigQuery rejected the row: no reason given");
  });
});

import { insertErrorReason, writeRows, type PendingRow } from "../../lambda/bigquery-writer";
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
  it("posts to the table's insertAll URL with skipInvalidRows and insertIds", async () => {
    const { request, sent } = scripted([() => ({})]);
    const { result } = write(rowsFor({ a: 2 }), request);
    expect(await result).toMatchObject({ rowsWritten: 2, requests: 1 });
    expect(sent[0].url).toBe(
      "http://bq/bigquery/v2/projects/proj/datasets/ds/tables/events/insertAll",
    );
    expect(sent[0].data).toMatchObject({
      skipInvalidRows: true,
      ignoreUnknownValues: false,
      rows: [
        { insertId: "a:0", json: { n: 0 } },
        { insertId: "a:1", json: { n: 1 } },
      ],
    });
  });

  it("maps insertErrors indexes back to their messages; a message fails if any of its rows fails", async () => {
    const { request } = scripted([
      () => ({
        insertErrors: [
          { index: 3, errors: [{ reason: "invalid", location: "n", message: "bad" }] },
        ],
      }),
    ]);
    const { result } = write(rowsFor({ a: 2, b: 2, c: 1 }), request);
    const { failures, rowsWritten } = await result;
    expect([...failures.keys()]).toEqual(["b"]);
    expect(failures.get("b")).toBe("BigQuery rejected the row: n: invalid (bad)");
    expect(rowsWritten).toBe(4);
  });

  it("maps indexes per request when rows span several requests", async () => {
    const { request, sent } = scripted([
      () => ({}),
      () => ({ insertErrors: [{ index: 1, errors: [{ reason: "invalid" }] }] }),
    ]);
    const { result } = write(rowsFor({ a: 1, b: 1, c: 1, d: 1, e: 1 }), request, {
      maxRows: 3,
      maxBytes: 10_000_000,
    });
    const { failures, rowsWritten, requests } = await result;
    expect(sent.map((s) => (s.data as { rows: unknown[] }).rows.length)).toEqual([3, 2]);
    expect([...failures.keys()]).toEqual(["e"]);
    expect(rowsWritten).toBe(4);
    expect(requests).toBe(2);
  });

  it('reports rows BigQuery "stopped" (not written) as failures to retry, not as bad data', async () => {
    const { request } = scripted([
      () => ({
        insertErrors: [
          { index: 0, errors: [{ reason: "invalid", message: "no such field" }] },
          { index: 1, errors: [{ reason: "stopped" }] },
        ],
      }),
    ]);
    const { result } = write(rowsFor({ bad: 1, innocent: 1 }), request);
    const { failures, rowsWritten } = await result;
    expect(failures.get("innocent")).toMatch(
      /^not written: BigQuery stopped the request because another row in it was invalid/,
    );
    expect(failures.get("bad")).toMatch(/no such field/);
    expect(rowsWritten).toBe(0);
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

  it("explains an insertError without reasons", () => {
    expect(insertErrorReason({ index: 0 })).toBe("BigQuery rejected the row: no reason given");
  });
});

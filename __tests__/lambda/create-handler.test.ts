import {
  createHandler,
  type SqsBatchResponse,
  type DirectInvocationResponse,
} from "../../lambda/create-handler";
import { FakeGoogle } from "./fake-google";
import {
  capturedLogger,
  FakeClock,
  lambdaContext,
  plainRequest,
  runtimeConfig,
  sqsEvent,
  validRecord,
} from "./test-support";

describe("the handler against a local fake of BigQuery", () => {
  let google: FakeGoogle;
  const rejectedIds = new Set(["e-10", "e-20"]);

  beforeEach(async () => {
    google = await new FakeGoogle({
      projectId: "proj-test",
      datasetId: "ds_test",
      tableId: "events",
      rowError: (row) =>
        rejectedIds.has(String(row.json.event_id)) ? "simulated BigQuery rejection" : undefined,
    }).start();
  });
  afterEach(() => google.stop());

  function handlerFor(patch = {}, clock = new FakeClock()) {
    const log = capturedLogger();
    const handler = createHandler({
      config: runtimeConfig(google.url, patch),
      request: plainRequest(),
      logger: log.logger,
      clock,
    });
    return { handler, log, clock };
  }

  /** 100 messages: 3 invalid records (ids m-3, m-50, m-77), 2 rows BigQuery rejects (m-10, m-20). */
  function hundredMessages() {
    return sqsEvent(
      Array.from({ length: 100 }, (_, n) => {
        const record = validRecord(n);
        if (n === 3) delete record.event_time;
        if (n === 50) record.amount = "twelve";
        if (n === 77) record.unexpected = true;
        return { id: `m-${n}`, body: JSON.stringify(record) };
      }),
    );
  }

  it("returns exactly the 3 invalid and 2 rejected message ids, and stores the other 95 rows once", async () => {
    const { handler, clock } = handlerFor({ archiveBucket: undefined });
    const result = (await handler(hundredMessages(), lambdaContext(clock))) as SqsBatchResponse;
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      ["m-10", "m-20", "m-3", "m-50", "m-77"].sort(),
    );
    expect(google.rows).toHaveLength(95);
    expect(new Set(google.rows.map((r) => r.insertId)).size).toBe(95);
    expect(google.rows.map((r) => r.insertId)).toContain("m-0:0");
  });

  it("stores no duplicate when SQS redelivers the same batch (insertId = messageId:index)", async () => {
    const { handler, clock } = handlerFor();
    await handler(hundredMessages(), lambdaContext(clock, 60_000, "req-1"));
    const again = (await handler(
      hundredMessages(),
      lambdaContext(clock, 60_000, "req-2"),
    )) as SqsBatchResponse;
    expect(again.batchItemFailures).toHaveLength(5);
    expect(google.rows).toHaveLength(95);
  });

  it("takes a JSON array body as several records, insertIds messageId:0..n", async () => {
    const { handler, clock } = handlerFor();
    const event = sqsEvent([
      { id: "multi", body: JSON.stringify([validRecord(1), validRecord(2), validRecord(3)]) },
    ]);
    const result = (await handler(event, lambdaContext(clock))) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    expect(google.rows.map((r) => r.insertId)).toEqual(["multi:0", "multi:1", "multi:2"]);
  });

  it("fails a whole multi-record message when one record is invalid, and sends none of its rows", async () => {
    const { handler, clock, log } = handlerFor();
    const bad = { ...validRecord(2), event_time: "yesterday" };
    const event = sqsEvent([{ id: "multi", body: JSON.stringify([validRecord(1), bad]) }]);
    const result = (await handler(event, lambdaContext(clock))) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "multi" }]);
    expect(google.rows).toEqual([]);
    const rejected = log.entries().find((e) => e.message === "message rejected");
    expect(rejected).toMatchObject({ messageId: "multi", requestId: "req-1" });
    expect(String(rejected?.reason)).toContain("record 1: event_time: expected a timestamp");
  });

  it("fails a message whose body is not JSON with a clear reason, logged with its message id", async () => {
    const { handler, clock, log } = handlerFor();
    const event = sqsEvent([
      { id: "ok", body: JSON.stringify(validRecord(1)) },
      { id: "garbled", body: "{not json" },
    ]);
    const result = (await handler(event, lambdaContext(clock))) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "garbled" }]);
    const rejected = log.entries().find((e) => e.messageId === "garbled");
    expect(rejected?.reason).toMatch(
      /^body is not valid JSON .*expected one JSON record or a JSON array of records/,
    );
    expect(google.rows).toHaveLength(1);
  });

  it("answers a direct invocation record by record", async () => {
    const { handler, clock } = handlerFor();
    const event = { records: [validRecord(1), { event_id: 5 }, validRecord(10)] };
    const result = (await handler(
      event,
      lambdaContext(clock, 60_000, "direct-req"),
    )) as DirectInvocationResponse;
    expect(result.written).toBe(1);
    expect(result.failed).toBe(2);
    expect(result.results[0]).toEqual({ index: 0, status: "written" });
    expect(result.results[1]).toMatchObject({ index: 1, status: "failed" });
    expect((result.results[1] as { reason: string }).reason).toContain(
      "event_id: expected a string, got an integer",
    );
    // BigQuery's row message ("simulated BigQuery rejection") may quote the record: not repeated.
    expect((result.results[2] as { reason: string }).reason).toBe(
      "BigQuery rejected the row: invalid",
    );
    expect(google.rows.map((r) => r.insertId)).toEqual(["direct-req:0:0"]);
  });

  it("refuses an event that is neither SQS nor a direct invocation, naming what it got", async () => {
    const { handler, clock } = handlerFor();
    await expect(handler({ foo: 1 }, lambdaContext(clock))).rejects.toThrow(
      /expected an SQS event .* or a direct invocation .*, got an object with 1 key$/,
    );
  });

  it("retries a 503 from BigQuery and then succeeds, with no duplicate", async () => {
    const { handler, clock } = handlerFor();
    google.inject.bigquery.push({
      status: 503,
      body: { error: { code: 503, message: "backend" } },
    });
    const result = (await handler(
      sqsEvent([{ id: "a", body: JSON.stringify(validRecord(1)) }]),
      lambdaContext(clock),
    )) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    expect(google.requestsTo("bigquery")).toHaveLength(2);
    expect(clock.sleeps).toHaveLength(1);
    expect(google.rows).toHaveLength(1);
  });

  it("reports every message as failed when BigQuery keeps failing past the time budget", async () => {
    const { handler, clock, log } = handlerFor();
    for (let i = 0; i < 20; i++)
      google.inject.bigquery.push({
        status: 500,
        body: { error: { code: 500, message: "internal" } },
      });
    const event = sqsEvent([
      { id: "a", body: JSON.stringify(validRecord(1)) },
      { id: "b", body: JSON.stringify(validRecord(2)) },
    ]);
    // 4 s left, 3 s safety margin: only backoffs that fit in the remaining second are taken.
    const result = (await handler(event, lambdaContext(clock, 4_000))) as SqsBatchResponse;
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["a", "b"]);
    expect(google.rows).toEqual([]);
    const failure = log.entries().find((e) => e.message === "message not written");
    expect(String(failure?.reason)).toMatch(/time budget ran out/);
  });

  it("does not retry a 404 and names the missing table", async () => {
    const { handler, clock, log } = handlerFor({ tableId: "missing" });
    const result = (await handler(
      sqsEvent([{ id: "a", body: JSON.stringify(validRecord(1)) }]),
      lambdaContext(clock),
    )) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "a" }]);
    expect(google.requestsTo("bigquery")).toHaveLength(1);
    expect(
      log
        .entries()
        .some((e) =>
          /BigQuery table proj-test\.ds_test\.missing or its dataset does not exist \(404\)/.test(
            String(e.message),
          ),
        ),
    ).toBe(true);
  });

  it("archives the raw batch as NDJSON at raw/dt=YYYY-MM-DD/<requestId>.ndjson before inserting", async () => {
    const { handler, clock } = handlerFor({ archiveBucket: "arch-bucket" });
    const event = sqsEvent([
      { id: "a", body: JSON.stringify(validRecord(1)) },
      { id: "bad", body: "{oops" },
    ]);
    await handler(event, lambdaContext(clock, 60_000, "req-77"));
    const object = google.objects.get("arch-bucket/raw/dt=2026-05-17/req-77.ndjson");
    expect(
      object
        ?.trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { messageId: "a", body: JSON.stringify(validRecord(1)) },
      { messageId: "bad", body: "{oops" },
    ]);
    const order = google.requests.map((r) =>
      r.path.startsWith("/upload/") ? "archive" : "insert",
    );
    expect(order).toEqual(["archive", "insert"]);
  });

  it("fails the whole batch and inserts nothing when the archive upload is refused", async () => {
    const { handler, clock, log } = handlerFor({ archiveBucket: "arch-bucket" });
    google.inject.storage.push({
      status: 403,
      body: { error: { code: 403, message: "forbidden", errors: [{ reason: "forbidden" }] } },
    });
    const event = sqsEvent([
      { id: "a", body: JSON.stringify(validRecord(1)) },
      { id: "b", body: JSON.stringify(validRecord(2)) },
    ]);
    const result = (await handler(event, lambdaContext(clock))) as SqsBatchResponse;
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["a", "b"]);
    expect(google.requestsTo("bigquery")).toHaveLength(0);
    expect(
      log
        .entries()
        .some((e) => /lacks roles\/storage\.objectCreator on that bucket/.test(String(e.message))),
    ).toBe(true);
  });

  it("treats 412 on a retried archive upload as already archived", async () => {
    const { handler, clock } = handlerFor({ archiveBucket: "arch-bucket" });
    const event = sqsEvent([{ id: "a", body: JSON.stringify(validRecord(1)) }]);
    await handler(event, lambdaContext(clock, 60_000, "same-req"));
    const again = (await handler(
      event,
      lambdaContext(clock, 60_000, "same-req"),
    )) as SqsBatchResponse;
    expect(again.batchItemFailures).toEqual([]);
    expect(google.rows).toHaveLength(1);
  });

  it("logs request id, batch size, rows written, failures and durations, and no record content at INFO", async () => {
    const { handler, clock, log } = handlerFor();
    const secretish = "PRIVATE-CONTENT-42";
    const event = sqsEvent([
      { id: "a", body: JSON.stringify({ ...validRecord(1), source: secretish }) },
      {
        id: "b",
        body: JSON.stringify({
          ...validRecord(2),
          source: 7,
          attributes: { key: secretish, extra: secretish },
        }),
      },
    ]);
    await handler(event, lambdaContext(clock, 60_000, "req-log"));
    const done = log.entries().find((e) => e.message === "batch done");
    expect(done).toMatchObject({
      requestId: "req-log",
      batchSize: 2,
      rowsWritten: 1,
      failedMessages: 1,
      failedMessageIds: ["b"],
    });
    expect(typeof done?.durationMs).toBe("number");
    expect(typeof done?.insertMs).toBe("number");
    expect(log.lines.join("\n")).not.toContain(secretish);
    expect(log.lines.join("\n")).not.toContain("ya29.");
  });
});

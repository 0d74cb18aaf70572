import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createEmfMetrics, type HandlerMetrics } from "../../lambda/metrics";
import { googleCallOf, timeGoogleCalls } from "../../lambda/google-call-timing";
import { failureCauseOf } from "../../lambda/failure-cause";
import { createHandler, errorContextFor } from "../../lambda/create-handler";
import { describeGoogleError } from "../../lambda/google-errors";
import { TimeBudgetExhaustedError } from "../../lambda/retry";
import type { GoogleRequest } from "../../lambda/google-request";
import { FakeGoogle } from "../lambda/fake-google";
import {
  capturedLogger,
  FakeClock,
  lambdaContext,
  plainRequest,
  runtimeConfig,
  sqsEvent,
  validRecord,
} from "../lambda/test-support";
import { emfDocuments, emfMetrics, emfProblems, sumOf } from "./emf";

/** What `run` wrote to stdout (where the metrics go by default, like the logger's lines). */
async function stdoutOf(run: () => void | Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return chunks.join("");
}

describe("createEmfMetrics", () => {
  it("writes valid EMF in the environment's namespace, one line per dimension value", async () => {
    const out = await stdoutOf(() => {
      const m = createEmfMetrics({ namespace: "wif-bridge/test", serviceName: "wif-bridge-test" });
      m.rowsWritten(7);
      m.rowsWritten(3);
      m.messageFailed("InvalidRecord");
      m.messageFailed("InvalidRecord");
      m.messageFailed("GoogleDenied");
      m.googleCallLatency("insertAll", 12.5);
      m.googleCallLatency("insertAll", 20);
      m.googleCallLatency("sts", 40);
      m.tokenRefreshed();
      m.flush();
    });
    const docs = emfDocuments(out);
    expect(docs).toHaveLength(5);
    for (const doc of docs) expect(emfProblems(doc)).toEqual([]);
    const metrics = emfMetrics(out);
    expect(new Set(metrics.map((x) => x.namespace))).toEqual(new Set(["wif-bridge/test"]));
    expect(sumOf(metrics, "RowsWritten")).toBe(10);
    expect(sumOf(metrics, "TokenRefreshes")).toBe(1);
    expect(sumOf(metrics, "MessagesFailed", { Cause: "InvalidRecord" })).toBe(2);
    expect(sumOf(metrics, "MessagesFailed", { Cause: "GoogleDenied" })).toBe(1);
    expect(metrics.find((x) => x.dimensions.Call === "insertAll")).toMatchObject({
      name: "GoogleCallLatency",
      unit: "Milliseconds",
      values: [12.5, 20],
    });
  });

  it("keeps dimensions few: service on every metric, plus Cause or Call", async () => {
    const out = await stdoutOf(() => {
      const m = createEmfMetrics({ namespace: "wif-bridge/test", serviceName: "wif-bridge-test" });
      m.rowsWritten(1);
      m.tokenRefreshed();
      m.messageFailed("Archive");
      m.googleCallLatency("upload", 5);
      m.flush();
    });
    const dims = Object.fromEntries(
      emfMetrics(out).map((x) => [x.name, Object.keys(x.dimensions)]),
    );
    expect(dims).toEqual({
      RowsWritten: ["service"],
      TokenRefreshes: ["service"],
      MessagesFailed: ["service", "Cause"],
      GoogleCallLatency: ["service", "Call"],
    });
    for (const m of emfMetrics(out)) expect(m.dimensions.service).toBe("wif-bridge-test");
  });

  it("splits more than 100 samples over several lines (EMF's limit per metric)", () => {
    const lines: string[] = [];
    const m = createEmfMetrics({
      namespace: "wif-bridge/test",
      serviceName: "wif-bridge-test",
      write: (line) => lines.push(line),
      now: () => 1_800_000_000_000,
    });
    for (let i = 0; i < 250; i++) m.googleCallLatency("insertAll", i);
    m.flush();
    const metrics = emfMetrics(lines.join("\n"));
    expect(metrics.map((x) => x.values.length)).toEqual([100, 100, 50]);
    expect(metrics.flatMap((x) => x.values)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(JSON.parse(lines[0])._aws.Timestamp).toBe(1_800_000_000_000);
  });

  it("writes each invocation's values once, and nothing for an invocation that recorded nothing", async () => {
    const m = createEmfMetrics({ namespace: "wif-bridge/test", serviceName: "wif-bridge-test" });
    const first = await stdoutOf(() => {
      m.messageFailed("TimeBudget");
      m.rowsWritten(0);
      m.flush();
    });
    const second = await stdoutOf(() => {
      m.messageFailed("TimeBudget");
      m.flush();
    });
    const third = await stdoutOf(() => m.flush());
    expect(sumOf(emfMetrics(first), "MessagesFailed", { Cause: "TimeBudget" })).toBe(1);
    expect(sumOf(emfMetrics(first), "RowsWritten")).toBe(0);
    expect(emfMetrics(first).some((x) => x.name === "RowsWritten")).toBe(true);
    // The dimension outlives the first publish, and last invocation's values are gone.
    expect(emfMetrics(second)).toEqual([
      expect.objectContaining({
        name: "MessagesFailed",
        dimensions: { service: "wif-bridge-test", Cause: "TimeBudget" },
        values: [1],
      }),
    ]);
    expect(third).toBe("");
  });
});

describe("failure causes", () => {
  const described = (patch: object) => ({
    service: "bigquery" as const,
    retryable: false,
    message: "m",
    ...patch,
  });

  it("tells a refusal, an outage and a spent budget apart", () => {
    expect(failureCauseOf(described({ status: 403 }))).toBe("GoogleDenied");
    expect(failureCauseOf(described({ status: 503, retryable: true }))).toBe("GoogleUnavailable");
    expect(failureCauseOf(described({ status: 429, retryable: true }))).toBe("GoogleUnavailable");
    expect(failureCauseOf(described({ reason: "time-budget-exhausted" }))).toBe("TimeBudget");
  });
});

describe("Google call timing", () => {
  it("classifies each Google endpoint by its path, and nothing else", () => {
    expect(googleCallOf("/v1/token")).toBe("sts");
    expect(
      googleCallOf(
        "/v1/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com:generateAccessToken",
      ),
    ).toBe("iam");
    expect(googleCallOf("/bigquery/v2/projects/p/datasets/d/tables/t/insertAll")).toBe("insertAll");
    expect(googleCallOf("/upload/storage/v1/b/bkt/o?uploadType=media&name=x")).toBe("upload");
    expect(googleCallOf("/bigquery/v2/projects/p/datasets/d/tables/t")).toBeUndefined();
    expect(googleCallOf("/v1/token/extra")).toBeUndefined();
  });

  it("times a fetch to Google from request to response headers, whatever the status", async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(req.url?.includes("insertAll") ? 503 : 200);
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const seen: [string, number][] = [];
    const stop = timeGoogleCalls((call, ms) => seen.push([call, ms]));
    try {
      await (await fetch(`${base}/v1/token`, { method: "POST" })).text();
      await (await fetch(`${base}/bigquery/v2/projects/p/datasets/d/tables/t/insertAll`)).text();
      await (await fetch(`${base}/something/else`)).text();
    } finally {
      stop();
      server.close();
    }
    expect(seen.map(([call]) => call)).toEqual(["sts", "insertAll"]);
    for (const [, ms] of seen) expect(ms).toBeGreaterThanOrEqual(0);
  });
});

describe("the handler's metrics", () => {
  let google: FakeGoogle;
  beforeEach(async () => {
    google = await new FakeGoogle({
      projectId: "proj-test",
      datasetId: "ds_test",
      tableId: "events",
      rowError: (row) => (row.json.event_id === "e-rejected" ? "invalid" : undefined),
    }).start();
  });
  afterEach(() => google.stop());

  function recording(): HandlerMetrics & { calls: [string, unknown][] } {
    const calls: [string, unknown][] = [];
    return {
      calls,
      rowsWritten: (n) => calls.push(["rowsWritten", n]),
      messageFailed: (cause) => calls.push(["messageFailed", cause]),
      googleCallLatency: () => {},
      tokenRefreshed: () => {},
      flush: () => calls.push(["flush", undefined]),
    };
  }

  /** The handler against the fake Google, with recorded metrics. */
  function handlerWith(metrics: HandlerMetrics, clock = new FakeClock()) {
    const handler = createHandler({
      config: runtimeConfig(google.url),
      request: plainRequest(),
      logger: capturedLogger().logger,
      clock,
      metrics,
    });
    return (event: unknown) => handler(event, lambdaContext(clock));
  }

  it("counts rows written and each failed message by cause, then flushes once", async () => {
    const metrics = recording();
    const response = await handlerWith(metrics)(
      sqsEvent([
        { id: "ok1", body: JSON.stringify(validRecord(1)) },
        { id: "ok2", body: JSON.stringify(validRecord(2)) },
        { id: "bad", body: JSON.stringify({ event_id: 1 }) },
        { id: "rej", body: JSON.stringify({ ...validRecord(3), event_id: "e-rejected" }) },
      ]),
    );
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: "bad" }, { itemIdentifier: "rej" }],
    });
    expect(metrics.calls).toEqual([
      ["messageFailed", "InvalidRecord"],
      ["rowsWritten", 2],
      ["messageFailed", "InvalidRecord"],
      ["flush", undefined],
    ]);
  });

  it("counts a refused insert as GoogleDenied for every message", async () => {
    const metrics = recording();
    google.inject.bigquery.push({
      status: 403,
      body: { error: { code: 403, message: "denied", errors: [{ reason: "accessDenied" }] } },
    });
    await handlerWith(metrics)(
      sqsEvent([
        { id: "a", body: JSON.stringify(validRecord(1)) },
        { id: "b", body: JSON.stringify(validRecord(2)) },
      ]),
    );
    expect(metrics.calls.filter(([k]) => k === "messageFailed")).toEqual([
      ["messageFailed", "GoogleDenied"],
      ["messageFailed", "GoogleDenied"],
    ]);
  });

  describe("with the archive on, where the upload is the first Google call", () => {
    const twoMessages = () =>
      sqsEvent([
        { id: "a", body: JSON.stringify(validRecord(1)) },
        { id: "b", body: JSON.stringify(validRecord(2)) },
      ]);

    /** The archive handler; `request` stands in for the authenticated client. */
    function archiveHandler(
      metrics: HandlerMetrics,
      request: GoogleRequest = plainRequest(),
      timeoutMs = 60_000,
    ) {
      const clock = new FakeClock();
      const handler = createHandler({
        config: runtimeConfig(google.url, { archiveBucket: "arch-bucket" }),
        request,
        logger: capturedLogger().logger,
        clock,
        metrics,
      });
      return () => handler(twoMessages(), lambdaContext(clock, timeoutMs));
    }

    const causes = (metrics: ReturnType<typeof recording>) =>
      metrics.calls.filter(([k]) => k === "messageFailed").map(([, cause]) => cause);

    it("counts an upload Cloud Storage refused as Archive", async () => {
      const metrics = recording();
      google.inject.storage.push({
        status: 403,
        body: { error: { code: 403, message: "forbidden", errors: [{ reason: "forbidden" }] } },
      });
      await archiveHandler(metrics)();
      expect(causes(metrics)).toEqual(["Archive", "Archive"]);
    });

    it("counts an STS refusal met at the upload as GoogleDenied, not Archive", async () => {
      const metrics = recording();
      // What the auth client throws when the token exchange is refused, before any upload.
      const stsRefusal: GoogleRequest = async () => {
        throw Object.assign(new Error("Error code unauthorized_client: rejected"), {
          config: { url: "https://sts.googleapis.com/v1/token" },
          response: { status: 400, data: { error: "unauthorized_client" } },
        });
      };
      await archiveHandler(metrics, stsRefusal)();
      expect(causes(metrics)).toEqual(["GoogleDenied", "GoogleDenied"]);
    });

    it("counts an IAM refusal met at the upload as GoogleDenied, not Archive", async () => {
      const metrics = recording();
      const iamRefusal: GoogleRequest = async () => {
        throw Object.assign(new Error("Permission 'iam.serviceAccounts.getAccessToken' denied"), {
          config: {
            url: "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken",
          },
          response: { status: 403, data: { error: { code: 403, status: "PERMISSION_DENIED" } } },
        });
      };
      await archiveHandler(metrics, iamRefusal)();
      expect(causes(metrics)).toEqual(["GoogleDenied", "GoogleDenied"]);
    });

    it("counts a time budget spent before the upload as TimeBudget, not Archive", async () => {
      const metrics = recording();
      await archiveHandler(metrics, plainRequest(), 1_000)();
      expect(google.requestsTo("storage")).toHaveLength(0);
      expect(causes(metrics)).toEqual(["TimeBudget", "TimeBudget"]);
    });
  });

  it("answers the batch even when writing the metrics fails", async () => {
    const log = capturedLogger();
    const handler = createHandler({
      config: runtimeConfig(google.url),
      request: plainRequest(),
      logger: log.logger,
      metrics: {
        ...recording(),
        flush: () => {
          throw new Error("EPIPE: stdout closed");
        },
      },
    });
    const clock = new FakeClock();
    await expect(
      handler(sqsEvent([{ id: "a", body: JSON.stringify(validRecord(1)) }]), lambdaContext(clock)),
    ).resolves.toEqual({ batchItemFailures: [] });
    expect(google.rows).toHaveLength(1);
    expect(log.entries()).toContainEqual(
      expect.objectContaining({ level: "WARN", message: "metrics not written" }),
    );
  });

  it("flushes even when the invocation throws", async () => {
    const metrics = recording();
    await expect(handlerWith(metrics)("not an event")).rejects.toThrow();
    expect(metrics.calls).toEqual([["flush", undefined]]);
  });

  it("counts a spent time budget as TimeBudget, from the real error description", () => {
    const err = new TimeBudgetExhaustedError("BigQuery insertAll", 2, {
      response: { status: 503 },
    });
    const described = describeGoogleError(err, errorContextFor(runtimeConfig("http://x")));
    expect(failureCauseOf(described)).toBe("TimeBudget");
  });
});

/**
 * The real keyless client against the local fake: the handler's retry loop is the only retry
 * (STS and IAM included), and an attempt whose deadline passes is aborted, its socket closed.
 */
import { createGoogleClient, googleRequestFor } from "../../lambda/google-client";
import { createHandler, type SqsBatchResponse } from "../../lambda/create-handler";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../lambda/retry";
import { FakeGoogle } from "./fake-google";
import {
  AWS_TEST_ENV,
  capturedLogger,
  runtimeConfig,
  sqsEvent,
  validRecord,
  TEST_TABLE,
} from "./test-support";

/** Retries at once, three attempts in all, each bounded by `attemptTimeoutMs`. */
const FAST_POLICY: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  baseDelayMs: 1,
  maxDelayMs: 1,
  maxAttempts: 3,
  safetyMarginMs: 0,
  attemptTimeoutMs: 2_000,
};

const unavailable = { status: 503, body: { error: "temporarily_unavailable" } };

describe("the keyless client's transport", () => {
  let google: FakeGoogle;
  const savedEnv = { ...process.env };

  beforeAll(() => Object.assign(process.env, AWS_TEST_ENV));
  afterAll(() => {
    process.env = savedEnv;
  });
  beforeEach(async () => {
    google = await new FakeGoogle(TEST_TABLE).start();
  });
  afterEach(() => google.stop());

  function handler(policy: RetryPolicy = FAST_POLICY) {
    const config = runtimeConfig(google.url, { archiveBucket: undefined });
    const log = capturedLogger();
    return {
      log,
      run: (ids: string[]) =>
        createHandler({
          config,
          request: googleRequestFor(createGoogleClient(config)),
          logger: log.logger,
          retryPolicy: policy,
        })(sqsEvent(ids.map((id, n) => ({ id, body: JSON.stringify(validRecord(n)) }))), {
          awsRequestId: "req-1",
          getRemainingTimeInMillis: () => 60_000,
        }) as Promise<SqsBatchResponse>,
    };
  }

  it("calls STS exactly once per attempt: 3 attempts, 3 token exchanges, no library retries", async () => {
    google.inject.sts.push(...Array.from({ length: 12 }, () => unavailable));
    const { run, log } = handler();
    const result = await run(["m-1"]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "m-1" }]);
    expect(google.requestsTo("sts")).toHaveLength(3);
    expect(google.requestsTo("bigquery")).toHaveLength(0);
    expect(
      log.entries().filter((e) => e.message === "retrying Google authentication"),
    ).toHaveLength(2);
  });

  it("calls IAM generateAccessToken exactly once per attempt", async () => {
    google.inject.iam.push(
      ...Array.from({ length: 12 }, () => ({
        status: 503,
        body: { error: { code: 503, message: "unavailable", status: "UNAVAILABLE" } },
      })),
    );
    const { run } = handler();
    await run(["m-1"]);
    expect(google.requestsTo("iam")).toHaveLength(3);
    expect(google.requestsTo("sts")).toHaveLength(3);
  });

  it("recovers on the next attempt after one failed exchange", async () => {
    google.inject.sts.push(unavailable);
    const { run } = handler();
    const result = await run(["m-1", "m-2"]);
    expect(result.batchItemFailures).toEqual([]);
    expect(google.requestsTo("sts")).toHaveLength(2);
    expect(google.rows.map((r) => r.insertId)).toEqual(["m-1:0", "m-2:0"]);
  });

  it("with the archive on, reports an STS refusal as an authentication failure, not as an archive failure", async () => {
    google.inject.sts.push({
      status: 400,
      body: {
        error: "unauthorized_client",
        error_description: "rejected by the attribute condition",
      },
    });
    const config = runtimeConfig(google.url, { archiveBucket: "wif-archive" });
    const log = capturedLogger();
    const result = (await createHandler({
      config,
      request: googleRequestFor(createGoogleClient(config)),
      logger: log.logger,
      retryPolicy: FAST_POLICY,
    })(sqsEvent([{ id: "m-1", body: JSON.stringify(validRecord(1)) }]), {
      awsRequestId: "req-1",
      getRemainingTimeInMillis: () => 60_000,
    })) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "m-1" }]);
    const errors = log.entries().filter((e) => e.level === "ERROR");
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /^Google authentication failed, so the batch was neither archived nor written: AWS identity .* rejected by the pool provider's attribute condition/,
    );
    expect(log.lines.join("\n")).not.toMatch(/archive failed/);
    expect(google.requestsTo("storage")).toHaveLength(0);
  });

  describe("an attempt whose deadline passes", () => {
    const insert = (timeout: number) =>
      googleRequestFor(createGoogleClient(runtimeConfig(google.url)))({
        url: `${google.url}/bigquery/v2/projects/proj-test/datasets/ds_test/tables/events/insertAll`,
        method: "POST",
        data: { rows: [] },
        timeout,
        responseType: "json",
      });

    async function socketsClosed(): Promise<boolean> {
      for (let i = 0; i < 100 && google.openHungRequests > 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      return google.openHungRequests === 0;
    }

    it("aborts a hung STS exchange and closes its socket, and says STS did not answer", async () => {
      google.inject.sts.push({ status: 0, body: undefined, hang: true });
      const err = await insert(300).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "ETIMEDOUT", config: { url: `${google.url}/v1/token` } });
      expect(google.requestsTo("sts")).toHaveLength(1);
      expect(await socketsClosed()).toBe(true);
    });

    it("aborts a hung IAM generateAccessToken and closes its socket", async () => {
      google.inject.iam.push({ status: 0, body: undefined, hang: true });
      const err = await insert(300).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "ETIMEDOUT" });
      expect(String((err as { config: { url: string } }).config.url)).toMatch(
        /generateAccessToken$/,
      );
      expect(await socketsClosed()).toBe(true);
    });

    it("aborts a hung insertAll and closes its socket", async () => {
      google.inject.bigquery.push({ status: 0, body: undefined, hang: true });
      const err = await insert(300).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "ETIMEDOUT" });
      expect(google.requestsTo("bigquery")).toHaveLength(1);
      expect(await socketsClosed()).toBe(true);
    });

    it("gives the next attempt a fresh exchange, not the aborted one", async () => {
      google.inject.sts.push({ status: 0, body: undefined, hang: true });
      const { run } = handler({ ...FAST_POLICY, attemptTimeoutMs: 300 });
      const result = await run(["m-1"]);
      expect(result.batchItemFailures).toEqual([]);
      expect(google.requestsTo("sts")).toHaveLength(2);
      expect(google.rows.map((r) => r.insertId)).toEqual(["m-1:0"]);
    });
  });
});

/**
 * The real bundle, as Lambda loads it: module-scope config and AwsClient, the node-fetch shim
 * (global fetch), a SigV4-signed subject token, STS + IAM against the local fake, then insertAll.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLambdaBundle, bundleCode, DEFAULT_ENTRY } from "../../stacks/aws/lambda-bundle";
import { TABLE_SCHEMA_FILE } from "../../stacks/federation/lambda-environment";
import type { Handler, SqsBatchResponse } from "../../lambda/create-handler";
import { FakeGoogle } from "./fake-google";
import {
  AWS_TEST_ENV,
  functionEnvironment,
  runtimeConfig,
  sqsEvent,
  TABLE_SCHEMA,
  validRecord,
  TEST_TABLE,
} from "./test-support";

const AWS_ENV = AWS_TEST_ENV;

describe("the bundled handler (real module-scope client)", () => {
  let google: FakeGoogle;
  let handler: Handler;
  let bundleDir: string;
  let stdout: string[];
  const savedEnv = { ...process.env };
  let writeSpy: jest.SpyInstance;

  beforeAll(async () => {
    google = await new FakeGoogle(TEST_TABLE).start();
    Object.assign(process.env, functionEnvironment(google.url));
    const bundle = buildLambdaBundle({
      baseDir: fs.mkdtempSync(path.join(os.tmpdir(), "wif-bundle-")),
      nodeMajor: 20,
      extraFiles: { [TABLE_SCHEMA_FILE]: JSON.stringify(TABLE_SCHEMA) },
    });
    bundleDir = bundle.dir;
    handler = loadBundle();
  });

  /** A fresh container: the bundle's module scope runs again (new client, no cached token). */
  function loadBundle(): Handler {
    let loaded: Handler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(path.join(bundleDir, "index.js")).handler;
    });
    return loaded!;
  }

  beforeEach(() => {
    stdout = [];
    writeSpy = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => writeSpy.mockRestore());

  afterAll(async () => {
    process.env = savedEnv;
    await google.stop();
  });

  const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 60_000 });

  it("bundles no node-fetch: gaxios runs on the global fetch through the shim", () => {
    const inputs = bundleCode(DEFAULT_ENTRY, 22).inputs;
    expect(inputs.filter((f) => f.includes("node_modules/node-fetch"))).toEqual([]);
    expect(inputs).toContain("lambda/shims/node-fetch.ts");
  });

  it("exchanges a signed AWS identity once, then reuses the cached token on the next invocation", async () => {
    const first = (await handler(
      sqsEvent([{ id: "b1", body: JSON.stringify(validRecord(1)) }]),
      context("r1"),
    )) as SqsBatchResponse;
    const second = (await handler(
      sqsEvent([{ id: "b2", body: JSON.stringify(validRecord(2)) }]),
      context("r2"),
    )) as SqsBatchResponse;
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect(google.rows.map((r) => r.insertId)).toEqual(["b1:0", "b2:0"]);
    expect(google.requestsTo("sts")).toHaveLength(1);
    expect(google.requestsTo("iam")).toHaveLength(1);

    // The subject token is the SigV4-signed GetCallerIdentity request, bound to the audience.
    const form = new URLSearchParams(google.requestsTo("sts")[0].body);
    const subject = JSON.parse(decodeURIComponent(form.get("subject_token")!));
    expect(subject.url).toBe(
      "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    );
    const headers = Object.fromEntries(
      subject.headers.map((h: { key: string; value: string }) => [h.key.toLowerCase(), h.value]),
    );
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE12\//);
    expect(headers["x-goog-cloud-target-resource"]).toBe(
      runtimeConfig(google.url).credentialConfig.audience,
    );
    expect(JSON.parse(google.requestsTo("iam")[0].body)).toMatchObject({ lifetime: "3600s" });
    expect(google.requestsTo("bigquery").at(-1)?.headers.authorization).toBe(
      "Bearer ya29.sa-token-secret",
    );
  });

  it("logs JSON lines with the request id and never a token or AWS credential", async () => {
    await handler(sqsEvent([{ id: "b3", body: JSON.stringify(validRecord(3)) }]), context("r3"));
    const lines = stdout
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.message === "batch done")).toMatchObject({
      requestId: "r3",
      rowsWritten: 1,
      service: "wif-bridge-test",
    });
    const text = stdout.join("");
    for (const secret of [
      "ya29.",
      "sts-token-secret",
      AWS_ENV.AWS_SECRET_ACCESS_KEY,
      AWS_ENV.AWS_SESSION_TOKEN,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("retries a BigQuery 503 through the real client and stores the row once", async () => {
    google.inject.bigquery.push({
      status: 503,
      body: { error: { code: 503, message: "backend error" } },
    });
    const before = google.requestsTo("bigquery").length;
    const result = (await handler(
      sqsEvent([{ id: "b4", body: JSON.stringify(validRecord(4)) }]),
      context("r4"),
    )) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    expect(google.requestsTo("bigquery").length - before).toBe(2);
    const retries = stdout
      .join("")
      .split("\n")
      .filter((l) => l.includes("retrying BigQuery insertAll"));
    expect(retries).toHaveLength(1);
  });

  it("retries a failed token refresh (IAM 503) in its own budgeted loop, not in gaxios", async () => {
    const coldStart = loadBundle();
    google.inject.iam.push({ status: 503, body: { error: { code: 503, message: "unavailable" } } });
    const iamBefore = google.requestsTo("iam").length;
    const result = (await coldStart(
      sqsEvent([{ id: "b5", body: JSON.stringify(validRecord(5)) }]),
      context("r5"),
    )) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    expect(google.requestsTo("iam").length - iamBefore).toBe(2);
    const retries = stdout
      .join("")
      .split("\n")
      .filter((l) => l.includes("retrying Google authentication"));
    expect(retries).toHaveLength(1);
    expect(retries[0]).toContain("IAM Credentials answered 503");
  });

  it("exchanges with STS once per attempt of its own loop: two 503s, three exchanges", async () => {
    const coldStart = loadBundle();
    const unavailable = { status: 503, body: { error: "temporarily_unavailable" } };
    google.inject.sts.push(unavailable, unavailable);
    const stsBefore = google.requestsTo("sts").length;
    const result = (await coldStart(
      sqsEvent([{ id: "b9", body: JSON.stringify(validRecord(9)) }]),
      context("r9"),
    )) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([]);
    expect(google.requestsTo("sts").length - stsBefore).toBe(3);
    const retries = stdout
      .join("")
      .split("\n")
      .filter((l) => l.includes("retrying Google authentication"));
    expect(retries).toHaveLength(2);
  });

  it("turns STS unauthorized_client into the actionable message and fails the batch's messages", async () => {
    const coldStart = loadBundle();
    google.inject.sts.push({
      status: 400,
      body: {
        error: "unauthorized_client",
        error_description: "The given credential is rejected by the attribute condition.",
      },
    });
    const result = (await coldStart(
      sqsEvent([{ id: "b6", body: JSON.stringify(validRecord(6)) }]),
      context("r6"),
    )) as SqsBatchResponse;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "b6" }]);
    const error = stdout
      .join("")
      .split("\n")
      .find((l) => l.includes('"level":"ERROR"'));
    expect(JSON.parse(error!).message).toMatch(
      /^Google authentication failed, so the batch was not written: AWS identity of this function \(session wif-bridge-test\) rejected by the pool provider's attribute condition; the provider projects\/123456789012\/locations\/global\/workloadIdentityPools\/pool-test\/providers\/aws-test admits arn:aws:sts::111122223333:assumed-role\/wif-bridge-test-exec/,
    );
    expect(google.requestsTo("bigquery").filter((r) => r.body.includes("e-6"))).toEqual([]);
  });
});

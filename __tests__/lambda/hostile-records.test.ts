/**
 * Records as an attacker would send them, against the handler built from source and against
 * the bundle as Lambda loads it (module-scope config, real keyless client, the local fake of
 * Google). Each bad message fails alone, its neighbours land, the handler never throws, and no
 * log line at any level carries a record value or a secret.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLambdaBundle } from "../../stacks/aws/lambda-bundle";
import { LAMBDA_ENV, TABLE_SCHEMA_FILE } from "../../stacks/federation/lambda-environment";
import type { TableField } from "../../stacks/schema/table-schema";
import {
  createHandler,
  type DirectInvocationResponse,
  type Handler,
  type SqsBatchResponse,
} from "../../lambda/create-handler";
import { createGoogleClient, googleRequestFor } from "../../lambda/google-client";
import { createJsonLogger } from "../../lambda/logger";
import { MAX_MESSAGE_BYTES, MAX_RECORDS_PER_MESSAGE } from "../../lambda/message-limits";
import { FakeGoogle } from "./fake-google";
import {
  AWS_TEST_ENV,
  functionEnvironment,
  runtimeConfig,
  sqsEvent,
  TEST_TABLE,
} from "./test-support";
import { ALL_SECRETS, SECRET_CORPUS } from "./secret-corpus";

/** In every record value, short so that even a snippet of a body would show it. */
const SENTINEL = "Zq9xV";
/** Secrets inside record values and keys: the log must not carry them either. */
const SECRET_IN_RECORD = "ya29.record-borne-google-token";
const SECRET_KEY_NAME = `AKIAIOSFODNN7EXAMPLE-${SENTINEL}`;

const HOSTILE_SCHEMA: TableField[] = [
  { name: "event_id", type: "STRING", mode: "REQUIRED" },
  { name: "doc", type: "JSON" },
  { name: "constructor", type: "STRING" },
  { name: "toString", type: "STRING" },
  { name: "__proto__", type: "STRING" },
  { name: "valueOf", type: "INTEGER", mode: "REPEATED" },
];

const AWS_ENV = {
  ...AWS_TEST_ENV,
  AWS_LAMBDA_FUNCTION_NAME: "wif-bridge-hostile",
  AWS_LAMBDA_LOG_LEVEL: "DEBUG",
};

const good = (n: number) => JSON.stringify({ event_id: `${SENTINEL}-good-${n}` });
/** A 6,000-level JSON column: about 12 KB, and JSON.stringify of it exhausts the stack. */
const deepDoc = (levels = 6_000) =>
  `{"event_id":"${SENTINEL}-deep","doc":${"[".repeat(levels)}"${SENTINEL}"${"]".repeat(levels)}}`;

const variants: [string, () => Promise<{ handler: Handler; logs: () => string[] }>][] = [
  ["the handler from source", fromSource],
  ["the bundled handler", fromBundle],
];

let google: FakeGoogle;
const savedEnv = { ...process.env };

beforeAll(async () => {
  google = await new FakeGoogle(TEST_TABLE).start();
  Object.assign(process.env, functionEnvironment(google.url), AWS_ENV, {
    [LAMBDA_ENV.archiveBucket]: "wif-archive",
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await google.stop();
});

async function fromSource() {
  const lines: string[] = [];
  const config = runtimeConfig(google.url, {
    tableSchema: HOSTILE_SCHEMA,
    archiveBucket: "wif-archive",
  });
  const handler = createHandler({
    config,
    request: googleRequestFor(createGoogleClient(config)),
    logger: createJsonLogger({ level: "DEBUG", write: (line) => lines.push(line) }),
  });
  return { handler, logs: () => lines };
}

let bundleDir: string | undefined;
async function fromBundle() {
  bundleDir ??= buildLambdaBundle({
    baseDir: fs.mkdtempSync(path.join(os.tmpdir(), "wif-hostile-")),
    nodeMajor: 20,
    extraFiles: { [TABLE_SCHEMA_FILE]: JSON.stringify(HOSTILE_SCHEMA) },
  }).dir;
  const lines: string[] = [];
  let loaded: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path.join(bundleDir!, "index.js")).handler;
  });
  const bundled = loaded!;
  // The bundle logs to stdout, as on Lambda: capture every line of each invocation.
  const handler: Handler = async (event, context) => {
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      return true;
    });
    try {
      return await bundled(event, context);
    } finally {
      spy.mockRestore();
    }
  };
  return { handler, logs: () => lines };
}

const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 60_000 });
const failedIds = (r: unknown) =>
  (r as SqsBatchResponse).batchItemFailures.map((f) => f.itemIdentifier);
const stored = (prefix: string) =>
  google.rows.filter((r) => r.insertId?.startsWith(prefix)).map((r) => r.insertId);

describe.each(variants)("hostile records against %s", (name, make) => {
  let handler: Handler;
  let logs: () => string[];
  const tag = name === "the bundled handler" ? "b" : "s";

  beforeAll(async () => {
    ({ handler, logs } = await make());
  });

  it("writes both good messages of [good, 6,000-deep, good] and fails only the deep one, without throwing", async () => {
    const body = deepDoc();
    expect(body.length).toBeGreaterThan(12_000);
    const result = await handler(
      sqsEvent([
        { id: `${tag}-g1`, body: good(1) },
        { id: `${tag}-deep`, body },
        { id: `${tag}-g2`, body: good(2) },
      ]),
      context(`${tag}-r1`),
    );
    expect(failedIds(result)).toEqual([`${tag}-deep`]);
    expect(stored(`${tag}-`)).toEqual([`${tag}-g1:0`, `${tag}-g2:0`]);
    const rejected = logs()
      .map((l) => JSON.parse(l))
      .find((l) => l.message === "message rejected" && l.messageId === `${tag}-deep`);
    expect(rejected).toMatchObject({ level: "WARN", limit: "nesting depth" });
    expect(rejected.reason).toMatch(
      /^over the nesting depth limit: the message nests deeper than \d+ levels/,
    );
  });

  it("fails a direct invocation's deep record alone, before serializing it", async () => {
    const result = (await handler(
      { records: [JSON.parse(good(3)), JSON.parse(deepDoc(20_000)), JSON.parse(good(4))] },
      context(`${tag}-direct`),
    )) as DirectInvocationResponse;
    expect(result).toMatchObject({ written: 2, failed: 1 });
    expect(result.results[1]).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^over the nesting depth limit/),
    });
  });

  it("fails a JSON column over BigQuery's 500 levels even inside the message's depth budget", async () => {
    const doc = `${'{"a":'.repeat(501)}1${"}".repeat(501)}`;
    const result = await handler(
      sqsEvent([
        { id: `${tag}-j501`, body: JSON.stringify({ event_id: SENTINEL, doc: JSON.parse(doc) }) },
        {
          id: `${tag}-j500`,
          body: JSON.stringify({ event_id: SENTINEL, doc: JSON.parse(doc.slice(5, -1)) }),
        },
      ]),
      context(`${tag}-r2`),
    );
    expect(failedIds(result)).toEqual([`${tag}-j501`]);
    expect(stored(`${tag}-j`)).toEqual([`${tag}-j500:0`]);
  });

  it("takes columns named constructor, toString, __proto__ and valueOf, present or omitted", async () => {
    const full = `{"event_id":"${SENTINEL}","constructor":"${SENTINEL}","toString":"${SENTINEL}","__proto__":"${SENTINEL}","valueOf":[1,2]}`;
    const result = await handler(
      sqsEvent([
        { id: `${tag}-p-omitted`, body: good(5) },
        { id: `${tag}-p-full`, body: full },
        {
          id: `${tag}-p-wrong`,
          body: `{"event_id":"${SENTINEL}","__proto__":{"polluted":"${SENTINEL}"}}`,
        },
      ]),
      context(`${tag}-r3`),
    );
    expect(failedIds(result)).toEqual([`${tag}-p-wrong`]);
    expect(stored(`${tag}-p-`)).toEqual([`${tag}-p-omitted:0`, `${tag}-p-full:0`]);
    const row = google.rows.find((r) => r.insertId === `${tag}-p-full:0`)!.json;
    expect(Object.keys(row)).toEqual([
      "event_id",
      "constructor",
      "toString",
      "__proto__",
      "valueOf",
    ]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("reports a non-JSON body by kind and position, and an unknown key by position and length", async () => {
    const result = await handler(
      sqsEvent([
        { id: `${tag}-text`, body: `card ${SENTINEL} ${SECRET_IN_RECORD}` },
        { id: `${tag}-trail`, body: `{"event_id":"x"} ${SENTINEL}` },
        {
          id: `${tag}-key`,
          body: JSON.stringify({ event_id: SENTINEL, [SECRET_KEY_NAME]: SENTINEL }),
        },
        { id: `${tag}-ok`, body: good(6) },
        // Every secret form of the corpus, as a body and as record values and keys.
        { id: `${tag}-corpus-text`, body: SECRET_CORPUS.map((c) => c.text).join("\n") },
        {
          id: `${tag}-corpus-json`,
          body: JSON.stringify(
            Object.fromEntries([
              ["event_id", SENTINEL],
              ...SECRET_CORPUS.map((c, i) => [i % 2 ? c.text : `k${i}`, c.text]),
            ]),
          ),
        },
      ]),
      context(`${tag}-r4`),
    );
    expect(failedIds(result)).toEqual([
      `${tag}-text`,
      `${tag}-trail`,
      `${tag}-key`,
      `${tag}-corpus-text`,
      `${tag}-corpus-json`,
    ]);
    const reasons = Object.fromEntries(
      logs()
        .map((l) => JSON.parse(l))
        .filter((l) => l.message === "message rejected")
        .map((l) => [l.messageId, l.reason]),
    );
    expect(reasons[`${tag}-text`]).toBe(
      `body is not valid JSON (Unexpected token of ${`card ${SENTINEL} ${SECRET_IN_RECORD}`.length}); expected one JSON record or a JSON array of records`,
    );
    expect(reasons[`${tag}-trail`]).toMatch(
      /^body is not valid JSON \(Unexpected non-whitespace character after JSON at character 17 of \d+\)/,
    );
    expect(reasons[`${tag}-key`]).toBe(
      `invalid record: (key 2, ${SECRET_KEY_NAME.length} characters): unknown field; the table has only event_id, doc, constructor, toString, __proto__, valueOf`,
    );
  });

  it("keeps the log line short for a record with 50,000 unknown keys", async () => {
    const keys = Object.fromEntries(
      Array.from({ length: 50_000 }, (_, i) => [`${SENTINEL}${i}`, SENTINEL]),
    );
    const result = await handler(
      sqsEvent([
        { id: `${tag}-keys`, body: JSON.stringify({ event_id: SENTINEL, ...keys }) },
        { id: `${tag}-fine`, body: good(10) },
      ]),
      context(`${tag}-r7`),
    );
    expect(failedIds(result)).toEqual([`${tag}-keys`]);
    expect(stored(`${tag}-fine`)).toEqual([`${tag}-fine:0`]);
    const line = logs().find((l) => l.includes(`"messageId":"${tag}-keys"`))!;
    expect(line).toMatch(/and 49990 more problems/);
    expect(line.length).toBeLessThan(4_000);
  });

  it("fails a message over the records-per-message limit alone", async () => {
    const many = `[${Array.from({ length: MAX_RECORDS_PER_MESSAGE + 1 }, (_, i) => good(i)).join(",")}]`;
    const result = await handler(
      sqsEvent([
        { id: `${tag}-many`, body: many },
        { id: `${tag}-few`, body: `[${good(7)},${good(8)}]` },
      ]),
      context(`${tag}-r5`),
    );
    expect(failedIds(result)).toEqual([`${tag}-many`]);
    expect(stored(`${tag}-few`)).toEqual([`${tag}-few:0`, `${tag}-few:1`]);
    expect(logs().some((l) => l.includes('"limit":"records per message"'))).toBe(true);
  });

  it("fails a message over the row or message size alone", async () => {
    const padded = (bytes: number) => {
      const shell = JSON.stringify({ event_id: "" });
      return JSON.stringify({ event_id: "a".repeat(bytes - shell.length) });
    };
    const result = await handler(
      sqsEvent([
        // The body fits the message size; as an insertAll row (insertId and all) it does not.
        { id: `${tag}-row`, body: padded(MAX_MESSAGE_BYTES - 5) },
        { id: `${tag}-big`, body: padded(MAX_MESSAGE_BYTES + 1) },
        { id: `${tag}-small`, body: good(9) },
      ]),
      context(`${tag}-r6`),
    );
    expect(failedIds(result)).toEqual([`${tag}-row`, `${tag}-big`]);
    expect(stored(`${tag}-small`)).toEqual([`${tag}-small:0`]);
    const limits = logs()
      .map((l) => JSON.parse(l))
      .filter(
        (l) =>
          l.message === "message rejected" && [`${tag}-row`, `${tag}-big`].includes(l.messageId),
      )
      .map((l) => l.limit);
    expect(limits).toEqual(["row size", "message size"]);
  });

  // Runs last: every line the runs above logged, at every level (DEBUG included).
  it("logged no record value and no secret of the corpus, at any level", () => {
    const lines = logs();
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(SENTINEL);
      expect(line).not.toContain("ya29.");
      expect(line).not.toContain("sts-token-secret");
      for (const secret of [
        ...ALL_SECRETS,
        AWS_ENV.AWS_SECRET_ACCESS_KEY,
        AWS_ENV.AWS_SESSION_TOKEN,
      ])
        expect(line).not.toContain(secret);
    }
  });
});

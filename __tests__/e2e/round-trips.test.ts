/**
 * How many calls to Google an invocation costs, counted by the emulator: a cold start
 * exchanges the AWS identity once (STS, plus IAM when impersonating) and warm invocations of
 * the same container reuse the cached token, adding only their data calls.
 */
import type { OfflineBridge } from "../../emulator";
import {
  DIRECT,
  EXAMPLE,
  exampleRecord,
  startBridge,
  stopBridges,
  synthesizeEnvironments,
  type Environments,
} from "./harness";

let envs: Environments;
beforeAll(async () => {
  envs = await synthesizeEnvironments();
}, 60_000);
afterEach(stopBridges);

async function coldThenWarm(bridge: OfflineBridge, warm: number) {
  const container = await bridge.container(bridge.configuredRole());
  const counts = [];
  for (let i = 0; i <= warm; i++) {
    const invocation = await container.invoke(bridge.sqsEvent([exampleRecord(`r${i}`)]));
    expect(invocation).toMatchObject({ ok: true, result: { batchItemFailures: [] } });
    counts.push(bridge.emulator.faults.callCounts());
  }
  return counts;
}

describe("round trips (impersonation, archive on)", () => {
  it("cold start: one STS exchange, one IAM call, then the data calls (archive + insertAll)", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const [cold] = await coldThenWarm(bridge, 0);
    expect(cold).toEqual({
      "sts.token": 1,
      "iam.generateAccessToken": 1,
      "storage.upload": 1,
      "bigquery.insertAll": 1,
      "bigquery.tables.get": 0,
      // The Lambda never reads or lists.
      "bigquery.tables.list": 0,
      "bigquery.tabledata.list": 0,
      "storage.objects.get": 0,
      "storage.objects.list": 0,
    });
  });

  it("5 warm invocations add only their data calls", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const counts = await coldThenWarm(bridge, 5);
    expect(counts[5]).toEqual({
      "sts.token": 1,
      "iam.generateAccessToken": 1,
      "storage.upload": 6,
      "bigquery.insertAll": 6,
      "bigquery.tables.get": 0,
      // The Lambda never reads or lists.
      "bigquery.tables.list": 0,
      "bigquery.tabledata.list": 0,
      "storage.objects.get": 0,
      "storage.objects.list": 0,
    });
    expect(bridge.rows()).toHaveLength(6);
  });
});

describe("round trips (direct mode)", () => {
  it("cold start: STS, then the data calls; no IAM Credentials call", async () => {
    const bridge = await startBridge(envs[DIRECT]);
    const [cold] = await coldThenWarm(bridge, 0);
    expect(cold).toMatchObject({
      "sts.token": 1,
      "iam.generateAccessToken": 0,
      "bigquery.insertAll": 1,
    });
  });

  it("5 warm invocations add only their data calls", async () => {
    const bridge = await startBridge(envs[DIRECT]);
    const counts = await coldThenWarm(bridge, 5);
    expect(counts[5]).toMatchObject({
      "sts.token": 1,
      "iam.generateAccessToken": 0,
      "bigquery.insertAll": 6,
      "storage.upload": 6,
    });
  });
});

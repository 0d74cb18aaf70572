/**
 * The bundled Lambda against a Google that fails: transient errors are retried within the
 * invocation's time budget without duplicating rows, per-row insertErrors fail exactly their
 * messages, and a missing token or archive fails the whole batch (nothing acknowledged).
 */
import type { OfflineBridge } from "../../emulator";
import { startedTogether } from "../helpers/started-together";
import {
  EXAMPLE,
  messageIds,
  runBatch,
  type BatchRun,
  startBridge,
  stopBridges,
  synthesizeEnvironments,
  type Environments,
} from "./harness";

jest.setTimeout(30_000);

let envs: Environments;

/**
 * The scenarios wait in real time (the handler backs off between retries), so they start
 * together once the environments are ready, each on its own emulator (../helpers/started-together).
 */
type Scenario = { bridge: OfflineBridge; run: BatchRun };
const scenarios = startedTogether();
const scenario = (setup: () => Promise<Scenario>) => scenarios.add(setup);

beforeAll(async () => {
  envs = await synthesizeEnvironments();
  scenarios.startAll();
}, 60_000);
afterAll(stopBridges);

/** Short enough that a retry loop ignoring the budget would time out, long enough for backoff. */
const TIMEOUT_MS = 20_000;
/**
 * For outages: the handler gives up when the budget (timeout minus its 3 s safety margin,
 * lambda/retry.ts) is spent. 4 s leaves a 1 s retry window: room for several backed-off
 * attempts, without waiting out a longer window that proves nothing more.
 */
const OUTAGE_TIMEOUT_MS = 4_000;

describe("faults", () => {
  const bigQuery503 = scenario(async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    bridge.emulator.inject("bigquery.insertAll", { status: 503 });
    return { bridge, run: await runBatch(bridge, bridge.configuredRole(), 4) };
  });
  it("BigQuery 503 then OK: the rows land once", async () => {
    const { bridge, run } = await bigQuery503();
    expect(run.failedMessageIds).toEqual([]);
    expect(bridge.emulator.calls("bigquery.insertAll")).toBe(2);
    expect(
      bridge
        .rows()
        .map((r) => r.json.event_id)
        .sort(),
    ).toEqual(["m0", "m1", "m2", "m3"]);
  });

  const lostReply = scenario(async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    bridge.emulator.inject("bigquery.insertAll", { reset: true });
    return { bridge, run: await runBatch(bridge, bridge.configuredRole(), 3) };
  });
  it("a BigQuery reply lost to a connection reset: retried, and insertId keeps the rows single", async () => {
    const { bridge, run } = await lostReply();
    expect(run.failedMessageIds).toEqual([]);
    expect(bridge.rows()).toHaveLength(3);
  });

  const burst429 = scenario(async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    bridge.emulator.inject("bigquery.insertAll", { status: 429, times: 3 });
    const run = await runBatch(bridge, bridge.configuredRole(), 2, { timeoutMs: TIMEOUT_MS });
    return { bridge, run };
  });
  it("a 429 burst is retried within the time budget", async () => {
    const { bridge, run } = await burst429();
    expect(run.invocation.ok).toBe(true);
    expect(run.failedMessageIds).toEqual([]);
    expect(bridge.emulator.calls("bigquery.insertAll")).toBe(4);
    expect(bridge.rows()).toHaveLength(2);
  });

  const rowErrors = scenario(async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    bridge.emulator.faults.failRows({
      rows: (json) => json.event_id === "m3" || json.event_id === "m7",
      reason: "invalid",
      message: "rejected by the emulator for this test",
    });
    return { bridge, run: await runBatch(bridge, bridge.configuredRole(), 10) };
  });
  it("insertErrors on 2 of 10 rows: exactly those 2 messages fail, the other 8 land", async () => {
    const { bridge, run } = await rowErrors();
    const ids = messageIds(run.event);
    expect(run.failedMessageIds.sort()).toEqual([ids[3], ids[7]].sort());
    expect(
      bridge
        .rows()
        .map((r) => r.json.event_id)
        .sort(),
    ).toEqual(["m0", "m1", "m2", "m4", "m5", "m6", "m8", "m9"].sort());
  });

  const stsDown = scenario(async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    bridge.emulator.inject("sts.token", { status: 503, times: 1000 });
    const run = await runBatch(bridge, bridge.configuredRole(), 3, {
      timeoutMs: OUTAGE_TIMEOUT_MS,
    });
    return { bridge, run };
  });
  it("STS down: the whole batch fails and nothing is written", async () => {
    const { bridge, run } = await stsDown();
    expect(run.invocation.ok).toBe(true);
    expect(run.failedMessageIds.sort()).toEqual(messageIds(run.event).sort());
    expect(bridge.emulator.calls("sts.token")).toBeGreaterThanOrEqual(1);
    expect(bridge.emulator.calls("iam.generateAccessToken")).toBe(0);
    expect(bridge.emulator.calls("bigquery.insertAll")).toBe(0);
    expect(bridge.rows()).toHaveLength(0);
  });

  const archiveDown = scenario(async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    bridge.emulator.inject("storage.upload", { status: 503, times: 1000 });
    const run = await runBatch(bridge, bridge.configuredRole(), 3, {
      timeoutMs: OUTAGE_TIMEOUT_MS,
    });
    return { bridge, run };
  });
  it("the archive bucket failing: the batch fails before anything is inserted", async () => {
    const { bridge, run } = await archiveDown();
    expect(run.invocation.ok).toBe(true);
    expect(run.failedMessageIds.sort()).toEqual(messageIds(run.event).sort());
    expect(bridge.emulator.calls("storage.upload")).toBeGreaterThanOrEqual(1);
    expect(bridge.emulator.calls("bigquery.insertAll")).toBe(0);
    expect(bridge.rows()).toHaveLength(0);
  });
});

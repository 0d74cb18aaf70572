/**
 * The bundled Lambda, from the synthesized zip, writes CloudWatch Embedded Metric Format lines
 * whose numbers are the run's own: rows the emulator stored, messages SQS would redeliver (by
 * cause), one token refresh per cold start, and one latency sample per Google call.
 */
import type { OfflineBridge } from "../../emulator";
import {
  addressesOf,
  EXAMPLE,
  exampleRecord,
  failedMessageIds,
  startBridge,
  stopBridges,
  synthesizeEnvironments,
  type Environments,
} from "./harness";
import { emfDocuments, emfMetrics, emfProblems, sumOf, type EmfMetric } from "../metrics/emf";

jest.setTimeout(30_000);

let envs: Environments;
beforeAll(async () => {
  envs = await synthesizeEnvironments();
}, 60_000);
afterEach(stopBridges);

const SERVICE = { service: "wif-bridge-example" };

async function run(bridge: OfflineBridge, bodies: unknown[], timeoutMs?: number) {
  const container = await bridge.container(bridge.configuredRole(), { timeoutMs });
  const event = bridge.sqsEvent(bodies);
  const invocation = await container.invoke(event);
  return { event, failed: failedMessageIds(event, invocation), logs: container.logs };
}

function latencySamples(metrics: EmfMetric[], call: string): number[] {
  return metrics
    .filter((m) => m.name === "GoogleCallLatency" && m.dimensions.Call === call)
    .flatMap((m) => m.values);
}

describe("EMF metrics of the bundled handler", () => {
  it("counts rows, failures by cause, the token refresh and each Google call of a run", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    bridge.emulator.faults.failRows({
      rows: (json) => json.event_id === "m3" || json.event_id === "m7",
      reason: "invalid",
      message: "rejected by the emulator for this test",
    });
    const bodies: unknown[] = Array.from({ length: 10 }, (_, i) => exampleRecord(`m${i}`));
    bodies.push({ event_id: 42 }, "not json");
    const { failed, logs } = await run(bridge, bodies);

    const docs = emfDocuments(logs);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(emfProblems(doc)).toEqual([]);
    const metrics = emfMetrics(logs);
    expect(new Set(metrics.map((m) => m.namespace))).toEqual(new Set(["wif-bridge/example"]));
    for (const m of metrics) expect(m.dimensions).toMatchObject(SERVICE);

    expect(bridge.rows()).toHaveLength(8);
    expect(sumOf(metrics, "RowsWritten")).toBe(bridge.rows().length);
    expect(failed).toHaveLength(4);
    expect(sumOf(metrics, "MessagesFailed")).toBe(failed.length);
    // Two failed our validation, two were rejected by BigQuery: all four are invalid records.
    expect(sumOf(metrics, "MessagesFailed", { Cause: "InvalidRecord" })).toBe(4);
    expect(sumOf(metrics, "TokenRefreshes")).toBe(1);

    const calls = bridge.emulator.faults.callCounts();
    expect(latencySamples(metrics, "sts")).toHaveLength(calls["sts.token"]);
    expect(latencySamples(metrics, "iam")).toHaveLength(calls["iam.generateAccessToken"]);
    expect(latencySamples(metrics, "upload")).toHaveLength(calls["storage.upload"]);
    expect(latencySamples(metrics, "insertAll")).toHaveLength(calls["bigquery.insertAll"]);
    expect(calls["bigquery.insertAll"]).toBe(2); // the rejected request, then the resend
    for (const m of metrics.filter((x) => x.name === "GoogleCallLatency")) {
      expect(m.unit).toBe("Milliseconds");
      for (const v of m.values) expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it("a warm invocation refreshes no token and emits its own counts", async () => {
    const bridge = await startBridge(envs[EXAMPLE]);
    const container = await bridge.container(bridge.configuredRole());
    await container.invoke(bridge.sqsEvent([exampleRecord("a")]));
    const coldLogs = container.logs;
    await container.invoke(bridge.sqsEvent([exampleRecord("b"), exampleRecord("c")]));
    const warm = emfMetrics(container.logs.slice(coldLogs.length));
    expect(sumOf(warm, "RowsWritten")).toBe(2);
    expect(sumOf(warm, "TokenRefreshes")).toBe(0);
    expect(latencySamples(warm, "sts")).toEqual([]);
    expect(sumOf(warm, "MessagesFailed")).toBe(0);
  });

  it("names a refused insert GoogleDenied and a failing archive Archive", async () => {
    // The dataset grant is missing: BigQuery answers 403 accessDenied, which no retry fixes.
    const denied = await startBridge(envs[EXAMPLE], {
      withoutResources: addressesOf(envs[EXAMPLE], "google_bigquery_table_iam_member"),
    });
    const d = await run(denied, [exampleRecord("x"), exampleRecord("y")]);
    expect(d.failed).toHaveLength(2);
    expect(sumOf(emfMetrics(d.logs), "MessagesFailed", { Cause: "GoogleDenied" })).toBe(2);
    expect(sumOf(emfMetrics(d.logs), "RowsWritten")).toBe(0);

    const archive = await startBridge(envs[EXAMPLE]);
    archive.emulator.inject("storage.upload", { status: 403, times: 1000 });
    const a = await run(archive, [exampleRecord("x"), exampleRecord("y"), exampleRecord("z")]);
    expect(a.failed).toHaveLength(3);
    expect(sumOf(emfMetrics(a.logs), "MessagesFailed", { Cause: "Archive" })).toBe(3);
  });

  it("names an STS refusal met at the archive upload GoogleDenied, not Archive", async () => {
    // With the archive on, the upload is the first Google call: the token exchange fails there.
    const bridge = await startBridge(envs[EXAMPLE]);
    const container = await bridge.container(bridge.roleSession({ roleName: "not-the-bridge" }));
    const event = bridge.sqsEvent([exampleRecord("x"), exampleRecord("y")]);
    const failed = failedMessageIds(event, await container.invoke(event));
    expect(failed).toHaveLength(2);
    const metrics = emfMetrics(container.logs);
    expect(sumOf(metrics, "MessagesFailed", { Cause: "GoogleDenied" })).toBe(2);
    expect(sumOf(metrics, "MessagesFailed", { Cause: "Archive" })).toBe(0);
    expect(bridge.emulator.faults.calls("storage.upload")).toBe(0);
  });
});

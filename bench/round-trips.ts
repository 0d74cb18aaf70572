/**
 * Part 4: round trips to Google per invocation, from the emulator's call counters. The minimum
 * (WIF-PROTOCOL.md §7) is STS + IAM generateAccessToken + the data call when cold (STS + data
 * call in direct mode) and the data call alone when warm: the token is cached in the module.
 * With the archive on, each invocation has one more data call (the upload), nothing more.
 */
import type { Row } from "./report";
import {
  callCounts,
  diffCounts,
  exampleRecords,
  invokeAll,
  startContainer,
  synthesizeScenario,
  type CallCounts,
  type Scenario,
} from "./emulator-runs";

export const SCENARIOS: readonly Scenario[] = [
  { name: "impersonation", accessMode: "impersonation", archive: false },
  { name: "direct", accessMode: "direct", archive: false },
  {
    name: "impersonation + archive (config/example.json)",
    accessMode: "impersonation",
    archive: true,
  },
];

export interface RoundTrips {
  readonly scenario: Scenario;
  /** The synthesized cdk.tf.json, reused by the throughput part. */
  readonly stackFile: string;
  readonly cold: CallCounts;
  readonly warm: CallCounts;
  readonly handlerPeakRssMb: number;
}

const total = (c: CallCounts) => Object.values(c).reduce((a, b) => a + b, 0);

/** The most round trips an invocation may make. */
export function allowedRoundTrips(scenario: Scenario, cold: boolean): number {
  const tokens = cold ? (scenario.accessMode === "impersonation" ? 2 : 1) : 0;
  const dataCalls = 1 + (scenario.archive ? 1 : 0);
  return tokens + dataCalls;
}

export async function measureRoundTrips(scenario: Scenario): Promise<RoundTrips> {
  const stackFile = await synthesizeScenario(scenario);
  const bench = await startContainer(stackFile);
  try {
    const c0 = callCounts(bench.bridge);
    await invokeAll(bench, bench.bridge.sqsEvent(exampleRecords(100)));
    const c1 = callCounts(bench.bridge);
    await invokeAll(bench, bench.bridge.sqsEvent(exampleRecords(100, 100)));
    const c2 = callCounts(bench.bridge);
    const landed = bench.bridge.rows().length;
    if (landed !== 200) throw new Error(`${scenario.name}: 200 records sent, ${landed} landed`);
    return {
      scenario,
      stackFile,
      cold: diffCounts(c1, c0),
      warm: diffCounts(c2, c1),
      handlerPeakRssMb: await bench.stop(),
    };
  } catch (err) {
    await bench.stop().catch(() => undefined);
    throw err;
  }
}

function describe(c: CallCounts): string {
  return Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([endpoint, n]) => `${endpoint} ${n}`)
    .join(", ");
}

/** FAILED, not MISSED, when exceeded: these are the physical minimum, not a speed. */
export function roundTripRows(r: RoundTrips): Row[] {
  return (["cold", "warm"] as const).map((phase) => {
    const counts = r[phase];
    const allowed = allowedRoundTrips(r.scenario, phase === "cold");
    return {
      part: "4 round trips",
      what: `${r.scenario.name}: ${phase} invocation (100 records)`,
      value: total(counts),
      unit: "",
      target: `≤ ${allowed}`,
      status: total(counts) <= allowed ? "MET" : "FAILED",
      note: describe(counts),
    };
  });
}

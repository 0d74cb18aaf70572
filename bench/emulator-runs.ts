/**
 * Parts 4 and 5 run the synthesized bundle in the emulator's Lambda container against the
 * emulated Google (emulator/): this file is the shared set-up. The stack is synthesized from
 * the example config (changed per scenario) by the emulator's own synthesize(), as a deploy
 * would get it; the container gets the report-rss.js preload through NODE_OPTIONS (a Lambda
 * honours NODE_OPTIONS too) so the handler's own peak RSS is known.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ENDPOINTS,
  LambdaContainer,
  OfflineBridge,
  synthesize,
  writeConfigDir,
  type Endpoint,
  type SqsEvent,
} from "../emulator";
import { PROJECT_ROOT } from "./synth-variants";

const RSS_REPORTER = path.join(__dirname, "report-rss.js");

export interface Scenario {
  readonly name: string;
  readonly accessMode: "impersonation" | "direct";
  readonly archive: boolean;
}

/** The example environment with the scenario's access mode and archive setting. */
export async function synthesizeScenario(scenario: Scenario): Promise<string> {
  const example = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "config", "example.json"), "utf8"),
  );
  example.federation.accessMode = scenario.accessMode;
  if (!scenario.archive) delete example.archive;
  const configDir = writeConfigDir({ example });
  const app = await synthesize({ environments: ["example"], configDir });
  return app.stackFile("example");
}

export interface BenchContainer {
  readonly bridge: OfflineBridge;
  readonly container: LambdaContainer;
  /** The handler process's peak RSS in MB; after stop(). */
  stop(): Promise<number>;
}

/** A fresh emulator and one container running as the function's own role. */
export async function startContainer(stackFile: string): Promise<BenchContainer> {
  const bridge = await OfflineBridge.start({ stackFile });
  const rssDir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bench-handler-rss-"));
  const rssFile = path.join(rssDir, "rss.jsonl");
  const container = await LambdaContainer.start({
    deployment: {
      ...bridge.deployment,
      environment: {
        ...bridge.deployment.environment,
        NODE_OPTIONS: `--require ${JSON.stringify(RSS_REPORTER)}`,
        WIF_BENCH_RSS_FILE: rssFile,
      },
    },
    taskDir: bridge.taskDir,
    credentials: bridge.configuredRole(),
  });
  return {
    bridge,
    container,
    async stop() {
      await container.stop();
      await bridge.stop();
      const lines = fs.existsSync(rssFile)
        ? fs.readFileSync(rssFile, "utf8").split("\n").filter(Boolean)
        : [];
      fs.rmSync(rssDir, { recursive: true, force: true });
      fs.rmSync(bridge.taskDir, { recursive: true, force: true });
      if (lines.length === 0) throw new Error("the Lambda container did not report its RSS");
      return Math.max(...lines.map((l) => (JSON.parse(l) as { maxRssKb: number }).maxRssKb)) / 1024;
    },
  };
}

/** Records valid for the example table's schema. */
export function exampleRecords(count: number, offset = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    event_id: `bench-${offset + i}`,
    event_time: new Date(Date.UTC(2026, 0, 1, 0, 0, (offset + i) % 86_400)).toISOString(),
    source: "bench",
    amount: "12.50",
    tags: ["a", "b"],
    attributes: { key: "k", value: String(i) },
  }));
}

/** Invokes and insists the whole batch landed: a bench on failing invocations measures nothing. */
export async function invokeAll(bench: BenchContainer, event: SqsEvent): Promise<void> {
  const outcome = await bench.container.invoke(event);
  if (!outcome.ok) {
    throw new Error(
      `the handler failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}\n${bench.container.logs.slice(-2000)}`,
    );
  }
  const failures = (outcome.result as { batchItemFailures?: unknown[] } | null)?.batchItemFailures;
  if (failures && failures.length > 0) {
    throw new Error(
      `${failures.length} of ${event.Records.length} messages failed: ${JSON.stringify(failures.slice(0, 3))}\n${bench.container.logs.slice(-2000)}`,
    );
  }
}

export type CallCounts = Record<Endpoint, number>;

export function callCounts(bridge: OfflineBridge): CallCounts {
  return Object.fromEntries(ENDPOINTS.map((e) => [e, bridge.emulator.calls(e)])) as CallCounts;
}

export function diffCounts(after: CallCounts, before: CallCounts): CallCounts {
  return Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, v - before[k as Endpoint]]),
  ) as CallCounts;
}

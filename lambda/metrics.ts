/**
 * The handler's CloudWatch metrics, written as Embedded Metric Format (EMF) lines on stdout,
 * beside the JSON logger's lines (CloudWatch Logs turns each into metric data: no API call, no
 * latency). One namespace per environment, and few dimensions, because each distinct dimension
 * value is a billed custom metric. Every metric carries `service` (the function name, one value
 * per environment):
 *
 * - RowsWritten (Count): service
 * - MessagesFailed (Count): service, Cause (5 values, failure-cause.ts)
 * - GoogleCallLatency (Milliseconds): service, Call (sts, iam, insertAll, upload)
 * - TokenRefreshes (Count): service
 *
 * Values are gathered during an invocation and flushed once at its end: one line per dimension
 * value (at most 1 + 5 + 4), each holding every value of that invocation.
 * Written here rather than with Powertools Metrics or aws-embedded-metrics: both were measured in
 * the bundle and left the bench's size and init targets no headroom or missed them
 * (docs/operations-runbook.md#why-emf-is-written-by-our-own-code).
 */
import type { FailureCause } from "./failure-cause";
import type { GoogleCall } from "./google-call-timing";

export const METRIC_NAMES = {
  rowsWritten: "RowsWritten",
  messagesFailed: "MessagesFailed",
  googleCallLatency: "GoogleCallLatency",
  tokenRefreshes: "TokenRefreshes",
} as const;

/** EMF: at most 100 values of one metric in one document. */
export const MAX_VALUES_PER_LINE = 100;

export interface HandlerMetrics {
  rowsWritten(count: number): void;
  messageFailed(cause: FailureCause): void;
  googleCallLatency(call: GoogleCall, ms: number): void;
  tokenRefreshed(): void;
  /** Writes what was gathered since the last flush; writes nothing when nothing was. */
  flush(): void;
}

/** For handlers built without metrics (unit tests of other concerns). */
export const NO_METRICS: HandlerMetrics = {
  rowsWritten: () => {},
  messageFailed: () => {},
  googleCallLatency: () => {},
  tokenRefreshed: () => {},
  flush: () => {},
};

export interface EmfMetricsOptions {
  /** CloudWatch namespace, e.g. "wif-bridge/prod". */
  readonly namespace: string;
  /** The `service` dimension: the function name. */
  readonly serviceName: string;
  /** @default a line to process.stdout, like the JSON logger */
  readonly write?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

type Unit = "Count" | "Milliseconds";

export function createEmfMetrics(options: EmfMetricsOptions): HandlerMetrics {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;

  /** One EMF document: one dimension set, its values as root members. */
  const emit = (dimensions: Record<string, string>, metrics: [string, Unit, number[]][]) => {
    const all = { service: options.serviceName, ...dimensions };
    for (let start = 0; ; start += MAX_VALUES_PER_LINE) {
      const chunk = metrics
        .map(
          ([name, unit, values]) =>
            [name, unit, values.slice(start, start + MAX_VALUES_PER_LINE)] as const,
        )
        .filter(([, , values]) => values.length > 0);
      if (chunk.length === 0) return;
      write(
        JSON.stringify({
          _aws: {
            Timestamp: now(),
            CloudWatchMetrics: [
              {
                Namespace: options.namespace,
                Dimensions: [Object.keys(all)],
                Metrics: chunk.map(([Name, Unit]) => ({ Name, Unit })),
              },
            ],
          },
          ...all,
          ...Object.fromEntries(
            chunk.map(([name, , values]) => [name, values.length === 1 ? values[0] : values]),
          ),
        }),
      );
    }
  };

  // Counters are summed here and written as one value each; latencies keep every sample.
  // undefined until the handler reports rows: an invocation that wrote none still says 0.
  let rows: number | undefined;
  let refreshes = 0;
  const failed = new Map<FailureCause, number>();
  const latencies = new Map<GoogleCall, number[]>();
  return {
    rowsWritten: (count) => {
      rows = (rows ?? 0) + count;
    },
    messageFailed: (cause) => failed.set(cause, (failed.get(cause) ?? 0) + 1),
    googleCallLatency: (call, ms) =>
      latencies.set(call, [...(latencies.get(call) ?? []), Math.round(ms * 1000) / 1000]),
    tokenRefreshed: () => {
      refreshes++;
    },
    flush: () => {
      const plain: [string, Unit, number[]][] = [];
      if (rows !== undefined) plain.push([METRIC_NAMES.rowsWritten, "Count", [rows]]);
      if (refreshes > 0) plain.push([METRIC_NAMES.tokenRefreshes, "Count", [refreshes]]);
      emit({}, plain);
      for (const [cause, count] of failed)
        emit({ Cause: cause }, [[METRIC_NAMES.messagesFailed, "Count", [count]]]);
      for (const [call, values] of latencies)
        emit({ Call: call }, [[METRIC_NAMES.googleCallLatency, "Milliseconds", values]]);
      rows = undefined;
      refreshes = 0;
      failed.clear();
      latencies.clear();
    },
  };
}

/**
 * The handler's CloudWatch metrics, written as Embedded Metric Format lines on stdout by
 * Powertools Metrics (CloudWatch turns each line into metric data; no API call, no extra
 * latency). One namespace per environment, and few dimensions, because each distinct
 * dimension value is a billed custom metric. Every metric carries Powertools' `service`
 * dimension (the function name, one value per environment), which also keeps each EMF line's
 * dimension set non-empty:
 *
 * - RowsWritten (Count): service
 * - MessagesFailed (Count): service, Cause (5 values, failure-cause.ts)
 * - GoogleCallLatency (Milliseconds): service, Call (sts, iam, insertAll, upload)
 * - TokenRefreshes (Count): service
 *
 * Values are gathered during an invocation and flushed once at its end: at most one line per
 * dimension value (1 + 5 + 4), each holding every value of that invocation.
 * Why Powertools rather than aws-embedded-metrics or our own EMF writer: docs/operations-runbook.md#metrics.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { FailureCause } from "./failure-cause";
import type { GoogleCall } from "./google-call-timing";

export const METRIC_NAMES = {
  rowsWritten: "RowsWritten",
  messagesFailed: "MessagesFailed",
  googleCallLatency: "GoogleCallLatency",
  tokenRefreshes: "TokenRefreshes",
} as const;

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

export function createEmfMetrics(namespace: string, serviceName: string): HandlerMetrics {
  const groups = new Map<string, Metrics>();
  /** One Powertools Metrics per dimension value: an EMF line has one set of dimension values. */
  const group = (dimension?: [string, string]) => {
    const key = dimension ? dimension.join("=") : "";
    let metrics = groups.get(key);
    if (!metrics) {
      // Default dimensions, unlike addDimension, survive each publish.
      metrics = new Metrics({
        namespace,
        serviceName,
        ...(dimension ? { defaultDimensions: { [dimension[0]]: dimension[1] } } : {}),
      });
      groups.set(key, metrics);
    }
    return metrics;
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
      if (rows !== undefined) group().addMetric(METRIC_NAMES.rowsWritten, MetricUnit.Count, rows);
      if (refreshes > 0)
        group().addMetric(METRIC_NAMES.tokenRefreshes, MetricUnit.Count, refreshes);
      for (const [cause, count] of failed)
        group(["Cause", cause]).addMetric(METRIC_NAMES.messagesFailed, MetricUnit.Count, count);
      for (const [call, values] of latencies)
        for (const ms of values)
          group(["Call", call]).addMetric(
            METRIC_NAMES.googleCallLatency,
            MetricUnit.Milliseconds,
            ms,
          );
      rows = undefined;
      refreshes = 0;
      failed.clear();
      latencies.clear();
      for (const metrics of groups.values()) {
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }
    },
  };
}

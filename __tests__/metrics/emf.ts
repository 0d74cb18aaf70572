/**
 * Reads CloudWatch Embedded Metric Format lines out of a Lambda's stdout and checks each against
 * the EMF specification: a root `_aws` object with a millisecond Timestamp and CloudWatchMetrics
 * directives (Namespace, Dimensions as arrays of at most 30 keys, Metrics with a Name and a
 * CloudWatch Unit), every dimension key a string member of the root, every metric name a number
 * (or an array of at most 100 numbers) at the root.
 */

const UNITS = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

export interface EmfMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit?: string;
  /** Dimension key -> value, for the first (and, here, only) dimension set. */
  readonly dimensions: Record<string, string>;
  readonly values: number[];
}

/** Problems that make `line` invalid EMF (empty when valid). */
export function emfProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const aws = doc._aws as Record<string, unknown> | undefined;
  if (!aws || typeof aws !== "object") return ["no _aws object"];
  if (typeof aws.Timestamp !== "number" || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12)
    problems.push(`_aws.Timestamp ${JSON.stringify(aws.Timestamp)} is not epoch milliseconds`);
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0)
    return [...problems, "_aws.CloudWatchMetrics is not a non-empty array"];
  for (const d of directives as Record<string, unknown>[]) {
    if (typeof d.Namespace !== "string" || !/^[\w./#:-]{1,255}$/.test(d.Namespace))
      problems.push(`Namespace ${JSON.stringify(d.Namespace)} is invalid`);
    if (!Array.isArray(d.Dimensions)) problems.push("Dimensions is not an array");
    for (const set of (d.Dimensions ?? []) as unknown[]) {
      if (!Array.isArray(set) || set.length > 30) {
        problems.push(`dimension set ${JSON.stringify(set)} is not an array of at most 30 keys`);
        continue;
      }
      for (const key of set)
        if (typeof doc[key] !== "string") problems.push(`dimension ${key} is not a string member`);
    }
    if (!Array.isArray(d.Metrics) || d.Metrics.length === 0 || d.Metrics.length > 100)
      problems.push("Metrics is not an array of 1-100 definitions");
    for (const m of (d.Metrics ?? []) as Record<string, unknown>[]) {
      if (typeof m.Name !== "string" || m.Name.length === 0) problems.push("a metric has no Name");
      if (m.Unit !== undefined && !UNITS.has(String(m.Unit)))
        problems.push(`metric ${m.Name}: unit ${m.Unit} is not a CloudWatch unit`);
      const value = doc[String(m.Name)];
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.length > 100 || !values.every((v) => Number.isFinite(v)))
        problems.push(`metric ${m.Name}: value ${JSON.stringify(value)} is not 1-100 numbers`);
    }
  }
  return problems;
}

/** The EMF documents among stdout lines (JSON objects with `_aws`), each checked. */
export function emfDocuments(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((doc) => typeof doc._aws === "object");
}

/** Every metric value in the EMF lines of `stdout`; throws on the first invalid line. */
export function emfMetrics(stdout: string): EmfMetric[] {
  return emfDocuments(stdout).flatMap((doc) => {
    const problems = emfProblems(doc);
    if (problems.length > 0)
      throw new Error(`invalid EMF line ${JSON.stringify(doc)}: ${problems.join("; ")}`);
    const aws = doc._aws as {
      CloudWatchMetrics: {
        Namespace: string;
        Dimensions: string[][];
        Metrics: { Name: string; Unit?: string }[];
      }[];
    };
    return aws.CloudWatchMetrics.flatMap((d) =>
      d.Metrics.map((m) => ({
        namespace: d.Namespace,
        name: m.Name,
        unit: m.Unit,
        dimensions: Object.fromEntries((d.Dimensions[0] ?? []).map((k) => [k, String(doc[k])])),
        values: [doc[m.Name]].flat() as number[],
      })),
    );
  });
}

/** The sum of a metric's values, optionally for one dimension value. */
export function sumOf(
  metrics: EmfMetric[],
  name: string,
  dimensions: Record<string, string> = {},
): number {
  return metrics
    .filter((m) => m.name === name)
    .filter((m) => Object.entries(dimensions).every(([k, v]) => m.dimensions[k] === v))
    .reduce((total, m) => total + m.values.reduce((a, b) => a + b, 0), 0);
}

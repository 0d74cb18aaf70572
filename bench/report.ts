/** The bench's rows, targets and their Markdown rendering. */
import type { Summary } from "./stats";

export type Status = "MET" | "MISSED" | "FAILED" | "SKIPPED" | "info";

export interface Row {
  readonly part: string;
  readonly what: string;
  /** A measured distribution, or a single exact figure (bytes, counts). */
  readonly value: Summary | number | undefined;
  readonly unit: "s" | "ms" | "MB" | "KB" | "×" | "" | "records/s";
  readonly target?: string;
  readonly status: Status;
  readonly note?: string;
}

export function check(ok: boolean): Status {
  return ok ? "MET" : "MISSED";
}

function fmt(value: number, unit: Row["unit"]): string {
  const digits = unit === "s" ? 2 : unit === "ms" ? 1 : unit === "×" ? 1 : unit === "KB" ? 1 : 0;
  return `${value.toFixed(digits)}${unit === "" || unit === "×" ? unit : ` ${unit}`}`;
}

export function renderTable(rows: readonly Row[]): string {
  const lines = [
    "| part | measure | median | min | max | runs | target | result |",
    "| --- | --- | --: | --: | --: | --: | --- | --- |",
  ];
  for (const r of rows) {
    const v = r.value;
    const cells =
      v === undefined
        ? ["—", "", "", ""]
        : typeof v === "number"
          ? [fmt(v, r.unit), "", "", "1"]
          : [fmt(v.median, r.unit), fmt(v.min, r.unit), fmt(v.max, r.unit), String(v.runs)];
    const result = r.note ? `${r.status}: ${r.note}` : r.status;
    lines.push(`| ${[r.part, r.what, ...cells, r.target ?? "", result].join(" | ")} |`);
  }
  return lines.join("\n");
}

/** A Summary in another unit (ms -> s, KB -> MB). */
export function scale(s: Summary, factor: number): Summary {
  return { median: s.median * factor, min: s.min * factor, max: s.max * factor, runs: s.runs };
}

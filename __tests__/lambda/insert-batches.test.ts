import {
  MAX_REQUEST_BYTES,
  MAX_ROWS_PER_REQUEST,
  planInsertBatches,
  REQUEST_ENVELOPE_BYTES,
  rowBytes,
  type InsertRow,
} from "../../lambda/insert-batches";

const row = (i: number, payload = "x"): InsertRow => ({
  insertId: `m-${i}:0`,
  json: { p: payload },
});

describe("insertAll request planning", () => {
  it("uses BigQuery's documented limits: 500 rows recommended, 10 MB per request", () => {
    expect(MAX_ROWS_PER_REQUEST).toBe(500);
    expect(MAX_REQUEST_BYTES).toBe(10_000_000);
  });

  it("puts 500 rows in one request and the 501st in the next", () => {
    const rows = Array.from({ length: 1001 }, (_, i) => row(i));
    const plan = planInsertBatches(rows);
    expect(plan.batches.map((b) => b.length)).toEqual([500, 500, 1]);
    expect(plan.batches.flat()).toEqual(rows);
  });

  it("splits by bytes before rows when rows are large, never exceeding the request size", () => {
    const big = "y".repeat(3_000_000);
    const rows = [row(0, big), row(1, big), row(2, big), row(3, big)];
    const plan = planInsertBatches(rows);
    expect(plan.batches.map((b) => b.length)).toEqual([3, 1]);
    for (const batch of plan.batches) {
      const bytes = batch.reduce((n, r) => n + rowBytes(r), 0) + REQUEST_ENVELOPE_BYTES;
      expect(bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
  });

  it("fills a request exactly to the byte limit and no further", () => {
    const limits = { maxRows: 1000, maxBytes: REQUEST_ENVELOPE_BYTES + 2 * rowBytes(row(0)) };
    const plan = planInsertBatches([row(0), row(1), row(2)], limits);
    expect(plan.batches.map((b) => b.length)).toEqual([2, 1]);
  });

  it("counts bytes in UTF-8, not characters", () => {
    expect(rowBytes(row(0, "é"))).toBe(rowBytes(row(0, "e")) + 1);
  });

  it("sets aside a row that alone exceeds the request size", () => {
    const huge = row(1, "z".repeat(MAX_REQUEST_BYTES));
    const plan = planInsertBatches([row(0), huge, row(2)]);
    expect(plan.batches).toEqual([[row(0), row(2)]]);
    expect(plan.oversized.map((o) => o.row)).toEqual([huge]);
    expect(plan.oversized[0].bytes).toBeGreaterThan(MAX_REQUEST_BYTES);
  });

  it("starts a new request for a message whose rows would straddle two", () => {
    const rows = ["a", "a", "b", "b", "b", "c"].map((m, i) => ({
      insertId: `${m}:${i}`,
      json: {},
    }));
    const group = (r: InsertRow) => r.insertId.split(":")[0];
    const plan = planInsertBatches(rows, { maxRows: 4, maxBytes: 10_000_000 }, group);
    expect(plan.batches.map((b) => b.map(group).join(""))).toEqual(["aa", "bbbc"]);
  });

  it("splits a message only when its rows alone exceed a request", () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ insertId: `m:${i}`, json: {} }));
    const plan = planInsertBatches(rows, { maxRows: 2, maxBytes: 10_000_000 }, () => "m");
    expect(plan.batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it("plans nothing for no rows", () => {
    expect(planInsertBatches([])).toEqual({ batches: [], oversized: [] });
  });
});

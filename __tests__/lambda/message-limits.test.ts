import { jsonTextDepth, jsonValueDepth } from "../../lambda/json-depth";
import {
  bodyLimitViolation,
  messageLimitsFor,
  recordCountViolation,
  recordDepthAllowed,
  rowSizeViolation,
  valueDepthViolation,
} from "../../lambda/message-limits";
import type { TableField } from "../../stacks/schema/table-schema";

const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

describe("JSON depth, measured without recursion", () => {
  it.each([
    ["1", 0],
    ['"a"', 0],
    ["{}", 1],
    ["[1,2]", 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['{"a":"[[[[{{{{"}', 1],
    ['{"a":"\\"[[[["}', 1],
    ['["\\\\",[[]]]', 3],
  ])("%s nests %i levels, as text and as a value", (text, depth) => {
    expect(jsonTextDepth(text, 100)).toBe(depth);
    expect(jsonValueDepth(JSON.parse(text), 100)).toBe(depth);
  });

  it("stops at limit + 1 on 1,000,000 levels, without a stack overflow", () => {
    const text = nested(1_000_000);
    expect(jsonTextDepth(text, 500)).toBe(501);
    expect(jsonValueDepth(JSON.parse(nested(100_000)), 500)).toBe(501);
  });
});

describe("per-message limits derived from the schema", () => {
  const flat: TableField[] = [{ name: "id", type: "STRING" }];
  const withJson: TableField[] = [...flat, { name: "doc", type: "JSON" }];
  const records: TableField[] = [
    {
      name: "a",
      type: "RECORD",
      mode: "REPEATED",
      fields: [
        { name: "b", type: "RECORD", fields: [{ name: "tags", type: "STRING", mode: "REPEATED" }] },
      ],
    },
  ];

  it("admits a record as deep as its schema: object, RECORD levels, REPEATED arrays, 500 for JSON", () => {
    expect(recordDepthAllowed(flat)).toBe(1);
    expect(recordDepthAllowed(withJson)).toBe(501);
    // record { a: [ { b: { tags: [ ] } } ] }
    expect(recordDepthAllowed(records)).toBe(5);
    expect(messageLimitsFor(records).maxDepth).toBe(6);
  });

  it("refuses a body one level deeper than the schema admits, naming the limit", () => {
    const limits = messageLimitsFor(flat);
    expect(bodyLimitViolation('[{"id":"x"}]', limits)).toBeUndefined();
    expect(bodyLimitViolation('[{"id":["x"]}]', limits)).toEqual({
      limit: "nesting depth",
      reason:
        "over the nesting depth limit: the message nests deeper than 2 levels, the most this table's schema admits (BigQuery: 15 levels of RECORD, 500 levels in a JSON value)",
    });
    expect(valueDepthViolation({ id: "x" }, limits)).toBeUndefined();
    expect(valueDepthViolation({ id: ["x"] }, limits)?.limit).toBe("nesting depth");
  });

  it("measures the message size in UTF-8 bytes, not characters", () => {
    const limits = { ...messageLimitsFor(flat), maxMessageBytes: 10 };
    expect(bodyLimitViolation('{"id":"e"}', limits)).toBeUndefined();
    expect(bodyLimitViolation('{"id":"é"}', limits)).toEqual({
      limit: "message size",
      reason:
        "over the message size limit: the body is 11 bytes; one message is written by one insertAll request of at most 10 bytes",
    });
  });

  it("refuses more records than one insertAll request takes", () => {
    const limits = messageLimitsFor(flat);
    expect(recordCountViolation(500, limits)).toBeUndefined();
    expect(recordCountViolation(501, limits)).toMatchObject({ limit: "records per message" });
  });

  it("refuses a row over the row size, or rows over the message size together", () => {
    const limits = { ...messageLimitsFor(flat), maxRowBytes: 100, maxMessageBytes: 250 };
    expect(rowSizeViolation([100, 100], limits)).toBeUndefined();
    expect(rowSizeViolation([10, 101], limits)?.reason).toMatch(
      /^over the row size limit: record 1 is 101 bytes/,
    );
    expect(rowSizeViolation([100, 100, 100], limits)).toMatchObject({ limit: "message size" });
  });
});

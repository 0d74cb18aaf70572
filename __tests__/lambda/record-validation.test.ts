import { scalarProblem, validateRecord, formatProblems } from "../../lambda/record-validation";
import type { FieldType, TableField } from "../../stacks/schema/table-schema";

function problemsOf(record: unknown, fields: TableField[]): string {
  const result = validateRecord(record, fields);
  return result.ok ? "" : formatProblems(result.problems);
}

describe("record validation against the table schema", () => {
  const accepted: [FieldType, unknown[]][] = [
    ["STRING", ["", "hello"]],
    ["BYTES", ["", "aGVsbG8=", "aGk", "AAEC/+8="]],
    ["INTEGER", [0, -5, 42, "123", "-9223372036854775808", "9223372036854775807"]],
    ["INT64", [7, "+7"]],
    ["FLOAT", [1.5, -0, 3, "2.5", "1e10", "NaN", "Infinity", "-Infinity"]],
    ["FLOAT64", [0.1]],
    ["NUMERIC", [1, "12.50", "-0.000000001", "99999999999999999999999999999.999999999"]],
    ["BIGNUMERIC", ["12345678901234567890123456789012345678.5"]],
    ["BOOLEAN", [true, false, "true", "FALSE"]],
    ["BOOL", [true]],
    [
      "TIMESTAMP",
      [
        "2024-05-01T12:00:00Z",
        "2024-05-01 12:00:00.123456+02:00",
        "2024-05-01 12:00 UTC",
        "2024-02-29T23:59:59.999999999999Z",
        1714564800,
        1714564800.5,
      ],
    ],
    ["DATE", ["2024-05-01", "2024-02-29", "0001-01-01", "9999-12-31"]],
    ["TIME", ["00:00:00", "23:59:59.999999", "7:05:00"]],
    ["DATETIME", ["2024-05-01T12:00:00", "2024-05-01 12:00:00.5"]],
    ["JSON", [{ a: 1 }, [1, 2], 3, true, '{"a":1}', '"text"']],
  ];
  const refused: [FieldType, unknown[]][] = [
    ["STRING", [5, true, {}, []]],
    ["BYTES", ["not base64!", "abcde", 12]],
    [
      "INTEGER",
      [1.5, "1.0", "12a", "9223372036854775808", "-9223372036854775809", 2 ** 53 + 2, true],
    ],
    ["FLOAT", ["abc", true, {}]],
    ["NUMERIC", ["twelve", "1e40", "123456789012345678901234567890", {}, "1.2.3"]],
    ["BIGNUMERIC", ["1234567890123456789012345678901234567890"]],
    ["BOOLEAN", ["yes", 1, 0]],
    [
      "TIMESTAMP",
      ["yesterday", "2024-13-01T00:00:00Z", "2024-02-30 10:00:00", "2024-05-01T25:00:00Z", true],
    ],
    ["DATE", ["2023-02-29", "2024-5-1", "2024-05-01T00:00:00", 20240501]],
    ["TIME", ["24:00:00", "12:60:00", "12:00", 1200]],
    ["DATETIME", ["2024-05-01T12:00:00Z", "2024-05-01", "2024-05-01T12:00:00+01:00"]],
    ["JSON", ["{not json"]],
  ];

  describe.each(accepted)("%s accepts", (type, values) => {
    it.each(values.map((v) => [JSON.stringify(v), v]))("%s", (_label, value) => {
      expect(scalarProblem(value, type)).toBeUndefined();
    });
  });

  describe.each(refused)("%s refuses", (type, values) => {
    it.each(values.map((v) => [JSON.stringify(v), v]))("%s", (_label, value) => {
      expect(scalarProblem(value, type)).toEqual(expect.any(String));
    });
  });

  it("tells to send integers beyond 2^53 as strings", () => {
    expect(scalarProblem(2 ** 53 + 2, "INTEGER")).toMatch(/send it as a string/);
  });

  it("names the INT64 range for an out-of-range numeric string", () => {
    expect(scalarProblem("9223372036854775808", "INT64")).toMatch(/outside the INT64 range/);
  });

  describe("modes", () => {
    const fields: TableField[] = [
      { name: "id", type: "STRING", mode: "REQUIRED" },
      { name: "note", type: "STRING" },
      { name: "tags", type: "STRING", mode: "REPEATED" },
    ];

    it("refuses a missing REQUIRED field", () => {
      expect(problemsOf({}, fields)).toBe("id: REQUIRED STRING field is missing");
    });

    it("refuses a null REQUIRED field", () => {
      expect(problemsOf({ id: null }, fields)).toBe("id: REQUIRED STRING field is null");
    });

    it("accepts a NULLABLE field that is missing or null (mode defaults to NULLABLE)", () => {
      expect(problemsOf({ id: "x" }, fields)).toBe("");
      expect(problemsOf({ id: "x", note: null }, fields)).toBe("");
    });

    it("accepts a REPEATED field as an array, empty, missing or null", () => {
      expect(problemsOf({ id: "x", tags: ["a", "b"] }, fields)).toBe("");
      expect(problemsOf({ id: "x", tags: [] }, fields)).toBe("");
      expect(problemsOf({ id: "x", tags: null }, fields)).toBe("");
    });

    it("refuses a REPEATED field that is not an array, and null elements, by index", () => {
      expect(problemsOf({ id: "x", tags: "a" }, fields)).toBe(
        "tags: REPEATED field: expected a JSON array, got a string of 1 characters",
      );
      expect(problemsOf({ id: "x", tags: ["a", null, 3] }, fields)).toBe(
        "tags[1]: REPEATED field: elements may not be null; tags[2]: expected a string, got an integer",
      );
    });
  });

  describe("records", () => {
    const fields: TableField[] = [
      {
        name: "attributes",
        type: "RECORD",
        mode: "REPEATED",
        fields: [
          { name: "key", type: "STRING", mode: "REQUIRED" },
          { name: "inner", type: "STRUCT", fields: [{ name: "n", type: "INTEGER" }] },
        ],
      },
    ];

    it("validates RECORD/STRUCT fields recursively and names the full path", () => {
      const record = { attributes: [{ key: "a", inner: { n: 1 } }, { inner: { n: "x", m: 2 } }] };
      expect(problemsOf(record, fields)).toBe(
        "attributes[1].key: REQUIRED STRING field is missing; " +
          "attributes[1].inner.(key 2, 1 characters): unknown field; the table has only n; " +
          "attributes[1].inner.n: expected an integer (a number or a string of digits), got a string of 1 characters",
      );
    });

    it("refuses a RECORD that is not an object", () => {
      expect(problemsOf({ attributes: [[1]] }, fields)).toBe(
        "attributes[0]: RECORD field: expected a JSON object, got an array",
      );
    });
  });

  it("refuses unknown top-level fields by position and length, pointing to a differently cased column", () => {
    const fields: TableField[] = [{ name: "event_id", type: "STRING" }];
    expect(problemsOf({ Event_ID: "x" }, fields)).toBe(
      '(key 1, 8 characters): unknown field; the table has "event_id" (names are matched exactly)',
    );
    expect(problemsOf({ event_id: "x", "card-4111-1111": 1 }, fields)).toBe(
      "(key 2, 14 characters): unknown field; the table has only event_id",
    );
  });

  it("lists at most 10 problems, then how many more, however many keys a record has", () => {
    const fields: TableField[] = [{ name: "event_id", type: "STRING" }];
    const record = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const reason = problemsOf(record, fields);
    expect(reason.match(/unknown field/g)).toHaveLength(10);
    expect(reason).toMatch(/; and 9990 more problems$/);
    expect(reason.length).toBeLessThan(1_000);
  });

  describe("reads the record's own properties only", () => {
    const fields: TableField[] = [
      { name: "id", type: "STRING", mode: "REQUIRED" },
      { name: "constructor", type: "STRING" },
      { name: "toString", type: "STRING" },
      { name: "__proto__", type: "STRING" },
      { name: "hasOwnProperty", type: "INTEGER", mode: "REPEATED" },
    ];

    it("accepts a record that omits columns named like Object.prototype members", () => {
      expect(validateRecord({ id: "a" }, fields)).toEqual({ ok: true });
    });

    it("validates those columns when the record has them (JSON.parse makes __proto__ an own key)", () => {
      const record = JSON.parse(
        '{"id":"a","constructor":"c","toString":"t","__proto__":"p","hasOwnProperty":[1,2]}',
      );
      expect(validateRecord(record, fields)).toEqual({ ok: true });
      expect(problemsOf(JSON.parse('{"id":"a","__proto__":5,"toString":{}}'), fields)).toBe(
        "toString: expected a string, got an object; __proto__: expected a string, got an integer",
      );
    });

    it("reports a REQUIRED column named constructor as missing, not as a function", () => {
      expect(problemsOf({}, [{ name: "constructor", type: "STRING", mode: "REQUIRED" }])).toBe(
        "constructor: REQUIRED STRING field is missing",
      );
    });
  });

  describe("the JSON type's nesting limit (BigQuery: 500 levels)", () => {
    const fields: TableField[] = [{ name: "doc", type: "JSON" }];
    const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

    it("accepts a JSON value (object or JSON text) of exactly 500 levels", () => {
      expect(validateRecord({ doc: JSON.parse(nested(500)) }, fields)).toEqual({ ok: true });
      expect(validateRecord({ doc: nested(500) }, fields)).toEqual({ ok: true });
    });

    it("refuses 501 levels, as a value or as text, without recursing into it", () => {
      const reason =
        "doc: JSON value nests deeper than 500 levels, BigQuery's limit for the JSON type";
      expect(problemsOf({ doc: JSON.parse(nested(501)) }, fields)).toBe(reason);
      expect(problemsOf({ doc: nested(501) }, fields)).toBe(reason);
      expect(problemsOf({ doc: JSON.parse(nested(100_000)) }, fields)).toBe(reason);
    });
  });

  it("refuses a record that is not a JSON object", () => {
    expect(problemsOf([1, 2], [])).toBe("(record): expected a JSON object, got an array");
    expect(problemsOf("text", [])).toBe(
      "(record): expected a JSON object, got a string of 4 characters",
    );
  });

  it("never quotes a value in a reason (record content stays out of logs)", () => {
    const reason = problemsOf(
      { d: "secret-value", n: 987654.5, i: "99999999999999999999", b: 4242 },
      [
        { name: "d", type: "DATE" },
        { name: "n", type: "INTEGER" },
        { name: "i", type: "INTEGER" },
        { name: "b", type: "BOOLEAN" },
      ],
    );
    expect(reason).toContain("d: expected a date");
    expect(reason).toContain("n: expected an integer, got a number");
    for (const value of ["secret-value", "987654", "99999999999999999999", "4242"])
      expect(reason).not.toContain(value);
  });
});

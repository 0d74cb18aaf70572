/**
 * Checks a record against the table schema before it is sent, so a bad record is reported
 * with the field path and the reason (and goes to the DLQ) instead of failing a whole insert.
 * It accepts the JSON forms BigQuery's insertAll accepts for each type, and no more: unknown
 * fields are refused (ignoreUnknownValues stays false), names match exactly (BigQuery's own
 * matching is case-insensitive, but a differently cased key is a producer bug worth naming).
 */
import { isRecordType, type TableField } from "../stacks/schema/table-schema";
import { jsonTextDepth, jsonValueDepth } from "./json-depth";
import { BIGQUERY_JSON_NESTING_LIMIT } from "./message-limits";

export interface FieldProblem {
  /** Dotted path to the value, with [i] for repeated elements, e.g. `attributes[2].key`. */
  readonly path: string;
  readonly reason: string;
}

export type Validation =
  { readonly ok: true } | { readonly ok: false; readonly problems: FieldProblem[] };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{1,2}):(\d{2}):(\d{2})(\.\d{1,6})?$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}:\d{2}(\.\d{1,6})?)$/;
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,12})?)?)\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$/i;
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** Integer digits allowed: NUMERIC is precision 38 scale 9; BIGNUMERIC 76.76 scale 38. */
const DECIMAL_INTEGER_DIGITS = { NUMERIC: 29, BIGNUMERIC: 38 } as const;

export function validateRecord(record: unknown, fields: readonly TableField[]): Validation {
  const problems: FieldProblem[] = [];
  if (!isPlainObject(record)) {
    problems.push({ path: "(record)", reason: `expected a JSON object, got ${describe(record)}` });
  } else {
    checkObject(record, fields, "", problems);
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/**
 * Problems listed in a reason at most: a hostile record with 100,000 unknown keys must not make
 * a log line (or a direct invocation's answer, at most 6 MB) of megabytes.
 */
export const MAX_LISTED_PROBLEMS = 10;

/** "a.b: reason; c: reason" for logs and failure reports, the first MAX_LISTED_PROBLEMS of them. */
export function formatProblems(problems: readonly FieldProblem[]): string {
  return listed(
    problems.map((p) => `${p.path}: ${p.reason}`),
    "; ",
    "problems",
  );
}

/** The first MAX_LISTED_PROBLEMS items joined, and how many more there are. */
export function listed(items: readonly string[], separator: string, noun: string): string {
  const shown = items.slice(0, MAX_LISTED_PROBLEMS).join(separator);
  const more = items.length - MAX_LISTED_PROBLEMS;
  return more > 0 ? `${shown}${separator}and ${more} more ${noun}` : shown;
}

function checkObject(
  value: Record<string, unknown>,
  fields: readonly TableField[],
  prefix: string,
  problems: FieldProblem[],
): void {
  const byName = new Map(fields.map((f) => [f.name, f]));
  Object.keys(value).forEach((key, position) => {
    if (byName.has(key)) return;
    // A key that is not a column is the producer's text: reported by position and length.
    const near = fields.find((f) => f.name.toLowerCase() === key.toLowerCase());
    problems.push({
      path: join(prefix, `(key ${position + 1}, ${key.length} characters)`),
      reason: `unknown field; the table has ${near ? `"${near.name}" (names are matched exactly)` : `only ${fields.map((f) => f.name).join(", ")}`}`,
    });
  });
  // Own properties only: a column named `constructor` or `toString` that the record omits is
  // missing, not the function Object.prototype lends every object.
  for (const field of fields)
    checkField(
      Object.hasOwn(value, field.name) ? value[field.name] : undefined,
      field,
      join(prefix, field.name),
      problems,
    );
}

function checkField(
  value: unknown,
  field: TableField,
  path: string,
  problems: FieldProblem[],
): void {
  const mode = field.mode ?? "NULLABLE";
  if (mode === "REPEATED") {
    if (value === undefined || value === null) return; // BigQuery stores an empty array
    if (!Array.isArray(value)) {
      problems.push({
        path,
        reason: `REPEATED field: expected a JSON array, got ${describe(value)}`,
      });
      return;
    }
    value.forEach((item, i) => {
      if (item === null || item === undefined)
        problems.push({
          path: `${path}[${i}]`,
          reason: "REPEATED field: elements may not be null",
        });
      else checkValue(item, field, `${path}[${i}]`, problems);
    });
    return;
  }
  if (value === undefined || value === null) {
    if (mode === "REQUIRED")
      problems.push({
        path,
        reason: `REQUIRED ${field.type} field is ${value === null ? "null" : "missing"}`,
      });
    return;
  }
  checkValue(value, field, path, problems);
}

function checkValue(
  value: unknown,
  field: TableField,
  path: string,
  problems: FieldProblem[],
): void {
  if (isRecordType(field.type)) {
    if (!isPlainObject(value)) {
      problems.push({
        path,
        reason: `${field.type} field: expected a JSON object, got ${describe(value)}`,
      });
      return;
    }
    checkObject(value, field.fields ?? [], path, problems);
    return;
  }
  const reason = scalarProblem(value, field.type);
  if (reason) problems.push({ path, reason });
}

/** Why `value` is not a valid `type`, or undefined when it is. */
export function scalarProblem(value: unknown, type: TableField["type"]): string | undefined {
  switch (type) {
    case "STRING":
      return typeof value === "string" ? undefined : expected("a string", value);
    case "BYTES":
      return typeof value === "string" && BASE64.test(value)
        ? undefined
        : expected("base64-encoded bytes", value);
    case "INTEGER":
    case "INT64":
      return integerProblem(value);
    case "FLOAT":
    case "FLOAT64":
      if (typeof value === "number")
        return Number.isFinite(value) ? undefined : expected("a finite number", value);
      if (
        typeof value === "string" &&
        (DECIMAL.test(value) || /^[+-]?(NaN|Infinity|inf)$/i.test(value))
      )
        return undefined;
      return expected("a number", value);
    case "NUMERIC":
    case "BIGNUMERIC":
      return decimalProblem(value, type);
    case "BOOLEAN":
    case "BOOL":
      if (typeof value === "boolean") return undefined;
      if (typeof value === "string" && /^(true|false)$/i.test(value)) return undefined;
      return expected("true or false", value);
    case "TIMESTAMP":
      return timestampProblem(value);
    case "DATE":
      return typeof value === "string" && validDate(value)
        ? undefined
        : expected('a date "YYYY-MM-DD"', value);
    case "TIME":
      return typeof value === "string" && validTime(value)
        ? undefined
        : expected('a time "HH:MM:SS[.ffffff]"', value);
    case "DATETIME": {
      const m = typeof value === "string" ? DATETIME.exec(value) : null;
      return m && validDate(m[1]) && validTime(m[2])
        ? undefined
        : expected('a datetime "YYYY-MM-DD[T ]HH:MM:SS[.ffffff]" without a time zone', value);
    }
    case "JSON": {
      // Objects, arrays, numbers, booleans as they are; a string is read as JSON text.
      const depth =
        typeof value === "string"
          ? jsonTextDepth(value, BIGQUERY_JSON_NESTING_LIMIT)
          : jsonValueDepth(value, BIGQUERY_JSON_NESTING_LIMIT);
      if (depth > BIGQUERY_JSON_NESTING_LIMIT)
        return `JSON value nests deeper than ${BIGQUERY_JSON_NESTING_LIMIT} levels, BigQuery's limit for the JSON type`;
      if (typeof value !== "string") return undefined;
      try {
        JSON.parse(value);
        return undefined;
      } catch {
        return expected("JSON (a string is read as JSON text and must parse)", value);
      }
    }
    default:
      return `unsupported column type ${String(type)}`;
  }
}

function integerProblem(value: unknown): string | undefined {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return expected("an integer", value);
    if (!Number.isSafeInteger(value))
      return `an integer beyond 2^53 loses precision in JSON; send it as a string of digits, e.g. "9007199254740993"`;
    return undefined;
  }
  if (typeof value === "string" && /^[+-]?\d+$/.test(value)) {
    const n = BigInt(value);
    return n < INT64_MIN || n > INT64_MAX
      ? `a string of ${value.length} digits outside the INT64 range`
      : undefined;
  }
  return expected("an integer (a number or a string of digits)", value);
}

function decimalProblem(value: unknown, type: "NUMERIC" | "BIGNUMERIC"): string | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return expected("a finite number", value);
    text = String(value);
  } else if (typeof value === "string" && DECIMAL.test(value)) text = value;
  else return expected(`a decimal (a number or a string like "123.45")`, value);
  const [mantissa, exponent = "0"] = text.replace(/^[+-]/, "").toLowerCase().split("e");
  const integerDigits = (mantissa.split(".")[0].replace(/^0+/, "").length || 0) + Number(exponent);
  const max = DECIMAL_INTEGER_DIGITS[type];
  return integerDigits > max
    ? `${type} allows at most ${max} digits before the decimal point`
    : undefined;
}

function timestampProblem(value: unknown): string | undefined {
  if (typeof value === "number")
    return Number.isFinite(value) ? undefined : expected("a finite number", value);
  const m = typeof value === "string" ? TIMESTAMP.exec(value.trim()) : null;
  if (
    m &&
    validDate(m[1]) &&
    validTime(m[2].split(":").length === 2 ? `${m[2]}:00` : m[2].replace(/(\.\d{6})\d+$/, "$1"))
  )
    return undefined;
  return expected(
    'a timestamp, e.g. "2024-05-01T12:00:00Z", "2024-05-01 12:00:00.123+02:00" or seconds since the epoch',
    value,
  );
}

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return (
    day <= new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0)
  );
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function validTime(text: string): boolean {
  const m = TIME.exec(text);
  return !!m && Number(m[1]) <= 23 && Number(m[2]) <= 59 && Number(m[3]) <= 59;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function expected(what: string, value: unknown): string {
  return `expected ${what}, got ${describe(value)}`;
}

/** The value's kind, never the value: reasons are logged, and record content must not be. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "boolean") return "a boolean";
  return typeof value === "object" ? "an object" : typeof value;
}

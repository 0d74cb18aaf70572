/**
 * BigQuery's checks on a streamed row (tabledata.insertAll), against the synthesized table
 * schema: required columns present, repeated columns are lists, values of the column's type,
 * no unknown fields unless ignoreUnknownValues. Written for the emulator from BigQuery's
 * documented JSON encodings; independent of the Lambda's own validation.
 */
import type { TableField } from "../stacks/schema/table-schema";

export interface RowError {
  readonly reason: string;
  /** The column path, e.g. `attributes.key`. */
  readonly location: string;
  readonly message: string;
  readonly debugInfo: string;
}

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{1,2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,12})?)?)?\s*(Z|UTC|[+-]\d{2}(:?\d{2})?)?$/i;

function typeError(field: TableField, value: unknown): string | undefined {
  const text = typeof value === "string" ? value : undefined;
  switch (field.type) {
    case "STRING":
    case "GEOGRAPHY" as TableField["type"]:
      return typeof value === "string" ? undefined : "Cannot convert value to string.";
    case "BYTES":
      return text !== undefined && /^[A-Za-z0-9+/_-]*={0,2}$/.test(text)
        ? undefined
        : "Could not decode base64 string to bytes.";
    case "INTEGER":
    case "INT64":
      return (typeof value === "number" && Number.isInteger(value)) ||
        (text !== undefined && INTEGER.test(text))
        ? undefined
        : "Cannot convert value to integer.";
    case "FLOAT":
    case "FLOAT64":
    case "NUMERIC":
    case "BIGNUMERIC":
      return (typeof value === "number" && Number.isFinite(value)) ||
        (text !== undefined && (DECIMAL.test(text) || /^(NaN|[-+]?Infinity)$/.test(text)))
        ? undefined
        : `Cannot convert value to ${field.type.toLowerCase()}.`;
    case "BOOLEAN":
    case "BOOL":
      return typeof value === "boolean" || (text !== undefined && /^(true|false)$/i.test(text))
        ? undefined
        : "Cannot convert value to boolean.";
    case "TIMESTAMP":
      return typeof value === "number" ||
        (text !== undefined && TIMESTAMP.test(text) && !Number.isNaN(Date.parse(isoish(text))))
        ? undefined
        : "Cannot convert value to timestamp.";
    case "DATE":
      return text !== undefined && DATE.test(text) && !Number.isNaN(Date.parse(text))
        ? undefined
        : "Cannot convert value to date.";
    case "TIME":
      return text !== undefined && TIME.test(text) ? undefined : "Cannot convert value to time.";
    case "DATETIME":
      return text !== undefined && DATETIME.test(text)
        ? undefined
        : "Cannot convert value to datetime.";
    case "JSON":
      return undefined;
    case "RECORD":
    case "STRUCT":
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? undefined
        : "This field is not a record.";
    default:
      return `Unsupported column type ${field.type}.`;
  }
}

/** BigQuery's timestamp forms (`2024-01-02 03:04:05 UTC`) into something Date.parse reads. */
function isoish(text: string): string {
  return text
    .trim()
    .replace(" ", "T")
    .replace(/\s*UTC$/i, "Z")
    .replace(/(\.\d{3})\d+/, "$1");
}

function checkRecord(
  fields: readonly TableField[],
  row: Record<string, unknown>,
  prefix: string,
  ignoreUnknownValues: boolean,
  errors: RowError[],
): void {
  const known = new Set(fields.map((f) => f.name.toLowerCase()));
  if (!ignoreUnknownValues) {
    for (const key of Object.keys(row)) {
      if (!known.has(key.toLowerCase())) {
        errors.push(invalid(`${prefix}${key}`, `no such field: ${prefix}${key}.`));
      }
    }
  }
  for (const field of fields) {
    const location = `${prefix}${field.name}`;
    const key = Object.keys(row).find((k) => k.toLowerCase() === field.name.toLowerCase());
    const value = key === undefined ? undefined : row[key];
    const mode = field.mode ?? "NULLABLE";
    if (value === undefined || value === null) {
      if (mode === "REQUIRED")
        errors.push(invalid(location, `Missing required field: ${location}.`));
      continue;
    }
    if (mode === "REPEATED") {
      if (!Array.isArray(value)) {
        errors.push(invalid(location, `Array specified for non-repeated field: ${location}.`));
        continue;
      }
      value.forEach((item, i) =>
        checkValue(field, item, `${location}[${i}]`, ignoreUnknownValues, errors),
      );
    } else if (Array.isArray(value)) {
      errors.push(invalid(location, `Array specified for non-repeated field: ${location}.`));
    } else {
      checkValue(field, value, location, ignoreUnknownValues, errors);
    }
  }
}

function checkValue(
  field: TableField,
  value: unknown,
  location: string,
  ignoreUnknownValues: boolean,
  errors: RowError[],
): void {
  if (value === null) {
    errors.push(invalid(location, `Null value in repeated field ${location}.`));
    return;
  }
  const problem = typeError(field, value);
  if (problem) {
    errors.push(
      invalid(location, `${problem} Field: ${location}; Value: ${JSON.stringify(value)}`),
    );
    return;
  }
  if ((field.type === "RECORD" || field.type === "STRUCT") && field.fields) {
    checkRecord(
      field.fields,
      value as Record<string, unknown>,
      `${location}.`,
      ignoreUnknownValues,
      errors,
    );
  }
}

function invalid(location: string, message: string): RowError {
  return { reason: "invalid", location, message, debugInfo: "" };
}

/** Every problem of one row (`json` of an insertAll row); empty when BigQuery would take it. */
export function validateRow(
  schema: readonly TableField[],
  json: unknown,
  options: { ignoreUnknownValues?: boolean } = {},
): RowError[] {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return [invalid("", "The row's json must be an object.")];
  }
  const errors: RowError[] = [];
  checkRecord(
    schema,
    json as Record<string, unknown>,
    "",
    options.ignoreUnknownValues ?? false,
    errors,
  );
  return errors;
}

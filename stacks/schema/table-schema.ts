/**
 * The BigQuery table schema, shared by the stack (which creates the table) and the Lambda
 * (which validates every record against it before writing). Pure: no cdktf, no zod, so the
 * Lambda bundle can import it without pulling in either.
 */

/** Column types that BigQuery accepts in a table schema (legacy names and their aliases). */
export const FIELD_TYPES = [
  "STRING",
  "BYTES",
  "INTEGER",
  "INT64",
  "FLOAT",
  "FLOAT64",
  "NUMERIC",
  "BIGNUMERIC",
  "BOOLEAN",
  "BOOL",
  "TIMESTAMP",
  "DATE",
  "TIME",
  "DATETIME",
  "JSON",
  "RECORD",
  "STRUCT",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_MODES = ["NULLABLE", "REQUIRED", "REPEATED"] as const;
export type FieldMode = (typeof FIELD_MODES)[number];

export interface TableField {
  readonly name: string;
  readonly type: FieldType;
  /** @default "NULLABLE" */
  readonly mode?: FieldMode;
  readonly description?: string;
  /** Sub-fields, for RECORD / STRUCT columns only. */
  readonly fields?: readonly TableField[];
}

/** Types a table can be time-partitioned on. */
export const PARTITIONABLE_TYPES: readonly FieldType[] = ["TIMESTAMP", "DATE", "DATETIME"];

export function isRecordType(type: FieldType): boolean {
  return type === "RECORD" || type === "STRUCT";
}

/** The JSON text `google_bigquery_table.schema` expects: a list of columns, modes explicit. */
export function toBigQuerySchemaJson(fields: readonly TableField[]): string {
  return JSON.stringify(fields.map(normalizeField));
}

function normalizeField(field: TableField): Record<string, unknown> {
  return {
    name: field.name,
    type: field.type,
    mode: field.mode ?? "NULLABLE",
    ...(field.description ? { description: field.description } : {}),
    ...(field.fields ? { fields: field.fields.map(normalizeField) } : {}),
  };
}

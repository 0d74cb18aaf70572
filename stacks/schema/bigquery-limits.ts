/**
 * BigQuery's rules for a dataset and table that Google checks only when it creates them (so a
 * config that breaks one would synthesize, then fail at apply). From Google's documentation:
 * "Specify a schema" (column names, nesting), "Introduction to partitioned tables" (which
 * granularity fits which column type), "Quotas and limits" (columns per table) and "BigQuery
 * locations". Pure: the config loader and tests import it.
 */
import { isRecordType, type FieldType, type TableField } from "./table-schema";

/** "BigQuery supports up to 15 levels of nested RECORD types." */
export const MAX_RECORD_NESTING = 15;

/** Columns per table, nested fields included. */
export const MAX_COLUMNS = 10_000;

/** Exact column names BigQuery reserves for pseudo-columns (compared case-insensitively). */
export const RESERVED_COLUMN_NAMES = [
  "_PARTITIONTIME",
  "_PARTITIONDATE",
  "_TABLE_",
  "_FILE_",
  "_ROW_TIMESTAMP",
] as const;

/** Prefixes a column name may not start with (compared case-insensitively). */
export const RESERVED_COLUMN_PREFIXES = [
  "_TABLE_",
  "_FILE_",
  "_PARTITION",
  "_ROW_TIMESTAMP",
  "__ROOT__",
  "_COLIDENTIFIER",
  "_CHANGE_SEQUENCE_NUMBER",
  "_CHANGE_TYPE",
  "_CHANGE_TIMESTAMP",
] as const;

/** Which reserved name or prefix `name` hits, in words, or undefined when it is free. */
export function reservedColumnNameRule(name: string): string | undefined {
  const upper = name.toUpperCase();
  const exact = RESERVED_COLUMN_NAMES.find((reserved) => reserved === upper);
  if (exact) return `the name ${exact}`;
  const prefix = RESERVED_COLUMN_PREFIXES.find((reserved) => upper.startsWith(reserved));
  return prefix ? `the prefix ${prefix}` : undefined;
}

/** Levels of RECORD in a column: 0 for a scalar, 1 for a RECORD of scalars, and so on. */
export function recordNestingDepth(field: TableField): number {
  if (!isRecordType(field.type)) return 0;
  return 1 + Math.max(0, ...(field.fields ?? []).map(recordNestingDepth));
}

/** Every column of a schema, nested fields included. */
export function countColumns(fields: readonly TableField[]): number {
  return fields.reduce((n, field) => n + 1 + countColumns(field.fields ?? []), 0);
}

export type PartitionType = "HOUR" | "DAY" | "MONTH" | "YEAR";

/** A DATE column has no hours: BigQuery partitions it by DAY, MONTH or YEAR only. */
export function partitionTypesFor(type: FieldType): readonly PartitionType[] {
  switch (type) {
    case "DATE":
      return ["DAY", "MONTH", "YEAR"];
    case "TIMESTAMP":
    case "DATETIME":
      return ["HOUR", "DAY", "MONTH", "YEAR"];
    default:
      return [];
  }
}

const MS_PER_DAY = 86_400_000;
/**
 * `expirationMs` is an int64 in BigQuery's API, and the synthesized JSON number must be exact,
 * so days x 86,400,000 must stay a safe integer (2^53 - 1, below int64's 2^63 - 1).
 */
export const MAX_PARTITION_EXPIRATION_DAYS = Math.floor(Number.MAX_SAFE_INTEGER / MS_PER_DAY);

/**
 * Dataset locations Google lists in "BigQuery locations": the two multi-regions and every
 * region. A location outside this list is refused by datasets.insert at apply.
 */
export const BIGQUERY_LOCATIONS = [
  "US",
  "EU",
  // Americas
  "us-east5",
  "us-south1",
  "us-central1",
  "us-west4",
  "us-west2",
  "northamerica-south1",
  "northamerica-northeast1",
  "us-east4",
  "us-west1",
  "us-west3",
  "southamerica-west1",
  "southamerica-east1",
  "us-east1",
  "northamerica-northeast2",
  // Asia Pacific
  "asia-south2",
  "asia-east2",
  "asia-southeast2",
  "australia-southeast2",
  "asia-south1",
  "asia-northeast2",
  "asia-northeast3",
  "asia-southeast1",
  "australia-southeast1",
  "asia-east1",
  "asia-northeast1",
  // Europe
  "europe-west1",
  "europe-west10",
  "europe-north1",
  "europe-west3",
  "europe-west2",
  "europe-southwest1",
  "europe-west8",
  "europe-west4",
  "europe-west9",
  "europe-north2",
  "europe-west12",
  "europe-central2",
  "europe-west6",
  // Middle East
  "me-central2",
  "me-central1",
  "me-west1",
  // Africa
  "africa-south1",
] as const;

/**
 * The listed spelling of `location`, or undefined when BigQuery has no such location. Google
 * compares locations case-insensitively ("eu" is "EU"), and so does this.
 */
export function canonicalBigQueryLocation(location: string): string | undefined {
  const lower = location.toLowerCase();
  return BIGQUERY_LOCATIONS.find((known) => known.toLowerCase() === lower);
}

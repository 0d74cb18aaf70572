/**
 * The contract between the stack and the Lambda: which environment variables the function
 * gets and what they hold. Pure, so both sides (and the emulator) import the same names.
 */

export const LAMBDA_ENV = {
  /** The external_account credential config JSON (no secret). */
  credentialConfig: "GOOGLE_EXTERNAL_ACCOUNT_JSON",
  /** Project id passed explicitly, so the auth library never probes for one. */
  projectId: "GOOGLE_CLOUD_PROJECT",
  datasetId: "BQ_DATASET_ID",
  tableId: "BQ_TABLE_ID",
  /** Archive bucket; unset when the archive is off. */
  archiveBucket: "ARCHIVE_BUCKET",
  /** The pipeline's object prefix in the archive bucket (ends with "/"); unset: the bucket root. */
  archivePrefix: "ARCHIVE_PREFIX",
  /** The assumed-role ARN the pool provider admits, named in error messages. */
  expectedRoleArn: "WIF_EXPECTED_ROLE_ARN",
  /** Optional endpoint overrides (tests and the emulator); unset in a deployed stack. */
  bigqueryEndpoint: "BIGQUERY_ENDPOINT",
  storageEndpoint: "STORAGE_ENDPOINT",
  /** CloudWatch namespace of the handler's EMF metrics. */
  metricsNamespace: "METRICS_NAMESPACE",
} as const;

/** One CloudWatch namespace per environment, so environments' metrics never mix. */
export function metricsNamespace(environment: string): string {
  return `wif-bridge/${environment}`;
}

/** File name of the table schema inside the Lambda asset, next to index.js. */
export const TABLE_SCHEMA_FILE = "table-schema.json";

/** The offline Google (STS, IAM Credentials, BigQuery, Cloud Storage) and its Lambda harness. */
export * from "./aws-identities";
export * from "./bigquery-endpoint";
export * from "./bigquery-rows";
export * from "./cel";
export * from "./emulator-context";
export * from "./fake-apply";
export * from "./faults";
export * from "./google-emulator";
export * from "./google-state";
export * from "./iam";
export * from "./lambda-container";
export * from "./lambda-deployment";
export * from "./offline-bridge";
export * from "./sigv4";
export * from "./sqs-events";
export * from "./synthesize";

/**
 * SQS1: every SQS queue is encrypted at rest (SQS-managed SSE or a KMS key).
 * Reads the synthesized JSON: `sqs_managed_sse_enabled` / `kms_master_key_id` of aws_sqs_queue.
 */
import { COMPLIANT, nonCompliant, resourceTypes, type SecurityRule } from "../rule";

export const QueueEncrypted: SecurityRule = {
  id: "SQS1",
  name: "QueueEncrypted",
  info: "Every SQS queue sets sqs_managed_sse_enabled = true or a kms_master_key_id.",
  explanation:
    "Queued messages are the records on their way to BigQuery; saying so explicitly keeps them encrypted whatever the account's or provider's default.",
  level: "error",
  fix: "set sqsManagedSseEnabled: true (or kmsMasterKeyId) on the queue",
  appliesTo: resourceTypes("aws_sqs_queue"),
  evaluate(resource) {
    const { config } = resource;
    if (config.sqs_managed_sse_enabled === true) return COMPLIANT;
    if (typeof config.kms_master_key_id === "string" && config.kms_master_key_id !== "") {
      return COMPLIANT;
    }
    return nonCompliant(
      "sets neither sqs_managed_sse_enabled = true nor kms_master_key_id, so encryption at rest is not stated",
    );
  },
};

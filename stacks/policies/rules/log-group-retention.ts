/**
 * LOG1: every CloudWatch log group has a retention.
 * Reads the synthesized JSON: `retention_in_days` of aws_cloudwatch_log_group.
 */
import { COMPLIANT, nonCompliant, resourceTypes, type SecurityRule } from "../rule";

export const LogGroupRetention: SecurityRule = {
  id: "LOG1",
  name: "LogGroupRetention",
  info: "Every CloudWatch log group sets retention_in_days.",
  explanation:
    "Without a retention, logs (which may hold record contents and error details) are kept forever and paid for forever.",
  level: "error",
  fix: "set retentionInDays on the log group (config lambda.logRetentionDays for the Lambda's)",
  appliesTo: resourceTypes("aws_cloudwatch_log_group"),
  evaluate(resource) {
    const days = resource.config.retention_in_days;
    if (typeof days === "number" && days > 0) return COMPLIANT;
    return nonCompliant(
      `retention_in_days is ${JSON.stringify(days ?? null)}, so ${resource.config.name ?? "the group"} keeps logs forever`,
    );
  },
};

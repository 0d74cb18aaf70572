/**
 * WIF1: an AWS pool provider's attribute_condition admits exact assumed-role ARNs only.
 * Reads the synthesized JSON: `attribute_condition` and `aws.account_id` of
 * google_iam_workload_identity_pool_provider (the condition is built from config at synth,
 * and may hold references, so the construct's props are not enough).
 */
import { analyzeAwsCondition } from "../cel-condition";
import { block } from "../terraform-json";
import { awsAttributeCondition } from "../../federation/attribute-mapping";
import { NOT_APPLICABLE, outcomeOf, resourceTypes, type SecurityRule } from "../rule";

export const WorkloadIdentityConditionPinsRole: SecurityRule = {
  id: "WIF1",
  name: "WorkloadIdentityConditionPinsRole",
  info: "The AWS pool provider's attribute_condition pins the exact assumed-role ARN of each admitted role.",
  explanation:
    "Without a condition every role and user of the AWS account is admitted; a prefix, substring, regex or wildcard test admits roles that merely look alike (ROLE-other, other-ROLE), and || opens a second way in.",
  level: "error",
  suppressible: false,
  fix: `compare the full ARN by equality, e.g. ${awsAttributeCondition("aws", "ACCOUNT", ["ROLE"])} (awsAttributeCondition() in stacks/federation/attribute-mapping.ts)`,
  appliesTo: resourceTypes("google_iam_workload_identity_pool_provider"),
  evaluate(resource) {
    const aws = block(resource.config.aws);
    if (!aws) return NOT_APPLICABLE;
    const analysis = analyzeAwsCondition(resource.config.attribute_condition);
    const problems = [...analysis.problems];
    const account = aws.account_id;
    if (typeof account === "string") {
      for (const arn of analysis.pinnedRoleArns) {
        const arnAccount = arn.split(":")[4];
        if (arnAccount !== account) {
          problems.push(
            `pins '${arn}' of account ${arnAccount}, but the provider's aws.account_id is ${account}`,
          );
        }
      }
    }
    return outcomeOf(problems);
  },
};

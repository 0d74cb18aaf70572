/**
 * AWS2: the Lambda execution role's policies name their resources; `Resource: "*"` is allowed
 * only for actions AWS does not scope to a resource (X-Ray writes, VPC network interfaces,
 * PutMetricData, GetCallerIdentity).
 * Reads the synthesized JSON: the same policy documents as AWS1, plus the ARNs of attached
 * AWS-managed policies known to grant on "*".
 */
import { LAMBDA_ROLE_POLICY_TYPES, lambdaRolePoliciesHeldBy } from "../aws-policy-statements";
import { NOT_APPLICABLE, outcomeOf, resourceTypes, type SecurityRule } from "../rule";

/** Actions that support only `"*"` as resource. */
export const RESOURCE_STAR_ONLY_ACTIONS = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "cloudwatch:PutMetricData",
  "sts:GetCallerIdentity",
]);

/** AWS-managed policies that grant resource-scopable actions on "*", with the narrow way. */
const STAR_MANAGED_POLICIES: Record<string, string> = {
  AWSLambdaBasicExecutionRole: "write to every log group (grantWriteLogs names the function's own)",
  AWSLambdaSQSQueueExecutionRole:
    "consume every queue and write every log group (name the ingestion queue's ARN)",
  AWSLambdaExecute: "read and write every S3 object and log group",
};

export const LambdaRoleNoWildcardResource: SecurityRule = {
  id: "AWS2",
  name: "LambdaRoleNoWildcardResource",
  info: 'The Lambda\'s execution role names the resources it may touch; "*" only for actions that cannot be scoped.',
  explanation:
    'Resource "*" reaches every log group, queue or bucket in the account, including ones that belong to other systems; the function needs its own.',
  level: "error",
  fix: "name the resource ARNs (e.g. the log group's `${arn}:*`, the queue's ARN) in the statement",
  appliesTo: resourceTypes(...LAMBDA_ROLE_POLICY_TYPES),
  evaluate(resource, stack) {
    const held = lambdaRolePoliciesHeldBy(resource, stack);
    if (held.length === 0) return NOT_APPLICABLE;
    const problems: string[] = [];
    for (const { role, policy } of held) {
      const where = `policy ${policy.label} of Lambda role ${role.config.name ?? role.address}`;
      const managed = policy.policyArn?.match(/:policy\/(?:service-role\/)?([A-Za-z0-9]+)$/)?.[1];
      if (managed && STAR_MANAGED_POLICIES[managed]) {
        problems.push(
          `${where} is the AWS-managed ${managed}, which lets it ${STAR_MANAGED_POLICIES[managed]}`,
        );
      }
      for (const s of policy.statements ?? []) {
        if (s.effect !== "Allow") continue;
        const sid = s.sid ? ` (statement ${s.sid})` : "";
        const scopable = s.actions.filter((a) => !RESOURCE_STAR_ONLY_ACTIONS.has(a));
        if (s.resources.includes("*") && (scopable.length > 0 || s.notActions.length > 0)) {
          problems.push(
            `${where}${sid} allows ${scopable.join(", ") || "NotAction"} on Resource "*"`,
          );
        }
        if (s.notResources.length > 0) {
          problems.push(
            `${where}${sid} uses NotResource, which reaches every resource but those listed`,
          );
        }
      }
    }
    return outcomeOf(problems);
  },
};

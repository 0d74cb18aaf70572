/**
 * AWS1: the Lambda execution role's policies allow named actions, never `*`, `service:*` or
 * NotAction, and attach no AWS-managed full-access policy.
 * Reads the synthesized JSON: the role a aws_lambda_function runs as, and that role's
 * aws_iam_role_policy / inline_policy / attached aws_iam_policy documents (JSON text whose
 * resources are references) and aws_iam_role_policy_attachment policy ARNs.
 */
import { LAMBDA_ROLE_POLICY_TYPES, lambdaRolePoliciesHeldBy } from "../aws-policy-statements";
import { NOT_APPLICABLE, outcomeOf, resourceTypes, type SecurityRule } from "../rule";

const WILDCARD_ACTION = /^(\*|[a-z0-9-]+:\*)$/i;
const FULL_ACCESS_POLICY = /:policy\/(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess)$/;

export const LambdaRoleNoWildcardAction: SecurityRule = {
  id: "AWS1",
  name: "LambdaRoleNoWildcardAction",
  info: "The Lambda's execution role allows named actions only (no *, service:*, NotAction or full-access managed policy).",
  explanation:
    "The Lambda role is the identity Google trusts; whoever controls code running as it (a dependency, a bad deploy) gets every action it allows, in AWS as well as in Google.",
  level: "error",
  fix: "list the exact actions, one small inline policy per capability (LambdaExecutionRole.addInlinePolicy / grant*)",
  appliesTo: resourceTypes(...LAMBDA_ROLE_POLICY_TYPES),
  evaluate(resource, stack) {
    const held = lambdaRolePoliciesHeldBy(resource, stack);
    if (held.length === 0) return NOT_APPLICABLE;
    const problems: string[] = [];
    for (const { role, policy } of held) {
      const where = `policy ${policy.label} of Lambda role ${role.config.name ?? role.address}`;
      if (policy.policyArn && FULL_ACCESS_POLICY.test(policy.policyArn)) {
        problems.push(
          `${where} is the AWS-managed ${policy.policyArn}, which allows whole services`,
        );
      }
      for (const s of policy.statements ?? []) {
        if (s.effect !== "Allow") continue;
        const sid = s.sid ? ` (statement ${s.sid})` : "";
        const wild = s.actions.filter((a) => WILDCARD_ACTION.test(a));
        if (wild.length > 0)
          problems.push(`${where}${sid} allows ${wild.map((a) => `"${a}"`).join(", ")}`);
        if (s.notActions.length > 0) {
          problems.push(
            `${where}${sid} uses NotAction, which allows every action but those listed`,
          );
        }
      }
    }
    return outcomeOf(problems);
  },
};

/**
 * What Google STS does with the AWS identity it receives: the attribute mapping and the
 * condition, as CEL text. Pure functions, no cdktf: the stack, the policy rules, the review
 * tool and the tests all read the same strings.
 */

import { awsArn, type AwsPartition } from "./partition";

/** Google refuses a google.subject longer than this (bytes, UTF-8). */
export const GOOGLE_SUBJECT_MAX_BYTES = 127;

/**
 * `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE`: what attribute.aws_role holds for a role
 * session. The partition is the region's (awsPartitionOf): a GovCloud or China session never
 * carries `arn:aws:`.
 */
export function assumedRoleArn(
  partition: AwsPartition,
  accountId: string,
  roleName: string,
): string {
  return awsArn({
    partition,
    service: "sts",
    account: accountId,
    resource: `assumed-role/${roleName}`,
  });
}

/** The google.subject a Lambda presents: its role session ARN, session name = function name. */
export function googleSubject(
  partition: AwsPartition,
  accountId: string,
  roleName: string,
  functionName: string,
): string {
  return `${assumedRoleArn(partition, accountId, roleName)}/${functionName}`;
}

/**
 * Google's default mapping for AWS providers, which applies when a provider sets none: the
 * session ARN as google.subject, and the assumed-role ARN (session name cut off) as
 * attribute.aws_role. The stack, the trust model and the emulator all read this one.
 */
export const GOOGLE_DEFAULT_AWS_MAPPING: Readonly<Record<string, string>> = {
  "google.subject": "assertion.arn",
  "attribute.aws_role":
    "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn",
};

/**
 * Google's default mapping for AWS providers (a custom mapping replaces it whole, so it is
 * restated) plus attribute.aws_account, which the condition pins.
 */
export function awsAttributeMapping(): Record<string, string> {
  return {
    "google.subject": GOOGLE_DEFAULT_AWS_MAPPING["google.subject"],
    "attribute.aws_account": "assertion.account",
    "attribute.aws_role": GOOGLE_DEFAULT_AWS_MAPPING["attribute.aws_role"],
  };
}

/** A CEL string literal; role names never hold quotes, but a literal must not be injectable. */
function celString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * The condition that admits exactly the given roles of one account in one partition: equality
 * on the full assumed-role ARN, so `ROLE-other`, `other-ROLE` or the same role in another
 * partition never pass.
 */
export function awsAttributeCondition(
  partition: AwsPartition,
  accountId: string,
  roleNames: readonly string[],
): string {
  if (roleNames.length === 0) throw new Error("awsAttributeCondition needs at least one role name");
  const arns = roleNames.map((role) => celString(assumedRoleArn(partition, accountId, role)));
  const roleTest =
    arns.length === 1
      ? `attribute.aws_role == ${arns[0]}`
      : `attribute.aws_role in [${arns.join(", ")}]`;
  return `attribute.aws_account == ${celString(accountId)} && ${roleTest}`;
}

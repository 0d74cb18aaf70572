/**
 * AWS identities as Google STS sees them: the GetCallerIdentity answer (`assertion.arn`,
 * `assertion.account`, `assertion.userid`) for a role session, an IAM user, a federated user
 * or the account root, and this stack's Lambda among them. Pure: the trust evaluation and its
 * tests build callers from here.
 */
import type { AwsPartition } from "../../federation/partition";
import type { CallerIdentity } from "./sts-admission";

/** The one identity the stack exists to admit: a session of ROLE named after FUNCTION. */
export interface LambdaIdentity {
  readonly partition: AwsPartition;
  readonly accountId: string;
  readonly roleName: string;
  readonly functionName: string;
}

export const AWS_PARTITIONS: readonly AwsPartition[] = ["aws", "aws-us-gov", "aws-cn"];

/** `arn:P:sts::ACCOUNT:assumed-role/ROLE`: what Google's default mapping gives attribute.aws_role. */
export function assumedRoleArnIn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:sts::${accountId}:assumed-role/${roleName}`;
}

/** What GetCallerIdentity answers inside a Lambda: the session is named after the function. */
export function lambdaCaller(identity: LambdaIdentity): CallerIdentity {
  return roleSessionCaller(
    identity.partition,
    identity.accountId,
    identity.roleName,
    identity.functionName,
  );
}

/** A role session; AWS drops the role's path from the session ARN. */
export function roleSessionCaller(
  partition: string,
  accountId: string,
  roleName: string,
  sessionName: string,
): CallerIdentity {
  return {
    account: accountId,
    arn: `${assumedRoleArnIn(partition, accountId, roleName)}/${sessionName}`,
    userid: `AROA${fakeUniqueId(roleName)}:${sessionName}`,
  };
}

/** An IAM user; `path` is "/" or "/a/b/" and is kept in the user's ARN. */
export function iamUserCaller(
  partition: string,
  accountId: string,
  userName: string,
  path = "/",
): CallerIdentity {
  return {
    account: accountId,
    arn: `arn:${partition}:iam::${accountId}:user${path}${userName}`,
    userid: `AIDA${fakeUniqueId(path + userName)}`,
  };
}

/** A federated user (GetFederationToken). */
export function federatedUserCaller(
  partition: string,
  accountId: string,
  name: string,
): CallerIdentity {
  return {
    account: accountId,
    arn: `arn:${partition}:sts::${accountId}:federated-user/${name}`,
    userid: `${accountId}:${name}`,
  };
}

export function rootCaller(partition: string, accountId: string): CallerIdentity {
  return { account: accountId, arn: `arn:${partition}:iam::${accountId}:root`, userid: accountId };
}

/** A stable, AWS-looking unique id (AWS ids are 17 upper-case base32 characters after the prefix). */
function fakeUniqueId(seed: string): string {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  for (let i = 0; i < 17; i++) {
    out += alphabet[(h >>> (i % 27)) & 31];
    h = Math.imul(h ^ i, 16777619) >>> 0;
  }
  return out;
}

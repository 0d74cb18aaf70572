/**
 * AWS identities as Google STS sees them: the GetCallerIdentity answer (`assertion.arn`,
 * `assertion.account`, `assertion.userid`) for a role session, an IAM user, a federated user
 * or the account root, and this stack's Lambda among them. Pure: the trust evaluation and its
 * tests build callers from here.
 */
import { googleSubject } from "../../federation/attribute-mapping";
import { awsArn, type AwsPartition } from "../../federation/partition";
import type { CallerIdentity } from "./sts-admission";

/** The one identity the stack exists to admit: a session of ROLE named after FUNCTION. */
export interface LambdaIdentity {
  readonly partition: AwsPartition;
  readonly accountId: string;
  readonly roleName: string;
  readonly functionName: string;
}

/**
 * The partitions a "same role, other partition" adversary comes from: the three with public
 * regions and STS endpoints an attacker can sign in (the isolated ones are not reachable from
 * the internet). Each adds one adversary per stack, so the set's size depends on this list.
 */
export const ADVERSARY_PARTITIONS: readonly AwsPartition[] = ["aws", "aws-us-gov", "aws-cn"];

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
  partition: AwsPartition,
  accountId: string,
  roleName: string,
  sessionName: string,
): CallerIdentity {
  return {
    account: accountId,
    arn: googleSubject(partition, accountId, roleName, sessionName),
    userid: `AROA${fakeUniqueId(roleName)}:${sessionName}`,
  };
}

/** An IAM user; `path` is "/" or "/a/b/" and is kept in the user's ARN. */
export function iamUserCaller(
  partition: AwsPartition,
  accountId: string,
  userName: string,
  path = "/",
): CallerIdentity {
  return {
    account: accountId,
    arn: awsArn({
      partition,
      service: "iam",
      account: accountId,
      resource: `user${path}${userName}`,
    }),
    userid: `AIDA${fakeUniqueId(path + userName)}`,
  };
}

/** A federated user (GetFederationToken). */
export function federatedUserCaller(
  partition: AwsPartition,
  accountId: string,
  name: string,
): CallerIdentity {
  return {
    account: accountId,
    arn: awsArn({
      partition,
      service: "sts",
      account: accountId,
      resource: `federated-user/${name}`,
    }),
    userid: `${accountId}:${name}`,
  };
}

export function rootCaller(partition: AwsPartition, accountId: string): CallerIdentity {
  return {
    account: accountId,
    arn: awsArn({ partition, service: "iam", account: accountId, resource: "root" }),
    userid: accountId,
  };
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

/**
 * The fake AWS side: which access keys exist and whom they belong to, i.e. what AWS STS
 * GetCallerIdentity would answer for a request signed with them. Role sessions get temporary
 * credentials (ASIA… key + session token), IAM users long-term keys (AKIA…, no token).
 */
import { randomBytes } from "node:crypto";
import type { SigningCredentials } from "./sigv4";
import { awsArn, type AwsPartition } from "../stacks/federation/partition";
import { googleSubject } from "../stacks/federation/attribute-mapping";

import type { CallerIdentity } from "../stacks/policies/trust-model/sts-admission";

export type { CallerIdentity };

export interface AwsIdentity extends SigningCredentials {
  readonly caller: CallerIdentity;
  /** How a person would call it, for logs and the demo. */
  readonly description: string;
}

export interface AssumedRoleProps {
  readonly account: string;
  readonly roleName: string;
  /** Lambda names the session after the function. */
  readonly sessionName: string;
  /** The partition of the region the session runs in (its ARN is `arn:<partition>:sts::`). @default "aws" */
  readonly partition?: AwsPartition;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function randomId(prefix: string, length = 16): string {
  return (
    prefix +
    Array.from(randomBytes(length), (b) => BASE32[b % 32])
      .join("")
      .slice(0, length)
  );
}

function assertAccount(account: string): void {
  if (!/^\d{12}$/.test(account)) {
    throw new Error(`AWS account id "${account}" must be 12 digits, e.g. "111122223333"`);
  }
}

export class AwsIdentityTable {
  private readonly byAccessKey = new Map<string, AwsIdentity>();

  /** A role session, as Lambda gets for its execution role. */
  addAssumedRole(props: AssumedRoleProps): AwsIdentity {
    assertAccount(props.account);
    const roleId = randomId("AROA");
    return this.add({
      accessKeyId: randomId("ASIA"),
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(48).toString("base64")}`,
      caller: {
        account: props.account,
        arn: googleSubject(
          props.partition ?? "aws",
          props.account,
          props.roleName,
          props.sessionName,
        ),
        userid: `${roleId}:${props.sessionName}`,
      },
      description: `role ${props.roleName} in account ${props.account} (session ${props.sessionName})`,
    });
  }

  /** An IAM user with long-term keys. */
  addUser(account: string, userName: string, partition: AwsPartition = "aws"): AwsIdentity {
    assertAccount(account);
    return this.add({
      accessKeyId: randomId("AKIA"),
      secretAccessKey: randomBytes(30).toString("base64"),
      caller: {
        account,
        arn: awsArn({ partition, service: "iam", account, resource: `user/${userName}` }),
        userid: randomId("AIDA"),
      },
      description: `IAM user ${userName} in account ${account}`,
    });
  }

  add(identity: AwsIdentity): AwsIdentity {
    this.byAccessKey.set(identity.accessKeyId, identity);
    return identity;
  }

  lookup(accessKeyId: string): AwsIdentity | undefined {
    return this.byAccessKey.get(accessKeyId);
  }
}

/** The environment variables Lambda sets for its execution role's credentials. */
export function lambdaCredentialEnvironment(
  identity: SigningCredentials,
  region: string,
): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: identity.accessKeyId,
    AWS_SECRET_ACCESS_KEY: identity.secretAccessKey,
    ...(identity.sessionToken ? { AWS_SESSION_TOKEN: identity.sessionToken } : {}),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
}

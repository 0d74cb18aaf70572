/**
 * WIF3: federated principals are granted per role, never to a whole pool, a whole account,
 * a wildcard, or (on service accounts and pools) to allUsers / allAuthenticatedUsers.
 * Reads the synthesized JSON: `member` / `members` / `policy_data` of every google_*_iam_*
 * resource (the member embeds the pool's name, a Terraform reference until apply).
 */
import { ASSUMED_ROLE_ARN } from "../cel-condition";
import { grantsWrittenBy, isGoogleIamResource, isPublicMember } from "../iam-resource-types";
import { awsRolePrincipalSet } from "../../federation/principals";
import { outcomeOf, type SecurityRule } from "../rule";

const FEDERATED = /^(?:iamMember:)?(principalSet|principal):\/\/iam\.googleapis\.com\/(.+)$/;
const POOL = String.raw`(?:projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+|\$\{[^}]+\})`;
const ROLE_SET = new RegExp(String.raw`^${POOL}\/attribute\.aws_role\/(.+)$`);
const ACCOUNT_SET = new RegExp(String.raw`^${POOL}\/attribute\.aws_account\/(.+)$`);
const OTHER_SET = new RegExp(String.raw`^${POOL}\/(attribute\.[^/]+|group)\/(.+)$`);

/** Why a member is broader than one role's sessions, or undefined when it is not. */
export function broadMemberProblem(member: string, onIdentity: boolean): string | undefined {
  if (onIdentity && isPublicMember(member)) {
    return `grants to ${member}: anyone${member.endsWith("allAuthenticatedUsers") ? " with a Google account" : ""} could use this identity`;
  }
  const m = FEDERATED.exec(member);
  if (!m) return member.includes("*") ? `grants to the wildcard member "${member}"` : undefined;
  const [, kind, rest] = m;
  if (rest.endsWith("/*")) return `grants to every identity of the pool ("${member}")`;
  if (rest.includes("*")) return `grants to a wildcard principal ("${member}")`;
  if (kind === "principal") return undefined;
  const role = ROLE_SET.exec(rest);
  if (role) {
    return ASSUMED_ROLE_ARN.test(role[1])
      ? undefined
      : `grants to attribute.aws_role "${role[1]}", which is not a full assumed-role ARN`;
  }
  const account = ACCOUNT_SET.exec(rest);
  if (account) return `grants to every role and user of AWS account ${account[1]} ("${member}")`;
  const other = OTHER_SET.exec(rest);
  if (other) return `grants to every identity whose ${other[1]} is "${other[2]}"`;
  return `grants to a principal set this rule cannot read ("${member}")`;
}

export const NoPoolWideGrant: SecurityRule = {
  id: "WIF3",
  name: "NoPoolWideGrant",
  info: "Federated identities are granted per AWS role (principalSet .../attribute.aws_role/<assumed-role ARN>), never pool-wide or by wildcard.",
  explanation:
    "A grant to principalSet://.../* (or to a whole account, or to allUsers on an identity) hands the role to every identity the pool will ever admit, so widening the provider later silently widens every grant.",
  level: "error",
  suppressible: false,
  fix: `grant to the one role's principal set, ${awsRolePrincipalSet("POOL_NAME", "aws", "ACCOUNT", "ROLE")} (awsRolePrincipalSet() / WorkloadIdentityFederation.principalSetForRole())`,
  appliesTo: isGoogleIamResource,
  evaluate(resource, stack) {
    const onIdentity = /^google_(service_account|iam_workload_identity_pool)/.test(resource.type);
    const problems: string[] = [];
    for (const grant of grantsWrittenBy(resource, stack)) {
      const problem = broadMemberProblem(grant.member.text, onIdentity);
      if (problem) problems.push(`${grant.role} ${problem}`);
    }
    return outcomeOf(problems);
  },
};

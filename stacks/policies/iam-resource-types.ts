/**
 * Which Terraform types write Google IAM, by name. What they grant is read once, by the trust
 * model (trust-model/google-access.ts): `grantsWrittenBy` gives a rule the grants one resource writes.
 */
import type { StackJson, TerraformResource } from "./terraform-json";
import type { GoogleGrant } from "./trust-model/google-access";
import { trustModelOf } from "./trust-model/trust-model";

const IAM_RESOURCE = /^google_.+_iam_(member|binding|policy)$/;

export function isGoogleIamResource(type: string): boolean {
  return IAM_RESOURCE.test(type);
}

/** Project-, folder- or organization-wide IAM (as opposed to one dataset, bucket, account). */
export function isHierarchyLevelIam(type: string): boolean {
  return /^google_(project|folder|organization)_iam_(member|binding|policy)$/.test(type);
}

/**
 * The grants one resource writes, as the trust model read them (member, binding, policy_data as
 * JSON, jsonencode or data.google_iam_policy). A resource the model cannot read has none here:
 * it is a TRUST8 finding (unsuppressible), so synth fails on it either way.
 */
export function grantsWrittenBy(
  resource: TerraformResource,
  stack: StackJson,
): readonly GoogleGrant[] {
  return trustModelOf(stack).grants.filter((g) => g.address === resource.address);
}

export const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"] as const;

export function isPublicMember(member: string): boolean {
  const bare = member.replace(/^iamMember:/, "");
  return (PUBLIC_MEMBERS as readonly string[]).includes(bare);
}

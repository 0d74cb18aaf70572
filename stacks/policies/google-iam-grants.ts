/**
 * Google IAM grants as (role, member) pairs, whatever resource form wrote them:
 * `*_iam_member`, `*_iam_binding` (members list), `*_iam_policy` (policy_data as JSON text or a
 * data.google_iam_policy reference). Used by the IAM rules and the review report.
 */
import {
  parseReference,
  type StackJson,
  type TerraformResource,
  type Json,
} from "./terraform-json";

const IAM_RESOURCE = /^google_.+_iam_(member|binding|policy)$/;

export interface GoogleIamGrant {
  readonly resource: TerraformResource;
  readonly role: string;
  readonly member: string;
}

export function isGoogleIamResource(type: string): boolean {
  return IAM_RESOURCE.test(type);
}

/** Project-, folder- or organization-wide IAM (as opposed to one dataset, bucket, account). */
export function isHierarchyLevelIam(type: string): boolean {
  return /^google_(project|folder|organization)_iam_(member|binding|policy)$/.test(type);
}

export function grantsOf(resource: TerraformResource, stack: StackJson): GoogleIamGrant[] {
  const { type, config } = resource;
  if (type.endsWith("_iam_member")) {
    return [{ resource, role: String(config.role), member: String(config.member) }];
  }
  if (type.endsWith("_iam_binding")) {
    return ((config.members ?? []) as string[]).map((member) => ({
      resource,
      role: String(config.role),
      member: String(member),
    }));
  }
  if (type.endsWith("_iam_policy")) {
    return policyBindings(config.policy_data, stack).flatMap((b) =>
      b.members.map((member) => ({ resource, role: b.role, member })),
    );
  }
  return [];
}

/** Every IAM grant in the stack, in address order. */
export function allGrants(stack: StackJson): GoogleIamGrant[] {
  return stack.resourceTypes
    .filter(isGoogleIamResource)
    .flatMap((type) => stack.resources(type).flatMap((r) => grantsOf(r, stack)));
}

interface Binding {
  role: string;
  members: string[];
}

function policyBindings(policyData: Json, stack: StackJson): Binding[] {
  const ref = parseReference(policyData);
  if (ref?.isData && ref.type === "google_iam_policy") {
    const data = stack.find(ref);
    const list = data?.config.binding;
    return (Array.isArray(list) ? list : list ? [list] : []).map((b: Json) => ({
      role: String(b.role),
      members: (b.members ?? []).map(String),
    }));
  }
  if (typeof policyData === "string") {
    try {
      const parsed = JSON.parse(policyData);
      return (parsed.bindings ?? []).map((b: Json) => ({
        role: String(b.role),
        members: (b.members ?? []).map(String),
      }));
    } catch {
      return [];
    }
  }
  return [];
}

export const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"] as const;

export function isPublicMember(member: string): boolean {
  const bare = member.replace(/^iamMember:/, "");
  return (PUBLIC_MEMBERS as readonly string[]).includes(bare);
}

/**
 * Which roles touch the identity itself rather than data: acting as a service account,
 * minting its tokens or keys, administering IAM, pools or HMAC keys. A grant of one of these
 * decides who may act as the Lambda's identity, so it is judged by a rule that cannot be
 * suppressed. Predefined roles by name; custom roles by their permissions.
 */

/** Roles that let a member act as a service account (its grants become the member's). */
export const ACT_AS_ROLES: ReadonlySet<string> = new Set([
  "roles/iam.workloadIdentityUser",
  "roles/iam.serviceAccountTokenCreator",
  "roles/owner",
  "roles/editor",
]);

const IDENTITY_ROLES: ReadonlySet<string> = new Set([
  ...ACT_AS_ROLES,
  "roles/iam.serviceAccountUser",
  "roles/iam.serviceAccountOpenIdTokenCreator",
  "roles/iam.serviceAccountKeyAdmin",
  "roles/iam.serviceAccountAdmin",
  "roles/iam.securityAdmin",
  "roles/iam.roleAdmin",
  "roles/iam.organizationRoleAdmin",
  "roles/iam.workloadIdentityPoolAdmin",
  "roles/iam.workloadIdentityPoolViewer",
  "roles/resourcemanager.projectIamAdmin",
  "roles/resourcemanager.folderIamAdmin",
  "roles/resourcemanager.organizationAdmin",
  "roles/storage.hmacKeyAdmin",
  "roles/viewer",
]);

const ACT_AS_PERMISSIONS =
  /^iam\.serviceAccounts\.(getAccessToken|getOpenIdToken|implicitDelegation|signBlob|signJwt|actAs)$/;
const IDENTITY_PERMISSIONS =
  /^(iam\.serviceAccounts\.|iam\.serviceAccountKeys\.|iam\.workloadIdentityPool|iam\.roles\.|storage\.hmacKeys\.|resourcemanager\.\w+\.setIamPolicy$|.*\.setIamPolicy$)/;

export function letsActAs(role: string, permissions?: readonly string[]): boolean {
  if (permissions) return permissions.some((p) => ACT_AS_PERMISSIONS.test(p) || p === "*");
  return ACT_AS_ROLES.has(role);
}

/** True for a role that touches identities, keys or IAM; unknown custom roles count as such. */
export function touchesIdentity(role: string, permissions?: readonly string[]): boolean {
  if (permissions) return permissions.some((p) => IDENTITY_PERMISSIONS.test(p));
  if (role.startsWith("ACL ")) return false;
  if (!role.startsWith("roles/")) return true;
  return IDENTITY_ROLES.has(role);
}

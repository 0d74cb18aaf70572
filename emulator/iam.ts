/**
 * Google IAM as the emulator enforces it: who a token speaks for (a federated principal with
 * its mapped attributes, or a service account), whether an IAM member string names that
 * principal, and which permissions the predefined roles the stack grants carry.
 */

export type Principal =
  | {
      readonly kind: "federated";
      /** `projects/NUMBER/locations/global/workloadIdentityPools/POOL` */
      readonly poolName: string;
      readonly subject: string;
      /** Custom attributes, without the `attribute.` prefix. */
      readonly attributes: Readonly<Record<string, string>>;
    }
  | { readonly kind: "serviceAccount"; readonly email: string };

export interface Binding {
  readonly role: string;
  readonly member: string;
  /** The resource that made the grant, for the decision log. */
  readonly source: string;
}

export const PERMISSIONS = {
  getAccessToken: "iam.serviceAccounts.getAccessToken",
  tablesGet: "bigquery.tables.get",
  tablesUpdateData: "bigquery.tables.updateData",
  objectsCreate: "storage.objects.create",
  objectsDelete: "storage.objects.delete",
} as const;

/** The predefined roles that matter here, with the permissions of theirs that matter here. */
const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "roles/iam.workloadIdentityUser": [PERMISSIONS.getAccessToken],
  "roles/iam.serviceAccountTokenCreator": [PERMISSIONS.getAccessToken],
  "roles/bigquery.dataViewer": [PERMISSIONS.tablesGet],
  "roles/bigquery.dataEditor": [PERMISSIONS.tablesGet, PERMISSIONS.tablesUpdateData],
  "roles/bigquery.dataOwner": [PERMISSIONS.tablesGet, PERMISSIONS.tablesUpdateData],
  "roles/bigquery.admin": [PERMISSIONS.tablesGet, PERMISSIONS.tablesUpdateData],
  "roles/storage.objectCreator": [PERMISSIONS.objectsCreate],
  "roles/storage.objectUser": [PERMISSIONS.objectsCreate, PERMISSIONS.objectsDelete],
  "roles/storage.objectAdmin": [PERMISSIONS.objectsCreate, PERMISSIONS.objectsDelete],
  "roles/storage.admin": [PERMISSIONS.objectsCreate, PERMISSIONS.objectsDelete],
  "roles/owner": Object.values(PERMISSIONS),
  "roles/editor": Object.values(PERMISSIONS),
};

export function roleGrants(role: string, permission: string): boolean {
  return ROLE_PERMISSIONS[role]?.includes(permission) ?? false;
}

const IAM_PREFIX = "//iam.googleapis.com/";

/**
 * Whether an IAM member string names the principal. Federated members:
 * `principalSet://iam.googleapis.com/POOL/attribute.KEY/VALUE`, `principalSet://…/POOL/*`,
 * `principal://iam.googleapis.com/POOL/subject/SUBJECT`; BigQuery dataset entries may carry an
 * `iamMember:` prefix. Service accounts: `serviceAccount:EMAIL`.
 */
export function memberMatches(member: string, principal: Principal): boolean {
  const plain = member.startsWith("iamMember:") ? member.slice("iamMember:".length) : member;
  if (principal.kind === "serviceAccount") {
    return plain === `serviceAccount:${principal.email}`;
  }
  const [kind, rest] = splitOnce(plain, ":");
  if (!rest?.startsWith(IAM_PREFIX)) return false;
  const pool = `${principal.poolName}/`;
  const target = rest.slice(IAM_PREFIX.length);
  if (!target.startsWith(pool)) return false;
  const selector = target.slice(pool.length);
  if (kind === "principal") {
    return selector.startsWith("subject/") && selector.slice(8) === principal.subject;
  }
  if (kind !== "principalSet") return false;
  if (selector === "*") return true;
  const attr = /^attribute\.([a-z0-9_]+)\/(.+)$/.exec(selector);
  return attr !== null && principal.attributes[attr[1]] === attr[2];
}

/** The first binding that gives the principal the permission, if any. */
export function findGrant(
  bindings: readonly Binding[],
  principal: Principal,
  permission: string,
): Binding | undefined {
  return bindings.find((b) => roleGrants(b.role, permission) && memberMatches(b.member, principal));
}

export function describePrincipal(principal: Principal): string {
  return principal.kind === "serviceAccount"
    ? `serviceAccount:${principal.email}`
    : `principal://iam.googleapis.com/${principal.poolName}/subject/${principal.subject}`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

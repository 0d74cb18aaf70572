/**
 * Google IAM as the emulator enforces it: who a token speaks for (a federated principal with
 * its mapped attributes, or a service account), whether an IAM member string names that
 * principal, and which permissions the predefined roles the stack grants carry.
 */
import { evaluateIamCondition, type IamCondition, type IamResource } from "./iam-conditions";

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
  /** An IAM condition: the grant holds only for requests on which it evaluates to true. */
  readonly condition?: IamCondition;
}

export const PERMISSIONS = {
  getAccessToken: "iam.serviceAccounts.getAccessToken",
  tablesGet: "bigquery.tables.get",
  tablesGetData: "bigquery.tables.getData",
  tablesList: "bigquery.tables.list",
  tablesUpdateData: "bigquery.tables.updateData",
  objectsCreate: "storage.objects.create",
  objectsDelete: "storage.objects.delete",
  objectsGet: "storage.objects.get",
  objectsList: "storage.objects.list",
} as const;

const P = PERMISSIONS;
const BIGQUERY_READ = [P.tablesGet, P.tablesGetData, P.tablesList];
const STORAGE_READ = [P.objectsGet, P.objectsList];
const STORAGE_ALL = [P.objectsCreate, P.objectsDelete, ...STORAGE_READ];

/** The predefined roles that matter here, with the permissions of theirs that matter here. */
const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "roles/iam.workloadIdentityUser": [P.getAccessToken],
  "roles/iam.serviceAccountTokenCreator": [P.getAccessToken],
  "roles/bigquery.dataViewer": BIGQUERY_READ,
  "roles/bigquery.dataEditor": [...BIGQUERY_READ, P.tablesUpdateData],
  "roles/bigquery.dataOwner": [...BIGQUERY_READ, P.tablesUpdateData],
  "roles/bigquery.admin": [...BIGQUERY_READ, P.tablesUpdateData],
  "roles/storage.objectCreator": [P.objectsCreate],
  "roles/storage.objectViewer": STORAGE_READ,
  "roles/storage.objectUser": STORAGE_ALL,
  "roles/storage.objectAdmin": STORAGE_ALL,
  "roles/storage.admin": STORAGE_ALL,
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

export interface GrantSearch {
  /** The binding that gives the permission on this resource, if any. */
  readonly grant?: Binding;
  /** Bindings that would give it but whose IAM condition is not true here, with why. */
  readonly conditionFalse: readonly { readonly binding: Binding; readonly reason: string }[];
}

/**
 * The first binding that gives the principal the permission on the resource, if any; a binding
 * with an IAM condition counts only where its condition evaluates to true for the resource.
 */
export function searchGrant(
  bindings: readonly Binding[],
  principal: Principal,
  permission: string,
  resource: IamResource,
): GrantSearch {
  const conditionFalse: { binding: Binding; reason: string }[] = [];
  for (const b of bindings) {
    if (!roleGrants(b.role, permission) || !memberMatches(b.member, principal)) continue;
    if (!b.condition) return { grant: b, conditionFalse };
    const outcome = evaluateIamCondition(b.condition, resource);
    if (outcome.holds) return { grant: b, conditionFalse };
    conditionFalse.push({ binding: b, reason: outcome.reason });
  }
  return { conditionFalse };
}

/** The first binding that gives the principal the permission on the resource, if any. */
export function findGrant(
  bindings: readonly Binding[],
  principal: Principal,
  permission: string,
  resource: IamResource,
): Binding | undefined {
  return searchGrant(bindings, principal, permission, resource).grant;
}

/** How the decision log names a grant: member, role, condition, and the resource that made it. */
export function describeGrant(grant: Binding, on: string): string {
  const condition = grant.condition ? ` if ${grant.condition.expression}` : "";
  return `${grant.member} holds ${grant.role} on ${on}${condition} (${grant.source})`;
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

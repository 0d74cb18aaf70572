/**
 * Every way the synthesized stack grants Google access, as one list of grants: `*_iam_member`,
 * `*_iam_binding` and `*_iam_policy` at every level (policy_data from data.google_iam_policy,
 * literal JSON or jsonencode), BigQuery dataset `access` blocks and
 * google_bigquery_dataset_access; plus custom roles with their permissions and stored keys.
 * A value that cannot be followed at synth is returned as unresolvable, with its address.
 */
import {
  blocks,
  parseReference,
  type Json,
  type StackJson,
  type TerraformResource,
} from "../terraform-json";
import { readMember, type IamMember, type OwnProject } from "./iam-members";
import {
  literalOf,
  ownBucket,
  ownDataset,
  ownPool,
  ownServiceAccount,
  ownTable,
} from "./resource-identity";
import { jsonDocument, UnresolvableValue } from "./terraform-values";

export type GrantScope =
  | "service account"
  | "workload identity pool"
  | "dataset"
  | "table"
  | "bucket"
  | "project"
  | "folder"
  | "organization"
  | "other resource";

export interface GoogleGrant {
  /** The resource that writes the grant. */
  readonly address: string;
  readonly form:
    "iam_member" | "iam_binding" | "iam_policy" | "dataset access block" | "dataset_access" | "acl";
  readonly scope: GrantScope;
  /**
   * The stack resource the grant is on (its address), or, when the model cannot prove it is this
   * stack's (`targetInStack` false), what the grant's arguments name.
   */
  readonly target: string;
  /** True only when every argument naming the target is proven to name this stack's resource. */
  readonly targetInStack: boolean;
  /** Predefined role name, or the custom role's id. */
  readonly role: string;
  /** Set for a custom role of this stack. */
  readonly permissions?: readonly string[];
  readonly member: IamMember;
  /**
   * An IAM condition narrows a grant; the model treats it as unconditional (the wider reading),
   * except for the one form it proves: an object prefix on a bucket (object-prefix-condition.ts).
   */
  readonly conditional: boolean;
  /** The condition's expression, when it is a literal string. */
  readonly condition?: string;
}

export interface CustomRole {
  readonly address: string;
  readonly roleId: string;
  readonly permissions: readonly string[];
}

export interface StoredKey {
  readonly address: string;
  readonly kind: string;
  /** What the key is for, in words. */
  readonly holder: string;
}

export interface Unresolvable {
  readonly address: string;
  readonly reason: string;
}

/** BigQuery's legacy dataset roles, which it stores as these predefined roles. */
const LEGACY_DATASET_ROLES: Record<string, string> = {
  READER: "roles/bigquery.dataViewer",
  WRITER: "roles/bigquery.dataEditor",
  OWNER: "roles/bigquery.dataOwner",
};

const IAM_TYPE = /^google_(.+)_iam_(member|binding|policy)$/;
const SCOPES: Record<string, [GrantScope, string]> = {
  service_account: ["service account", "service_account_id"],
  iam_workload_identity_pool: ["workload identity pool", "workload_identity_pool_id"],
  bigquery_dataset: ["dataset", "dataset_id"],
  bigquery_table: ["table", "table_id"],
  storage_bucket: ["bucket", "bucket"],
  project: ["project", "project"],
  folder: ["folder", "folder"],
  organization: ["organization", "org_id"],
};
/** Cloud Storage ACLs: legacy grants next to IAM, never intended (the archive uses uniform access). */
const ACL_TYPES = [
  "google_storage_bucket_access_control",
  "google_storage_bucket_acl",
  "google_storage_default_object_access_control",
  "google_storage_default_object_acl",
  "google_storage_object_access_control",
  "google_storage_object_acl",
];
const KEY_TYPES: Record<string, string> = {
  google_service_account_key:
    "a service-account key (its private key is stored in Terraform state)",
  google_storage_hmac_key: "a Cloud Storage HMAC key (its secret is stored in Terraform state)",
  google_apikeys_key: "a Google API key (its key string is stored in Terraform state)",
  aws_iam_access_key: "an AWS access key (its secret is stored in Terraform state)",
  aws_iam_user_login_profile: "an AWS console password",
};

export interface GoogleAccess {
  readonly grants: GoogleGrant[];
  readonly customRoles: CustomRole[];
  readonly keys: StoredKey[];
  readonly unresolvable: Unresolvable[];
}

/**
 * `own` is what config says of the stack's Google project (its id and number), which a literal
 * pool name must match to be this stack's pool.
 */
export function readGoogleAccess(stack: StackJson, own: OwnProject = {}): GoogleAccess {
  const unresolvable: Unresolvable[] = [];
  const customRoles = [
    ...stack.resources("google_project_iam_custom_role"),
    ...stack.resources("google_organization_iam_custom_role"),
  ].map((r) => ({
    address: r.address,
    roleId: String(r.config.role_id),
    permissions: ([] as Json[]).concat(r.config.permissions ?? []).map(String),
  }));
  const grants: GoogleGrant[] = [];
  const attempt = (address: string, read: () => void) => {
    try {
      read();
    } catch (err) {
      if (!(err instanceof UnresolvableValue)) throw err;
      unresolvable.push({ address, reason: err.message });
    }
  };
  for (const type of stack.resourceTypes) {
    const m = IAM_TYPE.exec(type);
    if (m) {
      for (const r of stack.resources(type))
        attempt(r.address, () => grants.push(...iamGrants(r, m[1], m[2], stack, customRoles, own)));
    }
  }
  for (const dataset of stack.resources("google_bigquery_dataset")) {
    for (const entry of blocks(dataset.config.access)) {
      attempt(dataset.address, () => {
        const g = accessEntryGrant(
          entry,
          dataset.address,
          { target: dataset.address, targetInStack: true },
          "dataset access block",
          stack,
          own,
        );
        if (g) grants.push(g);
      });
    }
  }
  for (const access of stack.resources("google_bigquery_dataset_access")) {
    attempt(access.address, () => {
      const target = resolveTarget(access, "dataset", stack);
      const g = accessEntryGrant(
        access.config,
        access.address,
        target,
        "dataset_access",
        stack,
        own,
      );
      if (g) grants.push(g);
    });
  }
  for (const type of ACL_TYPES) {
    for (const acl of stack.resources(type)) {
      attempt(acl.address, () => {
        const target = resolveTarget(acl, "bucket", stack);
        const entries = [
          ...(acl.config.entity !== undefined
            ? [`${acl.config.role ?? "ACL"}:${acl.config.entity}`]
            : []),
          ...([] as Json[]).concat(acl.config.role_entity ?? []).map(String),
        ];
        for (const entry of entries) {
          const [role, ...who] = entry.split(":");
          const entity = who.join(":");
          grants.push({
            address: acl.address,
            form: "acl",
            scope: "bucket",
            ...target,
            role: `ACL ${role}`,
            member: /^(allUsers|allAuthenticatedUsers)$/.test(entity)
              ? { kind: "public", text: entity }
              : { kind: "other", text: `acl entity ${entity}` },
            conditional: false,
          });
        }
      });
    }
  }
  const keys = Object.keys(KEY_TYPES).flatMap((type) =>
    stack.resources(type).map((k) => ({
      address: k.address,
      kind: type,
      holder: KEY_TYPES[type],
    })),
  );
  return { grants, customRoles, keys, unresolvable };
}

function iamGrants(
  r: TerraformResource,
  level: string,
  form: string,
  stack: StackJson,
  customRoles: CustomRole[],
  own: OwnProject,
): GoogleGrant[] {
  const [scope] = SCOPES[level] ?? (["other resource", ""] as const);
  const target =
    scope === "other resource"
      ? { target: `a google_${level}`, targetInStack: false }
      : resolveTarget(r, scope, stack);
  const make = (role: Json, member: Json, condition: Json): GoogleGrant => ({
    address: r.address,
    form: `iam_${form}` as GoogleGrant["form"],
    scope,
    ...target,
    ...readRole(role, r.address, customRoles),
    member: readMember(String(member), stack, own),
    conditional: condition !== undefined,
    ...conditionText(condition),
  });
  if (form === "member") return [make(r.config.role, r.config.member, r.config.condition)];
  if (form === "binding") {
    return ([] as Json[])
      .concat(r.config.members ?? [])
      .map((m) => make(r.config.role, m, r.config.condition));
  }
  const bindings = policyBindings(r.config.policy_data, r.address, stack);
  return bindings.flatMap((b) =>
    ([] as Json[]).concat(b.members ?? []).map((m) => make(b.role, m, b.condition)),
  );
}

/** A condition block's expression when it is one literal string (a list of one block included). */
function conditionText(condition: Json): { condition?: string } {
  const block = Array.isArray(condition)
    ? condition.length === 1
      ? condition[0]
      : undefined
    : condition;
  const expression = block?.expression;
  return typeof expression === "string" && !expression.includes("${")
    ? { condition: expression }
    : {};
}

function policyBindings(policyData: Json, address: string, stack: StackJson): Json[] {
  const ref = parseReference(policyData);
  if (ref?.isData && ref.type === "google_iam_policy") {
    const data = stack.find(ref);
    if (!data)
      throw new UnresolvableValue(
        `policy_data names ${ref.address}, which the stack does not hold`,
      );
    for (const b of blocks(data.config.binding)) {
      if (typeof b.role !== "string" || (b.role.includes("${") && !parseReference(b.role))) {
        throw new UnresolvableValue(`${ref.address} has a binding whose role is not a literal`);
      }
    }
    return blocks(data.config.binding);
  }
  const doc = jsonDocument(policyData, `policy_data of ${address}`);
  const bindings = doc?.bindings ?? [];
  if (!Array.isArray(bindings))
    throw new UnresolvableValue(`policy_data of ${address} has bindings that are not a list`);
  return bindings;
}

/**
 * The resource a grant is on: the address of this stack's resource when every argument naming
 * it is proven to name that resource, else what the arguments name (never this stack's). A
 * reference the model cannot follow to a literal is unresolvable.
 */
function resolveTarget(
  r: TerraformResource,
  scope: GrantScope,
  stack: StackJson,
): { target: string; targetInStack: boolean } {
  const c = r.config;
  const key = SCOPES[Object.keys(SCOPES).find((k) => SCOPES[k][0] === scope)!]?.[1];
  const own =
    scope === "table"
      ? ownTable({ project: c.project, dataset_id: c.dataset_id, table_id: c.table_id }, r, stack)
      : scope === "dataset"
        ? ownDataset({ project: c.project, dataset_id: c.dataset_id }, r, stack)
        : scope === "bucket"
          ? ownBucket(c.bucket, r, stack)
          : scope === "service account"
            ? ownServiceAccount(c.service_account_id, r, stack)
            : scope === "workload identity pool"
              ? ownPool(
                  { project: c.project, workload_identity_pool_id: c.workload_identity_pool_id },
                  r,
                  stack,
                )
              : undefined;
  if (own) return { target: own.address, targetInStack: true };
  if (!own && ["project", "folder", "organization"].includes(scope)) {
    // Whose project, folder or organization it is does not matter: the grant reaches everything in it.
    const ref = parseReference(c[key!]);
    if (ref && !ref.isData && stack.find(ref)) return { target: ref.address, targetInStack: false };
    return {
      target: literalOf(c[key!], stack, `the ${scope} of ${r.address}`),
      targetInStack: false,
    };
  }
  const named = (arg: string) =>
    c[arg] === undefined ? undefined : literalOf(c[arg], stack, `the ${arg} of ${r.address}`);
  const text =
    scope === "table"
      ? `${named("project") ?? "(provider's project)"}:${named("dataset_id")}.${named("table_id")}`
      : scope === "dataset"
        ? `${named("project") ?? "(provider's project)"}:${named("dataset_id")}`
        : named(key!);
  return { target: `${text ?? "(none)"} (not this stack's ${scope})`, targetInStack: false };
}

function readRole(
  role: Json,
  address: string,
  customRoles: CustomRole[],
): { role: string; permissions?: readonly string[] } {
  const ref = parseReference(role);
  if (ref) {
    const custom = customRoles.find((c) => c.address === ref.address);
    if (!custom) throw new UnresolvableValue(`the role ${role} is not a custom role of this stack`);
    return { role: custom.roleId, permissions: custom.permissions };
  }
  if (typeof role !== "string" || role.includes("${") || role === "") {
    throw new UnresolvableValue(
      `the role ${JSON.stringify(role ?? null)} of ${address} is not a literal`,
    );
  }
  const customId = /^(?:projects|organizations)\/[^/]+\/roles\/(.+)$/.exec(role)?.[1];
  const custom = customId ? customRoles.find((c) => c.roleId === customId) : undefined;
  return custom ? { role, permissions: custom.permissions } : { role };
}

function accessEntryGrant(
  entry: Json,
  address: string,
  target: { target: string; targetInStack: boolean },
  form: "dataset access block" | "dataset_access",
  stack: StackJson,
  own: OwnProject,
): GoogleGrant | undefined {
  const rawRole = entry.role;
  const base = {
    address,
    form,
    scope: "dataset" as const,
    ...target,
    conditional: entry.condition !== undefined,
  };
  const role =
    typeof rawRole === "string"
      ? (LEGACY_DATASET_ROLES[rawRole] ?? rawRole)
      : "(authorized access)";
  const readAs = (prefix: string, who: Json) => {
    const ref = parseReference(who);
    if (ref?.type === "google_service_account" && ref.attribute === "email")
      return readMember(`serviceAccount:${who}`, stack, own);
    if (typeof who === "string" && who.endsWith(".gserviceaccount.com"))
      return readMember(`serviceAccount:${who}`, stack, own);
    return readMember(`${prefix}${who}`, stack, own);
  };
  if (entry.user_by_email !== undefined)
    return { ...base, role, member: readAs("user:", entry.user_by_email) };
  if (entry.group_by_email !== undefined)
    return { ...base, role, member: readAs("group:", entry.group_by_email) };
  if (entry.domain !== undefined)
    return { ...base, role, member: readMember(`domain:${entry.domain}`, stack, own) };
  if (entry.iam_member !== undefined)
    return { ...base, role, member: readMember(String(entry.iam_member), stack, own) };
  if (entry.special_group !== undefined) {
    const g = String(entry.special_group);
    return {
      ...base,
      role,
      member:
        g === "allAuthenticatedUsers"
          ? { kind: "public", text: g }
          : { kind: "other", text: `specialGroup:${g}` },
    };
  }
  for (const kind of ["view", "dataset", "routine"]) {
    if (entry[kind] !== undefined) {
      return {
        ...base,
        role,
        member: { kind: "other", text: `authorized ${kind} ${JSON.stringify(entry[kind])}` },
      };
    }
  }
  return undefined;
}

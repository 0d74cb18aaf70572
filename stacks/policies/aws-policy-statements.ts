/**
 * The statements of the AWS IAM policies attached to the Lambda's execution role, read from
 * the synthesized JSON: inline `aws_iam_role_policy`, `inline_policy` blocks of the role, and
 * `aws_iam_policy` documents attached by `aws_iam_role_policy_attachment`. Documents may be
 * JSON text (with `${...}` references inside strings) or a data.aws_iam_policy_document.
 */
import {
  parseReference,
  type Json,
  type StackJson,
  type TerraformResource,
} from "./terraform-json";

export interface AwsStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
}

export interface AttachedPolicy {
  /** The resource that holds or attaches the policy. */
  readonly resource: TerraformResource;
  /** Policy name or ARN, for messages. */
  readonly label: string;
  /** Undefined when the document cannot be read from the JSON (e.g. an AWS-managed policy). */
  readonly statements?: AwsStatement[];
  /** Set for `aws_iam_role_policy_attachment`. */
  readonly policyArn?: string;
}

const list = (v: Json): string[] =>
  v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String);

/** Reads a policy document (JSON text, object, or data.aws_iam_policy_document reference). */
export function statementsOf(document: Json, stack: StackJson): AwsStatement[] | undefined {
  const ref = parseReference(document);
  if (ref?.isData && ref.type === "aws_iam_policy_document") {
    const data = stack.find(ref);
    if (!data) return undefined;
    const raw = data.config.statement;
    return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((s: Json) => ({
      sid: s.sid,
      effect: s.effect ?? "Allow",
      actions: list(s.actions),
      notActions: list(s.not_actions),
      resources: list(s.resources),
      notResources: list(s.not_resources),
    }));
  }
  let doc = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return undefined;
    }
  }
  if (!doc || typeof doc !== "object") return undefined;
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return raw.map((s: Json) => ({
    sid: s.Sid,
    effect: s.Effect ?? "Allow",
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    notResources: list(s.NotResource),
  }));
}

/** Addresses (`aws_iam_role.X`) of the roles Lambda functions in the stack run as. */
export function lambdaRoleAddresses(stack: StackJson): Set<string> {
  const roles = new Set<string>();
  for (const fn of stack.resources("aws_lambda_function")) {
    const role = roleFor(fn.config.role, stack);
    if (role) roles.add(role.address);
  }
  return roles;
}

/** The aws_iam_role a `role` argument names: a reference, an ARN or a role name. */
export function roleFor(value: Json, stack: StackJson): TerraformResource | undefined {
  const ref = parseReference(value);
  if (ref) return ref.type === "aws_iam_role" && !ref.isData ? stack.find(ref) : undefined;
  if (typeof value !== "string") return undefined;
  const name = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(value)?.[1] ?? value;
  return stack.resources("aws_iam_role").find((r) => r.config.name === name);
}

/** Every policy that applies to the given role. */
export function policiesOfRole(role: TerraformResource, stack: StackJson): AttachedPolicy[] {
  const out: AttachedPolicy[] = [];
  for (const inline of role.config.inline_policy ? [role.config.inline_policy].flat() : []) {
    out.push({
      resource: role,
      label: `inline_policy ${inline.name ?? ""}`.trim(),
      statements: statementsOf(inline.policy, stack),
    });
  }
  for (const p of stack.resources("aws_iam_role_policy")) {
    if (roleFor(p.config.role, stack)?.address !== role.address) continue;
    out.push({
      resource: p,
      label: String(p.config.name ?? p.name),
      statements: statementsOf(p.config.policy, stack),
    });
  }
  for (const a of stack.resources("aws_iam_role_policy_attachment")) {
    if (roleFor(a.config.role, stack)?.address !== role.address) continue;
    const ref = parseReference(a.config.policy_arn);
    const policy = ref?.type === "aws_iam_policy" ? stack.find(ref) : undefined;
    out.push({
      resource: policy ?? a,
      label: policy ? String(policy.config.name ?? policy.name) : String(a.config.policy_arn),
      statements: policy ? statementsOf(policy.config.policy, stack) : undefined,
      policyArn: String(a.config.policy_arn),
    });
  }
  return out;
}

/** Lambda roles' policies, each with the role it belongs to. */
export function lambdaRolePolicies(
  stack: StackJson,
): { role: TerraformResource; policy: AttachedPolicy }[] {
  return [...lambdaRoleAddresses(stack)].sort().flatMap((address) => {
    const role = stack.find(address)!;
    return policiesOfRole(role, stack).map((policy) => ({ role, policy }));
  });
}

const rolePoliciesCache = new WeakMap<
  StackJson,
  { role: TerraformResource; policy: AttachedPolicy }[]
>();

/** Resource types that can hold a policy of the Lambda role (the rules reading them apply to these). */
export const LAMBDA_ROLE_POLICY_TYPES = [
  "aws_iam_role_policy",
  "aws_iam_role",
  "aws_iam_policy",
  "aws_iam_role_policy_attachment",
] as const;

/** The Lambda-role policies whose document (or attachment) lives in `resource`. */
export function lambdaRolePoliciesHeldBy(
  resource: TerraformResource,
  stack: StackJson,
): { role: TerraformResource; policy: AttachedPolicy }[] {
  let all = rolePoliciesCache.get(stack);
  if (!all) {
    all = lambdaRolePolicies(stack);
    rolePoliciesCache.set(stack, all);
  }
  return all.filter(({ policy }) => policy.resource.address === resource.address);
}

/**
 * The AWS side of the trust: the Lambda's execution role, its trust policy statements, its
 * inline and attached policies, every function that runs as it and every other resource that
 * uses it. Documents are read from JSON text, jsonencode or data.aws_iam_policy_document;
 * what cannot be read is unresolvable.
 */
import {
  blocks,
  parseReference,
  referencesIn,
  type Json,
  type StackJson,
  type TerraformResource,
} from "../terraform-json";
import { policiesOfRole, type AttachedPolicy } from "../aws-policy-statements";
import type { Unresolvable } from "./google-access";
import { jsonDocument, UnresolvableValue } from "./terraform-values";

export interface TrustStatement {
  readonly effect: string;
  /** Principal type -> identifiers ("*" for `Principal: "*"`). */
  readonly principals: Readonly<Record<string, readonly string[]>>;
  readonly notPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notActions: boolean;
  /** Operator -> key -> values. */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export interface RoleUser {
  readonly address: string;
  /** The argument that names the role. */
  readonly argument: string;
}

export interface LambdaRoleModel {
  readonly role?: TerraformResource;
  readonly trustStatements: readonly TrustStatement[];
  readonly policies: readonly AttachedPolicy[];
  /** aws_lambda_function resources that run as the role. */
  readonly functions: readonly { address: string; functionName: string }[];
  /** Any other resource that names the role (an instance profile, a state machine, ...). */
  readonly otherUsers: readonly RoleUser[];
}

const list = (v: Json): string[] =>
  v === undefined || v === null ? [] : ([] as Json[]).concat(v).map(String);

/** Arguments through which a resource runs as, or hands out, a role. */
const ROLE_ARGUMENTS =
  /^(role|role_arn|roles|execution_role_arn|task_role_arn|service_role|service_role_arn|iam_role_arn|role_name)$/;
/** Resources that may name the role: they configure it, they do not use it. */
const CONFIGURES_ROLE = new Set(["aws_iam_role_policy", "aws_iam_role_policy_attachment"]);

export function readLambdaRole(
  stack: StackJson,
  roleName: string,
): { model: LambdaRoleModel; unresolvable: Unresolvable[] } {
  const unresolvable: Unresolvable[] = [];
  const named = stack.resources("aws_iam_role").filter((r) => r.config.name === roleName);
  if (named.length > 1) {
    unresolvable.push({
      address: named[1].address,
      reason: `${named.length} aws_iam_role resources are named ${roleName}; the model cannot tell which one the Lambda is`,
    });
  }
  const role = named[0];
  if (!role) {
    return {
      model: { trustStatements: [], policies: [], functions: [], otherUsers: [] },
      unresolvable: [
        {
          address: "aws_iam_role",
          reason: `no aws_iam_role is named ${roleName} (name must be a literal)`,
        },
      ],
    };
  }
  let trustStatements: TrustStatement[] = [];
  try {
    trustStatements = trustStatementsOf(role.config.assume_role_policy, role.address, stack);
  } catch (err) {
    if (!(err instanceof UnresolvableValue)) throw err;
    unresolvable.push({ address: role.address, reason: err.message });
  }
  const isRole = (value: Json): boolean => {
    const ref = parseReference(value);
    if (ref) return ref.address === role.address;
    if (typeof value !== "string") return false;
    return (
      value === roleName ||
      new RegExp(String.raw`^arn:[\w-]+:iam::\d{12}:role/(?:.*/)?${escape(roleName)}$`).test(value)
    );
  };
  const functions: { address: string; functionName: string }[] = [];
  const otherUsers: RoleUser[] = [];
  for (const r of stack.allResources()) {
    if (r.address === role.address || CONFIGURES_ROLE.has(r.type)) continue;
    for (const [argument, value] of roleArguments(r.config)) {
      if (![value].flat().some(isRole)) continue;
      if (r.type === "aws_lambda_function" && argument === "role") {
        functions.push({ address: r.address, functionName: String(r.config.function_name) });
      } else otherUsers.push({ address: r.address, argument });
    }
    // A reference to the role from anything else (e.g. inside a policy document) is a use too.
    if (r.type.startsWith("aws_") && r.type !== "aws_lambda_function") {
      const text = JSON.stringify(r.config);
      if (
        referencesIn(text).some((ref) => ref.address === role.address) &&
        !otherUsers.some((u) => u.address === r.address)
      ) {
        otherUsers.push({ address: r.address, argument: "a reference" });
      }
    }
  }
  for (const p of policiesOfRole(role, stack)) {
    if (!p.statements) {
      unresolvable.push({
        address: p.resource.address,
        reason: `the policy ${p.label} attached to ${roleName} cannot be read from the JSON (a managed policy or an expression)`,
      });
    }
  }
  return {
    model: { role, trustStatements, policies: policiesOfRole(role, stack), functions, otherUsers },
    unresolvable,
  };
}

function* roleArguments(config: Json, depth = 0): Generator<[string, Json]> {
  if (!config || typeof config !== "object" || depth > 4) return;
  for (const [k, v] of Object.entries(config)) {
    if (k === "//") continue;
    if (ROLE_ARGUMENTS.test(k)) yield [k, v];
    else if (v && typeof v === "object") yield* roleArguments(v, depth + 1);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function trustStatementsOf(document: Json, address: string, stack: StackJson): TrustStatement[] {
  const ref = parseReference(document);
  if (ref?.isData && ref.type === "aws_iam_policy_document") {
    const data = stack.find(ref);
    if (!data)
      throw new UnresolvableValue(
        `assume_role_policy names ${ref.address}, which the stack does not hold`,
      );
    return blocks(data.config.statement).map((s) => {
      const principals: Record<string, string[]> = {};
      for (const p of blocks(s.principals))
        (principals[String(p.type)] ??= []).push(...list(p.identifiers));
      const conditions: Record<string, Record<string, string[]>> = {};
      for (const c of blocks(s.condition))
        ((conditions[String(c.test)] ??= {})[String(c.variable)] ??= []).push(...list(c.values));
      return {
        effect: s.effect ?? "Allow",
        principals,
        notPrincipal: s.not_principals !== undefined,
        actions: list(s.actions),
        notActions: s.not_actions !== undefined,
        conditions,
      };
    });
  }
  const doc = jsonDocument(document, `assume_role_policy of ${address}`);
  return ([] as Json[]).concat(doc?.Statement ?? []).map((s) => {
    const principals: Record<string, string[]> = {};
    if (s.Principal === "*") principals.AWS = ["*"];
    else for (const [k, v] of Object.entries(s.Principal ?? {})) principals[k] = list(v);
    const conditions: Record<string, Record<string, string[]>> = {};
    for (const [op, kv] of Object.entries(s.Condition ?? {})) {
      for (const [k, v] of Object.entries(kv as Json)) (conditions[op] ??= {})[k] = list(v);
    }
    return {
      effect: s.Effect ?? "Allow",
      principals,
      notPrincipal: s.NotPrincipal !== undefined,
      actions: list(s.Action),
      notActions: s.NotAction !== undefined,
      conditions,
    };
  });
}

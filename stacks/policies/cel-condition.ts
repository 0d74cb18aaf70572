/**
 * Reads a workload identity attribute_condition (CEL text) well enough to judge it: which
 * assumed-role ARNs and AWS accounts it pins by equality, and what would widen it (an
 * alternative `||`, prefix/substring/regex tests on the role, wildcards).
 * Not a CEL evaluator: anything it cannot read as a pin is treated as not pinning. Pure.
 */

import { AWS_PARTITIONS } from "../federation/partition";

const PARTITION = AWS_PARTITIONS.join("|");
/**
 * `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE`, the form attribute.aws_role holds, in any
 * partition known to stacks/federation/partition.ts: this reads the form of a pin; whether the
 * pinned partition is the Lambda's is the trust evaluation's question (TRUST1).
 */
export const ASSUMED_ROLE_ARN = new RegExp(
  String.raw`^arn:(?:${PARTITION}):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})$`,
);
const IAM_ROLE_ARN = new RegExp(
  String.raw`^arn:(${PARTITION}):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$`,
);
/** Identifiers that carry the caller's role (a test on them is a test on the role). */
const ROLE_OPERANDS = /\b(attribute\.aws_role|assertion\.arn|google\.subject)\b/;
const LOOSE_TESTS = ["startsWith", "endsWith", "contains", "matches"] as const;
const LOOSE_MEANING: Record<(typeof LOOSE_TESTS)[number], string> = {
  startsWith: "every role whose ARN begins that way (e.g. a role named ROLE-other)",
  endsWith: "every role whose ARN ends that way (e.g. other-ROLE, or any account)",
  contains: "every role whose ARN contains that text",
  matches: "every role the regular expression matches",
};

export interface ConditionAnalysis {
  /** Assumed-role ARNs the condition requires attribute.aws_role to equal (== or in [...]). */
  readonly pinnedRoleArns: string[];
  /** AWS accounts the condition requires attribute.aws_account to equal. */
  readonly pinnedAccounts: string[];
  /** What keeps the condition from admitting exactly those roles (empty when it does). */
  readonly problems: string[];
  /** The top-level `&&` clauses, as written. */
  readonly clauses: string[];
}

/** Splits at a top-level operator (outside strings, parentheses, brackets). */
export function splitTopLevel(expr: string, operator: "&&" | "||"): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && expr.startsWith(operator, i)) {
      parts.push(expr.slice(start, i).trim());
      start = i + operator.length;
      i += operator.length - 1;
    }
  }
  parts.push(expr.slice(start).trim());
  return parts;
}

/** The text with string literals blanked, to look for operators and calls in the code only. */
export function codeOnly(expr: string): string {
  return expr.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
}

/** Removes parentheses that wrap the whole expression. */
export function unwrap(expr: string): string {
  let e = expr.trim();
  while (e.startsWith("(") && e.endsWith(")") && closingParen(e, 0) === e.length - 1) {
    e = e.slice(1, -1).trim();
  }
  return e;
}

function closingParen(expr: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return -1;
}

const LITERAL = String.raw`(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;
const EQUALS_LEFT = new RegExp(String.raw`^attribute\.(aws_role|aws_account)\s*==\s*(${LITERAL})$`);
const EQUALS_RIGHT = new RegExp(
  String.raw`^(${LITERAL})\s*==\s*attribute\.(aws_role|aws_account)$`,
);
const IN_LIST = new RegExp(
  String.raw`^attribute\.(aws_role|aws_account)\s+in\s+\[\s*(${LITERAL}(?:\s*,\s*${LITERAL})*)\s*,?\s*\]$`,
);

function literalValue(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, "$1");
}

function literalsIn(list: string): string[] {
  return [...list.matchAll(new RegExp(LITERAL, "g"))].map((m) => literalValue(m[0]));
}

/** An equality pin `attribute.X == 'v'` / `'v' == attribute.X` / `attribute.X in ['v', ...]`. */
export function readPin(clause: string): { attribute: string; values: string[] } | undefined {
  const c = unwrap(clause);
  let m = EQUALS_LEFT.exec(c);
  if (m) return { attribute: m[1], values: [literalValue(m[2])] };
  m = EQUALS_RIGHT.exec(c);
  if (m) return { attribute: m[2], values: [literalValue(m[1])] };
  m = IN_LIST.exec(c);
  if (m) return { attribute: m[1], values: literalsIn(m[2]) };
  return undefined;
}

export function analyzeAwsCondition(condition: unknown): ConditionAnalysis {
  const problems: string[] = [];
  const result = (clauses: string[], roles: string[] = [], accounts: string[] = []) => ({
    pinnedRoleArns: roles,
    pinnedAccounts: accounts,
    problems,
    clauses,
  });
  if (typeof condition !== "string" || condition.trim() === "") {
    problems.push(
      "has no attribute_condition, so every identity the provider accepts (any role or user of the account) is admitted",
    );
    return result([]);
  }
  if (condition.includes("${")) {
    problems.push(
      `attribute_condition "${condition}" is a Terraform expression known only at apply, so it cannot be checked; write it as literal CEL`,
    );
    return result([condition]);
  }
  const expr = unwrap(condition);
  if (splitTopLevel(expr, "||").length > 1) {
    problems.push(
      "attribute_condition joins alternatives with ||, so an identity that fails the role pin can pass through another branch",
    );
  }
  const clauses = splitTopLevel(expr, "&&");
  const roles: string[] = [];
  const accounts: string[] = [];
  let rolePinWritten = false;
  for (const clause of clauses) {
    const code = codeOnly(clause);
    if (ROLE_OPERANDS.test(code)) {
      for (const fn of LOOSE_TESTS) {
        if (new RegExp(String.raw`\.${fn}\s*\(|\b${fn}\s*\(`).test(code)) {
          problems.push(
            `tests the role with ${fn}() in "${clause}", which admits ${LOOSE_MEANING[fn]}`,
          );
        }
      }
    }
    const pin = readPin(clause);
    if (pin?.attribute === "aws_account") accounts.push(...pin.values);
    if (pin?.attribute === "aws_role") {
      rolePinWritten = true;
      for (const value of pin.values) {
        const arnProblem = assumedRoleArnProblem(value);
        if (arnProblem) problems.push(arnProblem);
        else roles.push(value);
      }
    }
  }
  if (!rolePinWritten) {
    problems.push(
      "does not pin attribute.aws_role to a full assumed-role ARN by equality (== 'arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE' or in [...])",
    );
  }
  return result(clauses, roles, accounts);
}

/** Why a pinned value is not an exact assumed-role ARN, or undefined when it is one. */
export function assumedRoleArnProblem(value: string): string | undefined {
  if (ASSUMED_ROLE_ARN.test(value)) return undefined;
  if (value.includes("*")) {
    return `compares attribute.aws_role with '${value}', which holds a wildcard '*'; CEL == compares literally, and a pattern here means "any role" to the reader: name the exact assumed-role ARN`;
  }
  const iam = IAM_ROLE_ARN.exec(value);
  if (iam) {
    return `compares attribute.aws_role with the IAM role ARN '${value}', which it never holds; it holds the assumed-role ARN 'arn:${iam[1]}:sts::${iam[2]}:assumed-role/${iam[3]}'`;
  }
  return `compares attribute.aws_role with '${value}', which is not a full assumed-role ARN 'arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE'`;
}

/** The condition in plain words, one sentence per top-level clause. */
export function describeCondition(condition: unknown): string[] {
  if (typeof condition !== "string" || condition.trim() === "") {
    return ["No condition: every identity the provider accepts is admitted."];
  }
  const expr = unwrap(condition);
  if (splitTopLevel(expr, "||").length > 1) {
    return [
      `Any one of: ${splitTopLevel(expr, "||")
        .map((c) => `\`${c}\``)
        .join("; or ")}.`,
    ];
  }
  return splitTopLevel(expr, "&&").map((clause) => {
    const pin = readPin(clause);
    if (pin?.attribute === "aws_account") {
      return pin.values.length === 1
        ? `The AWS account is ${pin.values[0]}.`
        : `The AWS account is one of ${pin.values.join(", ")}.`;
    }
    if (pin?.attribute === "aws_role") {
      const list = pin.values.map((v) => `\`${v}\``);
      return pin.values.length === 1
        ? `The caller's role session belongs to exactly ${list[0]}.`
        : `The caller's role session belongs to exactly one of ${list.join(", ")}.`;
    }
    return `This holds: \`${unwrap(clause)}\`.`;
  });
}

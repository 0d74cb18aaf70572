/**
 * The shape of one security rule, in the cdk-nag v2 style: an id, a one-line info, an
 * explanation, a level, a fix, and a small function that judges one Terraform resource of the
 * synthesized JSON. Rules read JSON (not constructs) because most checked values are Terraform
 * tokens until synth resolves them, and so the review tool can run the same rules on
 * cdk.tf.json. Pure: no cdktf imports.
 */
import type { StackJson, TerraformResource } from "./terraform-json";

export type RuleLevel = "error" | "warning";

export type RuleOutcome =
  | { readonly status: "compliant" }
  | { readonly status: "not-applicable" }
  | { readonly status: "non-compliant"; readonly reasons: readonly string[] };

export const COMPLIANT: RuleOutcome = { status: "compliant" };
export const NOT_APPLICABLE: RuleOutcome = { status: "not-applicable" };

/** Non-compliant, with one reason per problem (each names the offending value). */
export function nonCompliant(...reasons: string[]): RuleOutcome {
  return { status: "non-compliant", reasons };
}

/** Compliant when `reasons` is empty. */
export function outcomeOf(reasons: readonly string[]): RuleOutcome {
  return reasons.length === 0 ? COMPLIANT : nonCompliant(...reasons);
}

export interface SecurityRule {
  /** Short, stable id used in messages and suppressions, e.g. "WIF1". */
  readonly id: string;
  /** Descriptive name, like the rule's file. */
  readonly name: string;
  /** One line: what a compliant stack does. */
  readonly info: string;
  /** Why it matters, in a sentence or two. */
  readonly explanation: string;
  /** `error` aborts synth; `warning` is printed and reported. */
  readonly level: RuleLevel;
  /** What to change, printed with every finding. */
  readonly fix: string;
  /**
   * False for the rules that guard the trust itself (who is admitted, who may act as the
   * identity, which keys exist): a suppression of one is refused. @default true
   */
  readonly suppressible?: boolean;
  /** Terraform resource types the rule judges (cheap filter before `evaluate`). */
  appliesTo(resourceType: string): boolean;
  evaluate(resource: TerraformResource, stack: StackJson): RuleOutcome;
  /**
   * For rules over the whole trust model: findings with the address each is about (a resource,
   * or e.g. `provider.aws`). Such rules apply to no single resource.
   */
  evaluateStack?(
    stack: StackJson,
  ): readonly { readonly address: string; readonly reason: string }[];
}

/** `appliesTo` for an exact list of resource types. */
export function resourceTypes(...types: string[]): (resourceType: string) => boolean {
  const set = new Set(types);
  return (resourceType) => set.has(resourceType);
}

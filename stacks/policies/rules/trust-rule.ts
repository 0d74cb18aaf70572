/**
 * A rule over the trust evaluation: it judges no single resource; its findings are the
 * evaluation's findings under its id, each with the address it is about.
 */
import { NOT_APPLICABLE, type SecurityRule } from "../rule";
import { trustEvaluationOf, type TrustRuleId } from "../trust-model/trust-evaluation";

export type TrustRuleProps = Pick<
  SecurityRule,
  "name" | "info" | "explanation" | "fix" | "suppressible"
> & { readonly id: TrustRuleId };

export function trustRule(props: TrustRuleProps): SecurityRule {
  return {
    ...props,
    level: "error",
    appliesTo: () => false,
    evaluate: () => NOT_APPLICABLE,
    evaluateStack: (stack) => trustEvaluationOf(stack).findings.filter((f) => f.rule === props.id),
  };
}

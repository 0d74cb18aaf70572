/**
 * TRUST6: The pool holds exactly one provider: the AWS provider of the stack's account.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustEvaluationOf } from "../trust-model/trust-evaluation";
import { NOT_APPLICABLE, type SecurityRule } from "../rule";

export const OnlyTheAwsProvider: SecurityRule = {
  id: "TRUST6",
  name: "OnlyTheAwsProvider",
  info: "The pool holds exactly one provider: the AWS provider of the stack's account.",
  explanation:
    "Every provider of a pool feeds the same principalSet grants: an OIDC, SAML or X.509 provider, or a second AWS provider, admits identities whose attributes (aws_role included) come from somewhere else.",
  level: "error",
  fix: "remove the provider; a second trust belongs in its own pool and stack",
  suppressible: false,
  appliesTo: () => false,
  evaluate: () => NOT_APPLICABLE,
  evaluateStack: (stack) => trustEvaluationOf(stack).findings.filter((f) => f.rule === "TRUST6"),
};

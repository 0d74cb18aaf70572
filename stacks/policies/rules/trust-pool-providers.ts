/**
 * TRUST6: The pool holds exactly one provider: the AWS provider of the stack's account.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const OnlyTheAwsProvider = trustRule({
  id: "TRUST6",
  name: "OnlyTheAwsProvider",
  info: "The pool holds exactly one provider: the AWS provider of the stack's account.",
  explanation:
    "Every provider of a pool feeds the same principalSet grants: an OIDC, SAML or X.509 provider, or a second AWS provider, admits identities whose attributes (aws_role included) come from somewhere else.",
  fix: "remove the provider; a second trust belongs in its own pool and stack",
  suppressible: false,
});

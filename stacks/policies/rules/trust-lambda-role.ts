/**
 * TRUST7: The Lambda's role is assumable only by lambda.amazonaws.com with aws:SourceAccount = the account (and aws:SourceArn = the function where stated), and only this stack's Lambda runs as it.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const LambdaRoleTrustedOnlyByLambda = trustRule({
  id: "TRUST7",
  name: "LambdaRoleTrustedOnlyByLambda",
  info: "The Lambda's role is assumable only by lambda.amazonaws.com with aws:SourceAccount = the account (and aws:SourceArn = the function where stated), and only this stack's Lambda runs as it.",
  explanation:
    "Google trusts every session of the role: any other principal, service or function that can become the role gets the bridge's Google access.",
  fix: "keep LambdaExecutionRole's trust policy, and give any other function its own role",
  suppressible: false,
});

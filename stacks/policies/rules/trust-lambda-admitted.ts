/**
 * TRUST1: This stack's Lambda identity (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/FUNCTION) is admitted by the pool provider and reaches exactly its intended roles.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const LambdaIdentityAdmitted = trustRule({
  id: "TRUST1",
  name: "LambdaIdentityAdmitted",
  info: "This stack's Lambda identity (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/FUNCTION) is admitted by the pool provider and reaches exactly its intended roles.",
  explanation:
    "Evaluated with Google's own CEL semantics at synth: a condition, mapping, partition or grant that does not let the real Lambda session through would deploy a bridge that can never get a token.",
  fix: "make the condition, the mapping and the grants name this stack's role, account and partition (awsAttributeCondition, awsRolePrincipalSet, FederatedIdentity), and keep the provider enabled",
  suppressible: false,
});

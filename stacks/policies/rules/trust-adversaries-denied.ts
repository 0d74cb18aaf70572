/**
 * TRUST2: Every identity of the built-in adversarial set (look-alike roles, other accounts and partitions, IAM and federated users embedding the role, other roles' sessions, malformed ARNs) is refused and reaches nothing.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const AdversarialIdentitiesDenied = trustRule({
  id: "TRUST2",
  name: "AdversarialIdentitiesDenied",
  info: "Every identity of the built-in adversarial set (look-alike roles, other accounts and partitions, IAM and federated users embedding the role, other roles' sessions, malformed ARNs) is refused and reaches nothing.",
  explanation:
    "The pool must admit exactly one role: if any look-alike passes the mapping and the condition, or a grant covers it, the promise 'exactly one AWS role in one account' is broken.",
  fix: "compare the full assumed-role ARN and the account by equality in the condition (awsAttributeCondition), keep Google's default aws_role mapping, and grant only to the role's principalSet",
  suppressible: false,
});

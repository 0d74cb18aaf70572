/**
 * WIF2: an AWS pool provider pins `aws.account_id` to one 12-digit account.
 * Reads the synthesized JSON: the `aws` block of google_iam_workload_identity_pool_provider.
 */
import { block, isExpression } from "../terraform-json";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceTypes, type SecurityRule } from "../rule";

export const AwsProviderPinsAccount: SecurityRule = {
  id: "WIF2",
  name: "AwsProviderPinsAccount",
  info: "The AWS pool provider pins aws.account_id to the one 12-digit AWS account it trusts.",
  explanation:
    "Google STS verifies the caller's account against aws.account_id before any condition runs; it is the first of the two locks (the condition is the second).",
  level: "error",
  suppressible: false,
  fix: 'set aws: { accountId: "<12-digit account>" } on the provider (WorkloadIdentityFederation does it from config aws.accountId)',
  appliesTo: resourceTypes("google_iam_workload_identity_pool_provider"),
  evaluate(resource) {
    const config = resource.config;
    const aws = block(config.aws);
    if (!aws) {
      const isOther = ["oidc", "saml", "x509"].some((k) => config[k] !== undefined);
      return isOther
        ? NOT_APPLICABLE
        : nonCompliant("has no aws block, so no AWS account is pinned");
    }
    const account = aws.account_id;
    if (typeof account === "string" && /^\d{12}$/.test(account)) return COMPLIANT;
    if (isExpression(account)) {
      return nonCompliant(
        `aws.account_id "${account}" is known only at apply, so it cannot be checked`,
      );
    }
    return nonCompliant(
      `aws.account_id is ${JSON.stringify(account ?? null)}, not a 12-digit AWS account id`,
    );
  },
};

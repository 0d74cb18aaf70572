/**
 * IAM1: no google_service_account_key anywhere in the stack.
 * Reads the synthesized JSON: the presence of the resource type (the key's secret would land
 * in Terraform state and outputs, which is exactly what workload identity federation avoids).
 */
import { nonCompliant, resourceTypes, type SecurityRule } from "../rule";

export const NoServiceAccountKey: SecurityRule = {
  id: "IAM1",
  name: "NoServiceAccountKey",
  info: "No google_service_account_key exists: the Lambda authenticates by federation only.",
  explanation:
    "A service-account key is a long-lived secret that Terraform writes to its state; anyone with the state (or a leaked copy of the key) is the service account until someone notices and deletes it.",
  level: "error",
  suppressible: false,
  fix: "delete the key resource; the Lambda gets its Google token through the pool provider (FederatedIdentity), which needs no key",
  appliesTo: resourceTypes("google_service_account_key"),
  evaluate(resource) {
    const account = resource.config.service_account_id ?? "a service account";
    return nonCompliant(
      `creates a key for ${account}; its private key would be stored in Terraform state`,
    );
  },
};

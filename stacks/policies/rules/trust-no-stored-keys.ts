/**
 * TRUST5: No stored key exists: no service-account key, Cloud Storage HMAC key, API key or AWS access key.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const NoStoredKeys = trustRule({
  id: "TRUST5",
  name: "NoStoredKeys",
  info: "No stored key exists: no service-account key, Cloud Storage HMAC key, API key or AWS access key.",
  explanation:
    "Each is a long-lived secret written to Terraform state; anyone with the state is that identity until someone notices.",
  fix: "delete the key resource; the Lambda authenticates through the pool provider, which needs no key",
  suppressible: false,
});

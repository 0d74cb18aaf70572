/**
 * TRUST3: Only the intended grant touches the identity: roles/iam.workloadIdentityUser on the service account for the Lambda role's principalSet; no other grant on the service account or pool, and no role anywhere that lets a member act as, mint keys for or administer identities.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const OnlyIntendedIdentityGrants = trustRule({
  id: "TRUST3",
  name: "OnlyIntendedIdentityGrants",
  info: "Only the intended grant touches the identity: roles/iam.workloadIdentityUser on the service account for the Lambda role's principalSet; no other grant on the service account or pool, and no role anywhere that lets a member act as, mint keys for or administer identities.",
  explanation:
    "Whoever holds such a grant can act as the Lambda's Google identity or create a new way in, which defeats the federation the bridge is built on.",
  fix: "remove the grant; the Lambda's identity is granted by FederatedIdentity only",
  suppressible: false,
});

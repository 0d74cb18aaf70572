/**
 * TRUST8: Every value the trust depends on (members, roles, targets, policy documents, mappings, conditions, accounts) is known at synth.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const TrustResolvableAtSynth = trustRule({
  id: "TRUST8",
  name: "TrustResolvableAtSynth",
  info: "Every value the trust depends on (members, roles, targets, policy documents, mappings, conditions, accounts) is known at synth.",
  explanation:
    "What the model cannot read it cannot prove safe; an expression known only at apply is refused, never passed.",
  fix: "write the value literally (or as a reference to a resource of this stack, or Fn.jsonencode of literals), and declare resources directly rather than through a module or a provisioner",
  suppressible: false,
});

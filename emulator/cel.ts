/**
 * The emulator's STS runs the very CEL (with Google's extract()) that synth evaluates the
 * trust with: one implementation, in stacks/ (stacks/ never imports emulator/).
 */
export * from "../stacks/policies/trust-model/cel";

/**
 * Providers without settings (random, time) are declared once per stack, by the first construct
 * that needs one; Terraform picks the provider from a resource type's prefix, cdktf wants the
 * provider construct in the stack to write `provider` and `required_providers`.
 */
import type { Construct } from "constructs";
import { TerraformProvider, TerraformStack } from "cdktf";

/** The stack's provider with construct id `id`, created by `create` on first use. */
export function stackProvider<P extends TerraformProvider>(
  scope: Construct,
  id: string,
  create: (stack: TerraformStack, id: string) => P,
): P {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(id);
  if (existing === undefined) return create(stack, id);
  if (!TerraformProvider.isTerraformProvider(existing)) {
    throw new Error(`stack ${stack.node.id} has a child "${id}" that is not a provider`);
  }
  return existing as P;
}

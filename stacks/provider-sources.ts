/**
 * Full provider sources in `required_providers`. The generated provider bindings declare bare
 * names ("aws", "google"), which Terraform reads as hashicorp/<name>; writing that out lets
 * OpenTofu and Terraform resolve the same providers without guessing.
 */
import { type IAspect, TerraformProvider, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

export class FullProviderSources implements IAspect {
  /** @param namespace what a bare source implies; Terraform's own default. @default "hashicorp" */
  constructor(private readonly namespace = "hashicorp") {}

  visit(node: IConstruct): void {
    if (!TerraformProvider.isTerraformProvider(node)) return;
    const source = node.terraformProviderSource;
    if (!source || source.includes("/")) return;
    TerraformStack.of(node).addOverride(
      `terraform.required_providers.${node.terraformResourceType}.source`,
      `${this.namespace}/${source}`,
    );
  }
}

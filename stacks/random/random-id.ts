/**
 * Just enough of the hashicorp/random provider for a random id kept in state. cdktf ships no
 * bindings for it and the Terraform registry is out of reach at synth, so these are declared
 * through cdktf's public generic classes; `terraform init` (or `tofu init`) fetches the provider.
 */
import { Construct } from "constructs";
import {
  hashMapperHcl,
  numberToHclTerraform,
  stringToHclTerraform,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
} from "cdktf";

const RANDOM_PROVIDER = {
  providerName: "random",
  providerVersionConstraint: "~> 3.6",
} as const;

/** The `random` provider (no settings). */
export class RandomProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: "random",
      terraformGeneratorMetadata: RANDOM_PROVIDER,
      terraformProviderSource: "hashicorp/random",
    });
  }

  /** The stack's random provider, declared on first use. */
  static of(scope: Construct): RandomProvider {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild("random");
    return existing instanceof RandomProvider ? existing : new RandomProvider(stack, "random");
  }
}

export interface RandomIdProps {
  /** Random bytes; the hex form has twice as many characters. */
  readonly byteLength: number;
  /** A new id is drawn when any of these values changes. @default none */
  readonly keepers?: Record<string, string>;
}

/** `random_id`: drawn once at the first apply, then kept in state until destroyed. */
export class RandomId extends TerraformResource {
  private readonly byteLength: number;
  private readonly keepers?: Record<string, string>;

  constructor(scope: Construct, id: string, props: RandomIdProps) {
    super(scope, id, {
      terraformResourceType: "random_id",
      terraformGeneratorMetadata: RANDOM_PROVIDER,
    });
    // Terraform picks the provider from the "random_" prefix; cdktf wants it in the stack.
    RandomProvider.of(scope);
    if (!Number.isInteger(props.byteLength) || props.byteLength < 1) {
      throw new Error(`RandomId byteLength must be a whole number >= 1, got ${props.byteLength}`);
    }
    this.byteLength = props.byteLength;
    this.keepers = props.keepers;
  }

  /** The id as lowercase hex (2 characters per byte), a Terraform reference. */
  get hex(): string {
    return this.getStringAttribute("hex");
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { byte_length: this.byteLength, keepers: this.keepers };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    const attrs = {
      byte_length: {
        value: numberToHclTerraform(this.byteLength),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      keepers: {
        value: hashMapperHcl(stringToHclTerraform)(this.keepers),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
    };
    return Object.fromEntries(Object.entries(attrs).filter(([, attr]) => attr.value !== undefined));
  }
}

/**
 * The pool and provider ids an environment deploys. Google keeps a deleted pool or provider id
 * for about 30 days and refuses to create it again (409), so an environment that is destroyed
 * and recreated needs fresh ids: a suffix, random (kept in state) or fixed (bumped by hand).
 * Long-lived environments use no suffix and keep stable ids.
 */
import { Construct } from "constructs";
import { Id } from "@cdktf/provider-random/lib/id";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { stackProvider } from "../stack-provider";

/** Google's limit for pool and provider ids. */
export const FEDERATION_ID_MAX_LENGTH = 32;
/** Bytes of the random suffix: 4 hex characters, 65536 values per base id. */
export const RANDOM_SUFFIX_BYTES = 2;

export interface FederationIdsProps {
  readonly poolId: string;
  readonly providerId: string;
  /** "random", or a fixed suffix appended as "-<suffix>". @default none (the ids as given) */
  readonly idSuffix?: string;
}

export class FederationIds extends Construct {
  /** The pool id to deploy (a Terraform reference when the suffix is random). */
  readonly poolId: string;
  /** The provider id to deploy (a Terraform reference when the suffix is random). */
  readonly providerId: string;
  /** The `random_id` whose hex is the suffix, when `idSuffix` is "random". */
  readonly randomSuffix?: Id;
  private readonly suffix?: string;

  constructor(scope: Construct, id: string, props: FederationIdsProps) {
    super(scope, id);
    if (!props.idSuffix) {
      this.poolId = props.poolId;
      this.providerId = props.providerId;
      return;
    }
    const random = props.idSuffix === "random";
    const added = random ? 2 * RANDOM_SUFFIX_BYTES + 1 : props.idSuffix.length + 1;
    for (const [what, base] of [
      ["pool", props.poolId],
      ["provider", props.providerId],
    ]) {
      if (base.length + added > FEDERATION_ID_MAX_LENGTH) {
        throw new Error(
          `${what} id "${base}" with idSuffix "${props.idSuffix}" would be ${base.length + added} characters; Google allows ${FEDERATION_ID_MAX_LENGTH}. Use a ${what} id of at most ${FEDERATION_ID_MAX_LENGTH - added}`,
        );
      }
    }
    let suffix = props.idSuffix;
    if (random) {
      // Keyed on the base ids: renaming them draws a new suffix, nothing else does.
      stackProvider(this, "random", (stack, id) => new RandomProvider(stack, id));
      this.randomSuffix = new Id(this, "random-suffix", {
        byteLength: RANDOM_SUFFIX_BYTES,
        keepers: { pool_id: props.poolId, provider_id: props.providerId },
      });
      suffix = this.randomSuffix.hex;
    }
    this.suffix = suffix;
    this.poolId = `${props.poolId}-${suffix}`;
    this.providerId = `${props.providerId}-${suffix}`;
  }

  /** Another id of the pool (a further provider's) with the same suffix. */
  withSuffix(baseId: string): string {
    return this.suffix === undefined ? baseId : `${baseId}-${this.suffix}`;
  }
}

/**
 * A pause between the Google IAM grants and whatever must not run before they take effect.
 * Google IAM is eventually consistent: "changes to allow or deny policies typically propagate
 * in 2 minutes, but could potentially take 7 minutes or longer" (Access change propagation).
 * Without the pause, the SQS trigger goes live at the end of the apply and the first batches
 * meet 403 from generateAccessToken and insertAll. hashicorp/time's `time_sleep` waits once,
 * when it is created (first deploy, or when a grant it follows is replaced).
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Sleep } from "@cdktf/provider-time/lib/sleep";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { stackProvider } from "../stack-provider";

export interface IamPropagationWaitProps {
  /** Seconds to wait after the last grant is applied. */
  readonly seconds: number;
  /** The grants (and identities) to wait for. */
  readonly grants: readonly ITerraformDependable[];
}

export class IamPropagationWait extends Construct {
  readonly sleep: Sleep;

  constructor(scope: Construct, id: string, props: IamPropagationWaitProps) {
    super(scope, id);
    if (!Number.isInteger(props.seconds) || props.seconds <= 0) {
      throw new Error(
        `IamPropagationWait: seconds must be a whole number above 0, got ${props.seconds}; leave the wait out for none`,
      );
    }
    if (props.grants.length === 0) {
      throw new Error("IamPropagationWait: name the grants to wait for");
    }
    stackProvider(this, "time", (stack, providerId) => new TimeProvider(stack, providerId));
    this.sleep = new Sleep(this, "sleep", {
      createDuration: `${props.seconds}s`,
      dependsOn: [...props.grants],
    });
  }
}

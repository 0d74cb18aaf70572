/**
 * Who the Lambda is on Google's side. In impersonation mode (the default) a service account
 * that only the Lambda role's principalSet may impersonate (roles/iam.workloadIdentityUser on
 * that account, never the whole pool). In direct mode the principalSet itself is the member
 * that data roles are granted to, and no service account exists.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";

export type AccessMode = "impersonation" | "direct";

export interface FederatedIdentityProps {
  readonly projectId: string;
  readonly accessMode: AccessMode;
  /** The principalSet of the Lambda's AWS role. */
  readonly principalSet: string;
  /** Service account id (impersonation mode only). */
  readonly serviceAccountId?: string;
  /** @default none */
  readonly description?: string;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class FederatedIdentity extends Construct {
  /** The IAM member to grant data roles to: `serviceAccount:...` or the principalSet. */
  readonly member: string;
  /** Set in impersonation mode. */
  readonly serviceAccountEmail?: string;
  readonly serviceAccount?: ServiceAccount;
  /** roles/iam.workloadIdentityUser for the principalSet (impersonation mode). */
  readonly impersonationGrant?: ServiceAccountIamMember;

  constructor(scope: Construct, id: string, props: FederatedIdentityProps) {
    super(scope, id);
    if (props.accessMode === "direct") {
      this.member = props.principalSet;
      return;
    }
    if (!props.serviceAccountId) {
      throw new Error("FederatedIdentity: impersonation mode needs a serviceAccountId");
    }
    this.serviceAccount = new ServiceAccount(this, "service-account", {
      project: props.projectId,
      accountId: props.serviceAccountId,
      displayName: props.serviceAccountId,
      description: props.description,
      dependsOn: props.dependsOn,
    });
    this.impersonationGrant = new ServiceAccountIamMember(this, "workload-identity-user", {
      serviceAccountId: this.serviceAccount.name,
      role: "roles/iam.workloadIdentityUser",
      member: props.principalSet,
    });
    this.serviceAccountEmail = this.serviceAccount.email;
    this.member = `serviceAccount:${this.serviceAccount.email}`;
  }
}

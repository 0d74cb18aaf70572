/**
 * A Workload Identity Pool with one AWS provider that admits exactly the given roles of one
 * AWS account: the account is pinned on the provider (`aws.account_id`) and again in the
 * attribute condition, and roles are matched by equality on their assumed-role ARN, spelled
 * in the roles' partition.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { IamWorkloadIdentityPool } from "@cdktf/provider-google/lib/iam-workload-identity-pool";
import { IamWorkloadIdentityPoolProvider } from "@cdktf/provider-google/lib/iam-workload-identity-pool-provider";
import { awsAttributeCondition, awsAttributeMapping } from "../federation/attribute-mapping";
import { awsRolePrincipalSet, providerAudience } from "../federation/principals";
import { isGoogleSupportedAwsPartition, type AwsPartition } from "../federation/partition";

export interface WorkloadIdentityFederationProps {
  readonly projectId: string;
  readonly poolId: string;
  readonly providerId: string;
  /** The only AWS account whose identities the provider accepts. */
  readonly awsAccountId: string;
  /**
   * The partition of the roles' region (awsPartitionOf(region)): their session ARNs, and so
   * the condition and the principal sets, are spelled `arn:<partition>:sts::`.
   */
  readonly awsPartition: AwsPartition;
  /** The IAM role names (not ARNs) admitted by the condition. */
  readonly awsRoleNames: readonly string[];
  /** Shown in the console (Google caps it at 32 characters). @default the pool id */
  readonly displayName?: string;
  /**
   * The provider's console name (also capped at 32). Pass it when providerId is a Terraform
   * reference (a random suffix), which cannot be cut at synth. @default the provider id
   */
  readonly providerDisplayName?: string;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class WorkloadIdentityFederation extends Construct {
  readonly pool: IamWorkloadIdentityPool;
  readonly provider: IamWorkloadIdentityPoolProvider;
  /** `projects/NUMBER/locations/global/workloadIdentityPools/POOL` (a Terraform reference). */
  readonly poolName: string;
  /** `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`. */
  readonly providerName: string;
  /** The STS audience: `//iam.googleapis.com/` + providerName. */
  readonly audience: string;
  readonly attributeCondition: string;
  readonly awsPartition: AwsPartition;
  private readonly awsAccountId: string;

  constructor(scope: Construct, id: string, props: WorkloadIdentityFederationProps) {
    super(scope, id);
    if (!isGoogleSupportedAwsPartition(props.awsPartition)) {
      throw new Error(
        `WorkloadIdentityFederation ${id}: AWS partition ${props.awsPartition} is not one Google documents for AWS providers; see docs/aws-partitions.md`,
      );
    }
    const displayName = (props.displayName ?? props.poolId).slice(0, 32);
    this.awsAccountId = props.awsAccountId;
    this.awsPartition = props.awsPartition;
    this.attributeCondition = awsAttributeCondition(
      props.awsPartition,
      props.awsAccountId,
      props.awsRoleNames,
    );

    this.pool = new IamWorkloadIdentityPool(this, "pool", {
      project: props.projectId,
      workloadIdentityPoolId: props.poolId,
      displayName,
      description: `AWS Lambda identities of account ${props.awsAccountId} (wif-bridge)`,
      dependsOn: props.dependsOn,
    });
    this.provider = new IamWorkloadIdentityPoolProvider(this, "aws-provider", {
      project: props.projectId,
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: props.providerId,
      displayName: (props.providerDisplayName ?? props.providerId).slice(0, 32),
      description: `Admits only ${props.awsRoleNames.join(", ")} in AWS account ${props.awsAccountId}`,
      aws: { accountId: props.awsAccountId },
      attributeMapping: awsAttributeMapping(),
      attributeCondition: this.attributeCondition,
    });
    this.poolName = this.pool.name;
    this.providerName = this.provider.name;
    this.audience = providerAudience(this.provider.name);
  }

  /** The IAM member for every session of one admitted role. */
  principalSetForRole(roleName: string): string {
    return awsRolePrincipalSet(this.poolName, this.awsPartition, this.awsAccountId, roleName);
  }
}

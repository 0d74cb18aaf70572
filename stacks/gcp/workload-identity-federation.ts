/**
 * A Workload Identity Pool with one AWS provider per AWS account, each admitting exactly the
 * given roles of its account (more accounts join by addAwsAccount): the account is pinned on the provider (`aws.account_id`) and again in the
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

export interface AwsAccountProviderProps {
  /** Provider id (4-32 characters, unique in the pool). */
  readonly providerId: string;
  readonly awsAccountId: string;
  /** The IAM role names of that account the condition admits. */
  readonly awsRoleNames: readonly string[];
  /** @default the provider id (cut at 32) */
  readonly displayName?: string;
}

/** One AWS account's provider in the pool. */
export interface AwsAccountProvider {
  readonly provider: IamWorkloadIdentityPoolProvider;
  readonly attributeCondition: string;
  readonly audience: string;
  principalSetForRole(roleName: string): string;
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
  private readonly projectId: string;

  constructor(scope: Construct, id: string, props: WorkloadIdentityFederationProps) {
    super(scope, id);
    if (!isGoogleSupportedAwsPartition(props.awsPartition)) {
      throw new Error(
        `WorkloadIdentityFederation ${id}: AWS partition ${props.awsPartition} is not one Google documents for AWS providers; see docs/aws-partitions.md`,
      );
    }
    const displayName = (props.displayName ?? props.poolId).slice(0, 32);
    this.awsAccountId = props.awsAccountId;
    this.projectId = props.projectId;
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
    this.provider = this.awsProvider("aws-provider", {
      providerId: props.providerId,
      awsAccountId: props.awsAccountId,
      awsRoleNames: props.awsRoleNames,
      attributeCondition: this.attributeCondition,
      displayName: props.providerDisplayName,
    });
    this.poolName = this.pool.name;
    this.providerName = this.provider.name;
    this.audience = providerAudience(this.provider.name);
  }

  /** The IAM member for every session of one admitted role of the first account. */
  principalSetForRole(roleName: string): string {
    return awsRolePrincipalSet(this.poolName, this.awsPartition, this.awsAccountId, roleName);
  }

  /**
   * Another AWS account's provider in the same pool: its account pinned, its condition
   * admitting exactly `awsRoleNames` of that account. Its audience and principal sets are
   * its own; a role of one account never matches another account's principal set.
   */
  addAwsAccount(id: string, props: AwsAccountProviderProps): AwsAccountProvider {
    const attributeCondition = awsAttributeCondition(
      this.awsPartition,
      props.awsAccountId,
      props.awsRoleNames,
    );
    const provider = this.awsProvider(id, { ...props, attributeCondition });
    return {
      provider,
      attributeCondition,
      audience: providerAudience(provider.name),
      principalSetForRole: (roleName: string) =>
        awsRolePrincipalSet(this.poolName, this.awsPartition, props.awsAccountId, roleName),
    };
  }

  private awsProvider(
    id: string,
    props: AwsAccountProviderProps & { attributeCondition: string },
  ): IamWorkloadIdentityPoolProvider {
    return new IamWorkloadIdentityPoolProvider(this, id, {
      project: this.projectId,
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: props.providerId,
      displayName: (props.displayName ?? props.providerId).slice(0, 32),
      description: `Admits only ${props.awsRoleNames.join(", ")} in AWS account ${props.awsAccountId}`,
      aws: { accountId: props.awsAccountId },
      attributeMapping: awsAttributeMapping(),
      attributeCondition: props.attributeCondition,
    });
  }
}

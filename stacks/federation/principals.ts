/**
 * IAM principal identifiers for federated AWS identities. Built from the pool's resource
 * name (`projects/NUMBER/locations/global/workloadIdentityPools/POOL`), which carries the
 * project number Google requires; at synth time that name is a Terraform reference.
 */
import { assumedRoleArn } from "./attribute-mapping";
import type { AwsPartition } from "./partition";

const IAM_HOST = "//iam.googleapis.com";

/** Every session of one AWS role: the narrowest set a Lambda's identity belongs to. */
export function awsRolePrincipalSet(
  poolName: string,
  partition: AwsPartition,
  accountId: string,
  roleName: string,
): string {
  return `principalSet:${IAM_HOST}/${poolName}/attribute.aws_role/${assumedRoleArn(partition, accountId, roleName)}`;
}

/** The STS audience for a pool provider, from its resource name. */
export function providerAudience(providerName: string): string {
  return `${IAM_HOST}/${providerName}`;
}

/**
 * The member string for a dataset-level BigQuery grant. BigQuery dataset access entries take
 * federated principals as `iamMember:` (provider issues 16607, 22373).
 */
export function bigQueryDatasetMember(member: string): string {
  return member.startsWith("principal") ? `iamMember:${member}` : member;
}

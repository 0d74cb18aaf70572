/**
 * The AWS partition a region belongs to. Every ARN, condition and principalSet of a stack is
 * spelled with it: a role session in GovCloud is `arn:aws-us-gov:sts::…`, never `arn:aws:`.
 * Pure, no cdktf: the stack, the trust model and the Lambda read the same answer.
 */
export type AwsPartition = "aws" | "aws-us-gov" | "aws-cn";

/** The partition of an AWS region name (`us-gov-west-1` → aws-us-gov, `cn-north-1` → aws-cn). */
export function awsPartitionOf(region: string): AwsPartition {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}

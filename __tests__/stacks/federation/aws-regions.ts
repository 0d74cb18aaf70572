/** fast-check generators for the AWS names the partition tests draw from. */
import fc from "fast-check";
import type { AwsPartition } from "../../../stacks/federation/partition";

const direction = fc.constantFrom(
  "east",
  "west",
  "north",
  "south",
  "central",
  "northeast",
  "northwest",
  "southeast",
  "southwest",
);
const number = fc.integer({ min: 1, max: 19 }).map(String);

/** The region-name prefix of each partition, as AWS spells them (e.g. `us-gov-` for GovCloud). */
const PREFIXES: Record<AwsPartition, fc.Arbitrary<string>> = {
  aws: fc.constantFrom("us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"),
  "aws-us-gov": fc.constant("us-gov"),
  "aws-cn": fc.constant("cn"),
  "aws-iso": fc.constant("us-iso"),
  "aws-iso-b": fc.constant("us-isob"),
  "aws-iso-e": fc.constant("eu-isoe"),
  "aws-iso-f": fc.constant("us-isof"),
  "aws-eusc": fc.constantFrom("eusc-de", "eusc-fr"),
};

/** A region name of the partition, e.g. `ap-southeast-7` or `cn-northwest-1`. */
export function regionOf(partition: AwsPartition): fc.Arbitrary<string> {
  return fc
    .tuple(PREFIXES[partition], direction, number)
    .map(([prefix, dir, n]) => `${prefix}-${dir}-${n}`);
}

export const accountId = fc.stringMatching(/^\d{12}$/);

/** IAM role names: every character AWS allows ([\w+=,.@-]), short enough for google.subject. */
export const roleName = fc.stringMatching(/^[\w+=,.@-]{1,40}$/);

/** Lambda function names: [A-Za-z0-9_-]. */
export const functionName = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);

/**
 * The AWS partition a region belongs to. Every ARN, condition and principalSet of a stack is
 * spelled with it: a role session in GovCloud is `arn:aws-us-gov:sts::…`, never `arn:aws:`.
 * Pure, no cdktf: the stack, the config loader, the trust model and the emulator read the same
 * answer. The table follows the partitions of the AWS SDKs' `partitions.json`
 * (@aws-sdk/util-endpoints), written out here so that synth needs no AWS SDK.
 */
export type AwsPartition =
  | "aws"
  | "aws-us-gov"
  | "aws-cn"
  | "aws-iso"
  | "aws-iso-b"
  | "aws-iso-e"
  | "aws-iso-f"
  | "aws-eusc";

interface PartitionFacts {
  /** The regions of the partition, by name. */
  readonly regions: RegExp;
  /** Host suffix of its public endpoints: `sts.REGION.<dnsSuffix>`. */
  readonly dnsSuffix: string;
  /** A region of it, for messages and tests. */
  readonly exampleRegion: string;
}

// Most specific first: `us-gov-`, `us-iso-` and `us-isob-` regions also start with `us-`.
const PARTITIONS: ReadonlyArray<readonly [AwsPartition, PartitionFacts]> = [
  [
    "aws-us-gov",
    { regions: /^us-gov-[a-z]+-\d+$/, dnsSuffix: "amazonaws.com", exampleRegion: "us-gov-west-1" },
  ],
  [
    "aws-cn",
    { regions: /^cn-[a-z]+-\d+$/, dnsSuffix: "amazonaws.com.cn", exampleRegion: "cn-north-1" },
  ],
  [
    "aws-iso",
    { regions: /^us-iso-[a-z]+-\d+$/, dnsSuffix: "c2s.ic.gov", exampleRegion: "us-iso-east-1" },
  ],
  [
    "aws-iso-b",
    {
      regions: /^us-isob-[a-z]+-\d+$/,
      dnsSuffix: "sc2s.sgov.gov",
      exampleRegion: "us-isob-east-1",
    },
  ],
  [
    "aws-iso-e",
    {
      regions: /^eu-isoe-[a-z]+-\d+$/,
      dnsSuffix: "cloud.adc-e.uk",
      exampleRegion: "eu-isoe-west-1",
    },
  ],
  [
    "aws-iso-f",
    {
      regions: /^us-isof-[a-z]+-\d+$/,
      dnsSuffix: "csp.hci.ic.gov",
      exampleRegion: "us-isof-south-1",
    },
  ],
  [
    "aws-eusc",
    {
      regions: /^eusc-[a-z]+-[a-z]+-\d+$/,
      dnsSuffix: "amazonaws.eu",
      exampleRegion: "eusc-de-east-1",
    },
  ],
  [
    "aws",
    {
      regions: /^(us|eu|ap|sa|ca|me|af|il|mx)-(?!gov-|iso)[a-z]+-\d+$/,
      dnsSuffix: "amazonaws.com",
      exampleRegion: "eu-west-1",
    },
  ],
];

// Module scope holds literals only, so the Lambda bundle (which imports credential-config for
// TOKEN_LIFETIME_SECONDS) tree-shakes this table away.
export const AWS_PARTITIONS: readonly AwsPartition[] = /* @__PURE__ */ PARTITIONS.map(
  ([name]) => name,
);

/** Whether a name (e.g. read from an ARN) is a partition known here. */
export function isAwsPartition(name: string): name is AwsPartition {
  return PARTITIONS.some(([known]) => known === name);
}

function factsOf(partition: AwsPartition): PartitionFacts {
  const facts = PARTITIONS.find(([name]) => name === partition)?.[1];
  if (!facts) throw new Error(`unknown AWS partition "${partition}"`);
  return facts;
}

/**
 * The partitions whose roles Google's workload identity federation admits through an AWS
 * provider, per Google's documentation: its AWS guide, the `gcloud ... providers create-aws`
 * reference and the provider's REST resource (one `accountId`, no partition or STS endpoint
 * field) show only the commercial partition (`arn:aws:` roles, `sts.REGION.amazonaws.com`), and
 * the org-policy constraint names AWS by the single issuer `https://sts.amazonaws.com`. No page
 * shows GovCloud or China, so they are refused rather than deployed on a guess: Google STS
 * replays the signed request to AWS itself, and a partition it does not serve would lock the
 * Lambda out at its first call. See docs/aws-partitions.md.
 */
export const GOOGLE_SUPPORTED_AWS_PARTITIONS: readonly AwsPartition[] = ["aws"];

/** The partition of a region name, or undefined when it belongs to no partition known here. */
export function findAwsPartition(region: string): AwsPartition | undefined {
  return PARTITIONS.find(([, facts]) => facts.regions.test(region))?.[0];
}

/** The partition of an AWS region name (`us-gov-west-1` → aws-us-gov, `cn-north-1` → aws-cn). */
export function awsPartitionOf(region: string): AwsPartition {
  const partition = findAwsPartition(region);
  if (!partition) {
    throw new Error(
      `"${region}" is not a region of any AWS partition known to stacks/federation/partition.ts (${AWS_PARTITIONS.join(", ")}); use a region name like "eu-west-1"`,
    );
  }
  return partition;
}

/** The host suffix of a partition's public endpoints (`amazonaws.com.cn` for aws-cn). */
export function awsDnsSuffix(partition: AwsPartition): string {
  return factsOf(partition).dnsSuffix;
}

/** A region of the partition, for messages and tests. */
export function exampleRegionOf(partition: AwsPartition): string {
  return factsOf(partition).exampleRegion;
}

export function isGoogleSupportedAwsPartition(partition: AwsPartition): boolean {
  return GOOGLE_SUPPORTED_AWS_PARTITIONS.includes(partition);
}

/**
 * Why a region cannot host this stack's Lambda, or undefined when it can: the sentence a
 * config error and the stack's own guard both show.
 */
export function unsupportedRegionReason(region: string): string | undefined {
  const partition = findAwsPartition(region);
  const supported = GOOGLE_SUPPORTED_AWS_PARTITIONS.map(
    (p) => `${p} (e.g. "${exampleRegionOf(p)}")`,
  ).join(", ");
  if (!partition) {
    return `region "${region}" belongs to no AWS partition known to stacks/federation/partition.ts; use a region of ${supported}`;
  }
  if (isGoogleSupportedAwsPartition(partition)) return undefined;
  return `region "${region}" is in the AWS partition ${partition}, which Google's workload identity federation does not document as supported for AWS providers (its roles are arn:${partition}:..., its STS sts.${region}.${awsDnsSuffix(partition)}); the Lambda could never obtain a Google token. Deploy it in a region of ${supported}, or see docs/aws-partitions.md`;
}

/** Throws the reason when a region cannot host this stack's Lambda; `where` names its source. */
export function assertGoogleSupportedRegion(region: string, where: string): AwsPartition {
  const reason = unsupportedRegionReason(region);
  if (reason) throw new Error(`${where}: ${reason}`);
  return awsPartitionOf(region);
}

export interface AwsArnProps {
  readonly partition: AwsPartition;
  readonly service: string;
  /** Empty for global services (iam, sts). */
  readonly region?: string;
  readonly account: string;
  readonly resource: string;
}

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, the one way this code spells an ARN. */
export function awsArn(props: AwsArnProps): string {
  return `arn:${props.partition}:${props.service}:${props.region ?? ""}:${props.account}:${props.resource}`;
}

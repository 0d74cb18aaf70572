/**
 * The external_account credential configuration (AIP-4117) the Lambda hands to
 * google-auth-library. It holds no secret: only where to exchange the AWS identity and which
 * service account (if any) to impersonate. No metadata URLs: Lambda has no metadata service,
 * and the library reads AWS credentials and region from the Lambda environment.
 */

import { awsDnsSuffix, type AwsPartition } from "./partition";

export const STS_TOKEN_URL = "https://sts.googleapis.com/v1/token";
export const AWS_SUBJECT_TOKEN_TYPE = "urn:ietf:params:aws:token-type:aws4_request";

/**
 * Where Google STS replays the Lambda's signed GetCallerIdentity: the regional AWS STS host of
 * the Lambda's partition (`sts.{region}.amazonaws.com.cn` in China). The library fills in
 * `{region}` from AWS_REGION and signs for the host's first label (`sts`); it never calls it.
 */
export function regionalCredVerificationUrl(partition: AwsPartition): string {
  return `https://sts.{region}.${awsDnsSuffix(partition)}?Action=GetCallerIdentity&Version=2011-06-15`;
}
/** A token lifetime of 5 minutes or less would refresh on every call; one hour is the most without an org policy. */
export const TOKEN_LIFETIME_SECONDS = 3600;

export interface CredentialConfigProps {
  /** `//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER` */
  readonly audience: string;
  /** The partition of the Lambda's region (awsPartitionOf): picks the AWS STS host. */
  readonly awsPartition: AwsPartition;
  /** Service account to impersonate; omit for direct resource access. */
  readonly serviceAccountEmail?: string;
  /** @default STS_TOKEN_URL */
  readonly tokenUrl?: string;
  /** @default "https://iamcredentials.googleapis.com" */
  readonly iamCredentialsEndpoint?: string;
}

export interface ExternalAccountConfig {
  type: "external_account";
  audience: string;
  subject_token_type: string;
  token_url: string;
  service_account_impersonation_url?: string;
  service_account_impersonation?: { token_lifetime_seconds: number };
  credential_source: { environment_id: "aws1"; regional_cred_verification_url: string };
  universe_domain: "googleapis.com";
}

export function externalAccountConfig(props: CredentialConfigProps): ExternalAccountConfig {
  const iam = props.iamCredentialsEndpoint ?? "https://iamcredentials.googleapis.com";
  return {
    type: "external_account",
    audience: props.audience,
    subject_token_type: AWS_SUBJECT_TOKEN_TYPE,
    token_url: props.tokenUrl ?? STS_TOKEN_URL,
    ...(props.serviceAccountEmail
      ? {
          service_account_impersonation_url: `${iam}/v1/projects/-/serviceAccounts/${props.serviceAccountEmail}:generateAccessToken`,
          service_account_impersonation: { token_lifetime_seconds: TOKEN_LIFETIME_SECONDS },
        }
      : {}),
    credential_source: {
      environment_id: "aws1",
      regional_cred_verification_url: regionalCredVerificationUrl(props.awsPartition),
    },
    universe_domain: "googleapis.com",
  };
}

/** The config as the one-line JSON string the Lambda reads from its environment. */
export function externalAccountConfigJson(props: CredentialConfigProps): string {
  return JSON.stringify(externalAccountConfig(props));
}

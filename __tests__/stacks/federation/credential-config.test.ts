import {
  externalAccountConfig,
  externalAccountConfigJson,
} from "../../../stacks/federation/credential-config";
import type { AwsPartition } from "../../../stacks/federation/partition";

const audience =
  "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool/providers/aws";

describe("external_account credential config (AIP-4117)", () => {
  it("has every required field for an AWS source", () => {
    const config = externalAccountConfig({
      audience,
      awsPartition: "aws",
      serviceAccountEmail: "sa@p.iam.gserviceaccount.com",
    });
    expect(config).toEqual({
      type: "external_account",
      audience,
      subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url:
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken",
      service_account_impersonation: { token_lifetime_seconds: 3600 },
      credential_source: {
        environment_id: "aws1",
        regional_cred_verification_url:
          "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
      },
      universe_domain: "googleapis.com",
    });
  });

  it("verifies the caller at the AWS STS host of the Lambda's partition", () => {
    const url = (awsPartition: AwsPartition) =>
      externalAccountConfig({ audience, awsPartition }).credential_source
        .regional_cred_verification_url;
    expect(url("aws")).toBe(
      "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    );
    expect(url("aws-us-gov")).toBe(
      "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    );
    expect(url("aws-cn")).toBe(
      "https://sts.{region}.amazonaws.com.cn?Action=GetCallerIdentity&Version=2011-06-15",
    );
  });

  it("names no metadata-service URL (Lambda has none)", () => {
    const source = externalAccountConfig({ audience, awsPartition: "aws" })
      .credential_source as Record<string, unknown>;
    expect(Object.keys(source).sort()).toEqual([
      "environment_id",
      "regional_cred_verification_url",
    ]);
    expect(externalAccountConfigJson({ audience, awsPartition: "aws" })).not.toMatch(
      /169\.254|region_url|imdsv2|"url"/,
    );
  });

  it("omits impersonation for direct resource access", () => {
    const config = externalAccountConfig({ audience, awsPartition: "aws" });
    expect(config.service_account_impersonation_url).toBeUndefined();
    expect(config.service_account_impersonation).toBeUndefined();
  });

  it("lets tests point the token and IAM endpoints elsewhere", () => {
    const config = externalAccountConfig({
      audience,
      awsPartition: "aws",
      serviceAccountEmail: "sa@p.iam.gserviceaccount.com",
      tokenUrl: "http://127.0.0.1:1234/v1/token",
      iamCredentialsEndpoint: "http://127.0.0.1:1235",
    });
    expect(config.token_url).toBe("http://127.0.0.1:1234/v1/token");
    expect(config.service_account_impersonation_url).toMatch(
      /^http:\/\/127\.0\.0\.1:1235\/v1\/projects\/-\//,
    );
  });

  it("is one line of JSON that round-trips", () => {
    const json = externalAccountConfigJson({ audience, awsPartition: "aws" });
    expect(json).not.toContain("\n");
    expect(JSON.parse(json)).toEqual(externalAccountConfig({ audience, awsPartition: "aws" }));
  });
});

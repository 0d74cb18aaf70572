import {
  assumedRoleArn,
  awsAttributeCondition,
  awsAttributeMapping,
  googleSubject,
} from "../../../stacks/federation/attribute-mapping";
import {
  awsRolePrincipalSet,
  bigQueryDatasetMember,
  providerAudience,
} from "../../../stacks/federation/principals";

describe("attribute mapping and condition", () => {
  it("builds the assumed-role ARN and the subject a Lambda presents", () => {
    expect(assumedRoleArn("aws", "111122223333", "r")).toBe(
      "arn:aws:sts::111122223333:assumed-role/r",
    );
    expect(googleSubject("aws", "111122223333", "r", "f")).toBe(
      "arn:aws:sts::111122223333:assumed-role/r/f",
    );
  });

  it("spells the ARN in the given partition", () => {
    expect(assumedRoleArn("aws-us-gov", "111122223333", "r")).toBe(
      "arn:aws-us-gov:sts::111122223333:assumed-role/r",
    );
    expect(googleSubject("aws-cn", "111122223333", "r", "f")).toBe(
      "arn:aws-cn:sts::111122223333:assumed-role/r/f",
    );
  });

  it("restates Google's default AWS mapping and adds the account", () => {
    expect(awsAttributeMapping()).toMatchObject({
      "google.subject": "assertion.arn",
      "attribute.aws_account": "assertion.account",
    });
    expect(awsAttributeMapping()["attribute.aws_role"]).toContain(
      "assertion.arn.extract('assumed-role/{role_name}/')",
    );
  });

  it("pins account and role by equality", () => {
    expect(awsAttributeCondition("aws", "111122223333", ["r"])).toBe(
      "attribute.aws_account == '111122223333' && attribute.aws_role == 'arn:aws:sts::111122223333:assumed-role/r'",
    );
  });

  it("admits several roles by exact membership, never by prefix", () => {
    expect(awsAttributeCondition("aws", "111122223333", ["a", "b"])).toBe(
      "attribute.aws_account == '111122223333' && attribute.aws_role in " +
        "['arn:aws:sts::111122223333:assumed-role/a', 'arn:aws:sts::111122223333:assumed-role/b']",
    );
  });

  it("refuses an empty role list", () => {
    expect(() => awsAttributeCondition("aws", "111122223333", [])).toThrow(/at least one role/);
  });

  it("escapes quotes so a name cannot inject CEL", () => {
    expect(awsAttributeCondition("aws", "1", ["x' || true || '"])).toContain(
      "assumed-role/x\\' || true || \\''",
    );
  });
});

describe("principals", () => {
  const pool = "projects/123/locations/global/workloadIdentityPools/p";
  it("builds the role principalSet from the pool name", () => {
    expect(awsRolePrincipalSet(pool, "aws", "111122223333", "r")).toBe(
      "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/attribute.aws_role/arn:aws:sts::111122223333:assumed-role/r",
    );
  });
  it("builds the role principalSet in the role's partition", () => {
    expect(awsRolePrincipalSet(pool, "aws-us-gov", "111122223333", "r")).toMatch(
      /\/attribute\.aws_role\/arn:aws-us-gov:sts::111122223333:assumed-role\/r$/,
    );
  });
  it("builds the audience from the provider name", () => {
    expect(providerAudience(`${pool}/providers/a`)).toBe(
      `//iam.googleapis.com/${pool}/providers/a`,
    );
  });
  it("prefixes federated members for BigQuery dataset access, and only those", () => {
    expect(bigQueryDatasetMember("principalSet://x")).toBe("iamMember:principalSet://x");
    expect(bigQueryDatasetMember("serviceAccount:a@b")).toBe("serviceAccount:a@b");
  });
});

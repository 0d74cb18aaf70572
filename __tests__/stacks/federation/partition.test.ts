import fc from "fast-check";
import {
  AWS_PARTITIONS,
  GOOGLE_SUPPORTED_AWS_PARTITIONS,
  assertGoogleSupportedRegion,
  awsArn,
  awsDnsSuffix,
  awsPartitionOf,
  exampleRegionOf,
  findAwsPartition,
  unsupportedRegionReason,
  type AwsPartition,
} from "../../../stacks/federation/partition";
import {
  assumedRoleArn,
  awsAttributeCondition,
  awsAttributeMapping,
} from "../../../stacks/federation/attribute-mapping";
import { evaluateCel } from "../../../emulator/cel";
import { AwsIdentityTable, type CallerIdentity } from "../../../emulator/aws-identities";
import { accountId, functionName, regionOf, roleName } from "./aws-regions";

const REFUSED = AWS_PARTITIONS.filter((p) => !GOOGLE_SUPPORTED_AWS_PARTITIONS.includes(p));

/** What Google STS does with a caller: the default mapping, then the condition. */
function admits(condition: string, caller: CallerIdentity): boolean {
  const assertion = { ...caller };
  const attribute: Record<string, string> = {};
  let subject = "";
  for (const [target, expression] of Object.entries(awsAttributeMapping())) {
    const result = evaluateCel(expression, { assertion });
    if (!result.ok) return false;
    if (target === "google.subject") subject = String(result.value);
    else attribute[target.slice("attribute.".length)] = String(result.value);
  }
  const outcome = evaluateCel(condition, { assertion, google: { subject }, attribute });
  return outcome.ok && outcome.value === true;
}

describe("AWS partitions", () => {
  it.each([
    ["eu-west-1", "aws"],
    ["us-east-1", "aws"],
    ["mx-central-1", "aws"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-gov-east-1", "aws-us-gov"],
    ["cn-north-1", "aws-cn"],
    ["cn-northwest-1", "aws-cn"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-isoe-west-1", "aws-iso-e"],
    ["us-isof-south-1", "aws-iso-f"],
    ["eusc-de-east-1", "aws-eusc"],
  ])("puts %s in the %s partition", (region, partition) => {
    expect(awsPartitionOf(region)).toBe(partition);
  });

  it("places every generated region of every partition in that partition", () => {
    for (const partition of AWS_PARTITIONS) {
      fc.assert(fc.property(regionOf(partition), (region) => awsPartitionOf(region) === partition));
    }
  });

  it("refuses to guess the partition of a region no partition has", () => {
    for (const region of ["xx-east-1", "europe", "gov-west-1", "us-gov-1", ""]) {
      expect(findAwsPartition(region)).toBeUndefined();
      expect(() => awsPartitionOf(region)).toThrow(/not a region of any AWS partition/);
    }
  });

  it("uses amazonaws.com.cn in China and amazonaws.com in the commercial and GovCloud partitions", () => {
    expect(awsDnsSuffix("aws")).toBe("amazonaws.com");
    expect(awsDnsSuffix("aws-us-gov")).toBe("amazonaws.com");
    expect(awsDnsSuffix("aws-cn")).toBe("amazonaws.com.cn");
  });

  it("spells ARNs with the partition, and global services without a region", () => {
    expect(
      awsArn({
        partition: "aws-cn",
        service: "lambda",
        region: "cn-north-1",
        account: "1",
        resource: "function:f",
      }),
    ).toBe("arn:aws-cn:lambda:cn-north-1:1:function:f");
    expect(
      awsArn({ partition: "aws-us-gov", service: "iam", account: "1", resource: "role/r" }),
    ).toBe("arn:aws-us-gov:iam::1:role/r");
  });

  describe("which partitions the stack accepts", () => {
    it("accepts only the commercial partition, the one Google documents for AWS providers", () => {
      expect(GOOGLE_SUPPORTED_AWS_PARTITIONS).toEqual(["aws"]);
      fc.assert(
        fc.property(regionOf("aws"), (region) => unsupportedRegionReason(region) === undefined),
      );
    });

    it("refuses every region of every other partition, naming the region, the partition and the fix", () => {
      for (const partition of REFUSED) {
        fc.assert(
          fc.property(regionOf(partition), (region) => {
            const reason = unsupportedRegionReason(region) ?? "";
            expect(reason).toContain(`region "${region}" is in the AWS partition ${partition}`);
            expect(reason).toContain(`arn:${partition}:`);
            expect(reason).toContain(`sts.${region}.${awsDnsSuffix(partition)}`);
            expect(reason).toContain('Deploy it in a region of aws (e.g. "eu-west-1")');
            expect(() => assertGoogleSupportedRegion(region, "config/x.json aws.region")).toThrow(
              /^config\/x\.json aws\.region: region/,
            );
          }),
        );
      }
    });

    it("refuses a region of no known partition with the same fix", () => {
      expect(unsupportedRegionReason("zz-east-1")).toMatch(
        /region "zz-east-1" belongs to no AWS partition known to stacks\/federation\/partition\.ts; use a region of aws/,
      );
    });

    it("has an example region in each partition", () => {
      for (const p of AWS_PARTITIONS) expect(awsPartitionOf(exampleRegionOf(p))).toBe(p);
    });
  });

  // The derivation holds for every partition, supported or not, so admitting one later is a
  // one-line change to GOOGLE_SUPPORTED_AWS_PARTITIONS and never a lockout.
  describe("the condition derived for a partition", () => {
    const identities = new AwsIdentityTable();
    const partition = fc.constantFrom(...AWS_PARTITIONS);

    it("admits the Lambda's real session in that partition and the same role in no other", () => {
      fc.assert(
        fc.property(partition, accountId, roleName, functionName, (p, account, role, fn) => {
          const condition = awsAttributeCondition(p, account, [role]);
          for (const other of AWS_PARTITIONS) {
            const session = identities.addAssumedRole({
              account,
              roleName: role,
              sessionName: fn,
              partition: other,
            });
            expect(admits(condition, session.caller)).toBe(other === p);
          }
        }),
      );
    });

    it("maps the session to the very assumed-role ARN the stack pins (attribute.aws_role)", () => {
      fc.assert(
        fc.property(partition, accountId, roleName, functionName, (p: AwsPartition, a, r, f) => {
          const caller = identities.addAssumedRole({
            account: a,
            roleName: r,
            sessionName: f,
            partition: p,
          }).caller;
          const mapped = evaluateCel(awsAttributeMapping()["attribute.aws_role"], {
            assertion: { ...caller },
          });
          expect(mapped).toEqual({ ok: true, value: assumedRoleArn(p, a, r) });
        }),
      );
    });
  });
});

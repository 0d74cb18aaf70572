/**
 * The day Google documents another partition, admitting it is one line in partition.ts. This
 * file takes that line as given (every partition supported) and proves the rest of the stack
 * already spells every ARN and the STS host in the region's partition, and that the Lambda of
 * each partition passes its own condition: no `arn:aws:` hides anywhere.
 */
import fc from "fast-check";
import type * as PartitionModule from "../../stacks/federation/partition";

jest.mock("../../stacks/federation/partition", () => {
  const actual = jest.requireActual<typeof PartitionModule>("../../stacks/federation/partition");
  return {
    ...actual,
    GOOGLE_SUPPORTED_AWS_PARTITIONS: actual.AWS_PARTITIONS,
    isGoogleSupportedAwsPartition: () => true,
    unsupportedRegionReason: (region: string) =>
      actual.findAwsPartition(region) ? undefined : actual.unsupportedRegionReason(region),
    assertGoogleSupportedRegion: (region: string) => actual.awsPartitionOf(region),
  };
});

import { AWS_PARTITIONS, awsDnsSuffix, awsPartitionOf } from "../../stacks/federation/partition";
import { LAMBDA_ENV } from "../../stacks/federation/lambda-environment";
import { evaluateCel } from "../../emulator/cel";
import { AwsIdentityTable } from "../../emulator/aws-identities";
import { exampleConfig, only, synthJson, type Json } from "../helpers/synth";
import { accountId, functionName, regionOf, roleName } from "./federation/aws-regions";

function stringsIn(value: Json): string[] {
  if (typeof value === "string") {
    try {
      return /^\s*[{[]/.test(value) ? [value, ...stringsIn(JSON.parse(value))] : [value];
    } catch {
      return [value];
    }
  }
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

const identities = new AwsIdentityTable();

describe("partitions, if Google supported them all", () => {
  it("spells every ARN and the STS host in the region's partition, and admits that partition's Lambda only", () => {
    const anyRegion = fc.constantFrom(...AWS_PARTITIONS).chain(regionOf);
    fc.assert(
      fc.property(anyRegion, accountId, roleName, functionName, (region, account, role, fn) => {
        const partition = awsPartitionOf(region);
        const tf = synthJson(
          exampleConfig({
            aws: { accountId: account, region },
            lambda: { functionName: fn, roleName: role },
          }),
        );
        const arns = stringsIn(tf).flatMap((s) =>
          [...s.matchAll(/arn:([^:'"\s]*):[a-z0-9-]+:/g)].map((m) => m[1]),
        );
        expect(arns.length).toBeGreaterThanOrEqual(3);
        expect(new Set(arns)).toEqual(new Set([partition]));

        const env = only(tf, "aws_lambda_function").environment.variables;
        expect(
          JSON.parse(env[LAMBDA_ENV.credentialConfig]).credential_source
            .regional_cred_verification_url,
        ).toBe(
          `https://sts.{region}.${awsDnsSuffix(partition)}?Action=GetCallerIdentity&Version=2011-06-15`,
        );

        const provider = only(tf, "google_iam_workload_identity_pool_provider");
        const admitted = (p: PartitionModule.AwsPartition) => {
          const caller = identities.addAssumedRole({
            account,
            roleName: role,
            sessionName: fn,
            partition: p,
          }).caller;
          const attribute: Record<string, string> = {};
          for (const [target, expression] of Object.entries(
            provider.attribute_mapping as Record<string, string>,
          )) {
            const r = evaluateCel(expression, { assertion: { ...caller } });
            if (r.ok) attribute[target.replace(/^(attribute|google)\./, "")] = String(r.value);
          }
          const outcome = evaluateCel(provider.attribute_condition, {
            assertion: { ...caller },
            google: { subject: attribute.subject },
            attribute,
          });
          return outcome.ok && outcome.value === true;
        };
        for (const p of AWS_PARTITIONS) expect(admitted(p)).toBe(p === partition);
        expect(env[LAMBDA_ENV.expectedRoleArn]).toBe(
          `arn:${partition}:sts::${account}:assumed-role/${role}`,
        );
      }),
      { numRuns: 16 },
    );
  });
});

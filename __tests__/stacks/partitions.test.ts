/**
 * The synthesized stack, for random regions, accounts, role and function names: every ARN it
 * writes is in the region's partition, and its own Lambda passes the condition it writes.
 */
import fc from "fast-check";
import {
  AWS_PARTITIONS,
  GOOGLE_SUPPORTED_AWS_PARTITIONS,
  awsDnsSuffix,
  awsPartitionOf,
} from "../../stacks/federation/partition";
import { LAMBDA_ENV } from "../../stacks/federation/lambda-environment";
import { ConfigError, parseConfig } from "../../stacks/config";
import { BridgeStack } from "../../stacks/bridge-stack";
import { Testing } from "cdktf";
import { evaluateCel } from "../../emulator/cel";
import { AwsIdentityTable, type CallerIdentity } from "../../emulator/aws-identities";
import { AppliedStack } from "../../emulator/fake-apply";
import { memberMatches, type Principal } from "../../emulator/iam";
import {
  exampleConfig,
  merge,
  only,
  readExampleRaw,
  sharedSynthJson,
  type Json,
} from "../helpers/synth";
import { accountId, functionName, regionOf, roleName } from "./federation/aws-regions";

/** Every string anywhere in the JSON, embedded JSON (the policies, the credential config) included. */
function stringsIn(value: Json): string[] {
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        return [value, ...stringsIn(JSON.parse(value))];
      } catch {
        return [value];
      }
    }
    return [value];
  }
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The partition field of every ARN literal in the text (`arn:PARTITION:service:`). */
function arnPartitionsIn(text: string): string[] {
  return [...text.matchAll(/arn:([^:'"\s]*):[a-z0-9-]+:/g)].map((m) => m[1]);
}

/** Google STS on the applied provider: mapping, condition; the principal it would issue. */
type FederatedPrincipal = Extract<Principal, { kind: "federated" }>;

function exchange(applied: AppliedStack, caller: CallerIdentity): FederatedPrincipal | undefined {
  const provider = applied.only("google_iam_workload_identity_pool_provider").values;
  const assertion = { ...caller };
  const attributes: Record<string, string> = {};
  let subject = "";
  for (const [target, expression] of Object.entries(
    provider.attribute_mapping as Record<string, string>,
  )) {
    const result = evaluateCel(expression, { assertion });
    if (!result.ok) return undefined;
    if (target === "google.subject") subject = String(result.value);
    else attributes[target.slice("attribute.".length)] = String(result.value);
  }
  const outcome = evaluateCel(provider.attribute_condition, {
    assertion,
    google: { subject },
    attribute: attributes,
  });
  if (!outcome.ok || outcome.value !== true) return undefined;
  if ([provider.aws].flat()[0].account_id !== caller.account) return undefined;
  const poolName = applied.only("google_iam_workload_identity_pool").values.name;
  return { kind: "federated", poolName, subject, attributes };
}

const identities = new AwsIdentityTable();
const supported = fc.constantFrom(...GOOGLE_SUPPORTED_AWS_PARTITIONS).chain(regionOf);

describe("partitions in the synthesized stack", () => {
  it("spells every ARN in the region's partition, and its Lambda passes its own condition and grant", () => {
    fc.assert(
      fc.property(supported, accountId, roleName, functionName, (region, account, role, fn) => {
        const partition = awsPartitionOf(region);
        const config = exampleConfig({
          aws: { accountId: account, region },
          lambda: { functionName: fn, roleName: role },
        });
        const tf = sharedSynthJson(config);

        const arns = stringsIn(tf).flatMap(arnPartitionsIn);
        // The condition, the principalSet and the Lambda's expected role ARN at least.
        expect(arns.length).toBeGreaterThanOrEqual(3);
        expect(new Set(arns)).toEqual(new Set([partition]));

        const lambda = only(tf, "aws_lambda_function");
        const env = lambda.environment.variables;
        const credentialConfig = JSON.parse(env[LAMBDA_ENV.credentialConfig]);
        expect(credentialConfig.credential_source.regional_cred_verification_url).toBe(
          `https://sts.{region}.${awsDnsSuffix(partition)}?Action=GetCallerIdentity&Version=2011-06-15`,
        );
        expect(lambda.function_name).toBe(fn);

        // The session AWS would hand this function, as Google STS and IAM would judge it.
        const applied = new AppliedStack(tf, ".");
        const session = identities.addAssumedRole({
          account,
          roleName: role,
          sessionName: fn,
          partition,
        });
        const principal = exchange(applied, session.caller);
        expect(principal).toBeDefined();
        expect(principal!.attributes.aws_role).toBe(env[LAMBDA_ENV.expectedRoleArn]);
        const grant = applied
          .resourcesOf("google_service_account_iam_member")
          .find((m) => m.values.role === "roles/iam.workloadIdentityUser");
        expect(memberMatches(grant!.values.member, principal!)).toBe(true);

        // The same role and function from any other partition gets nothing.
        for (const other of AWS_PARTITIONS.filter((p) => p !== partition)) {
          const lookAlike = identities.addAssumedRole({
            account,
            roleName: role,
            sessionName: fn,
            partition: other,
          });
          expect(exchange(applied, lookAlike.caller)).toBeUndefined();
        }
      }),
      { numRuns: 12 },
    );
  });

  it("refuses, at config load, every region of a partition Google does not document", () => {
    const refused = fc
      .constantFrom(...AWS_PARTITIONS.filter((p) => !GOOGLE_SUPPORTED_AWS_PARTITIONS.includes(p)))
      .chain(regionOf);
    fc.assert(
      fc.property(refused, (region) => {
        const partition = awsPartitionOf(region);
        let error: unknown;
        try {
          parseConfig(merge(readExampleRaw(), { aws: { region } }), "config/gov.json");
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const { problems, message } = error as ConfigError;
        expect(problems).toHaveLength(1);
        expect(problems[0].field).toBe("aws.region");
        expect(problems[0].value).toBe(region);
        expect(message).toContain("config/gov.json is invalid");
        expect(message).toContain(`aws.region: got "${region}";`);
        expect(message).toContain(`is in the AWS partition ${partition}`);
        expect(message).toContain("Deploy it in a region of aws");
      }),
      { numRuns: 40 },
    );
  });

  it("refuses GovCloud and China by name, as a user would write them", () => {
    for (const [region, partition, sts] of [
      ["us-gov-west-1", "aws-us-gov", "sts.us-gov-west-1.amazonaws.com"],
      ["cn-north-1", "aws-cn", "sts.cn-north-1.amazonaws.com.cn"],
    ]) {
      expect(() =>
        parseConfig(merge(readExampleRaw(), { aws: { region } }), "config/dev.json"),
      ).toThrow(
        `config/dev.json is invalid (1 problem):\n  - aws.region: got "${region}"; region "${region}" is in the AWS partition ${partition}, which Google's workload identity federation does not document as supported for AWS providers (its roles are arn:${partition}:..., its STS ${sts}); the Lambda could never obtain a Google token. Deploy it in a region of aws (e.g. "eu-west-1"), or see docs/aws-partitions.md`,
      );
    }
  });

  it("refuses a hand-built config in an unsupported partition at construction, before any synth", () => {
    const config = exampleConfig();
    const govConfig = { ...config, aws: { ...config.aws, region: "us-gov-west-1" } };
    expect(() => new BridgeStack(Testing.app(), "gov", { config: govConfig })).toThrow(
      /^config\/example\.json aws\.region: region "us-gov-west-1" is in the AWS partition aws-us-gov/,
    );
  });
});

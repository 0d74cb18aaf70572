import fc from "fast-check";
import { lambdaTrustPolicy } from "../../stacks/aws/execution-role";
import { all, exampleConfig, only, sharedSynthJson, type Json } from "../helpers/synth";
import { accountId, functionName, roleName } from "./federation/aws-regions";

const ACCOUNT = "111122223333";

describe("LambdaExecutionRole trust policy", () => {
  const tf = sharedSynthJson(exampleConfig());
  const trust = JSON.parse(only(tf, "aws_iam_role").assume_role_policy);

  it("has exactly one statement: Allow lambda.amazonaws.com to sts:AssumeRole for this account", () => {
    expect(trust).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        },
      ],
    });
  });

  it("admits no AWS principal, no federated principal and no other service", () => {
    for (const statement of trust.Statement as Json[]) {
      expect(Object.keys(statement.Principal)).toEqual(["Service"]);
      expect([statement.Principal.Service].flat()).toEqual(["lambda.amazonaws.com"]);
      expect(statement.NotPrincipal).toBeUndefined();
      expect(statement.NotAction).toBeUndefined();
    }
  });

  it("lets Lambda assume the role only when it acts for the configured account", () => {
    fc.assert(
      fc.property(accountId, (account) => {
        const policy = lambdaTrustPolicy(account);
        expect(policy.Statement.map((s) => s.Condition)).toEqual([
          { StringEquals: { "aws:SourceAccount": account } },
        ]);
      }),
    );
  });

  // Lambda does not document aws:SourceArn for execution-role assumption, and assumes the role
  // outside invocations too (SQS polling, CreateFunction); see the comment on lambdaTrustPolicy.
  it("does not require aws:SourceArn, which could lock the function out of its own queue", () => {
    expect(JSON.stringify(trust)).not.toContain("SourceArn");
  });

  it("is the role of the one function, and the config's names flow through to both", () => {
    fc.assert(
      fc.property(accountId, roleName, functionName, (account, role, fn) => {
        const custom = sharedSynthJson(
          exampleConfig({
            aws: { accountId: account },
            lambda: { functionName: fn, roleName: role },
          }),
        );
        const iamRole = only(custom, "aws_iam_role");
        expect(iamRole.name).toBe(role);
        expect(JSON.parse(iamRole.assume_role_policy).Statement[0].Condition).toEqual({
          StringEquals: { "aws:SourceAccount": account },
        });
        const functions = all(custom, "aws_lambda_function");
        expect(functions).toHaveLength(1);
        expect(functions[0].function_name).toBe(fn);
        const [roleKey] = Object.keys(custom.resource.aws_iam_role);
        expect(functions[0].role).toBe(`\${aws_iam_role.${roleKey}.arn}`);
        expect(only(custom, "aws_cloudwatch_log_group").name).toBe(`/aws/lambda/${fn}`);
      }),
      { numRuns: 8 },
    );
  });
});

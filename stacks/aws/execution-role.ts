/**
 * The Lambda's IAM execution role. Only the Lambda service, acting for this account, may
 * assume it (one statement: Service lambda.amazonaws.com, sts:AssumeRole, aws:SourceAccount),
 * and each capability is its own small inline policy (one `grant*` call each), so a plan
 * review reads as a list of what the function may do.
 */
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";

export interface LambdaExecutionRoleProps {
  readonly roleName: string;
  /** The account whose Lambda service may assume the role (aws:SourceAccount). */
  readonly accountId: string;
  /** @default none */
  readonly description?: string;
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string[];
}

/**
 * Lambda, acting for `accountId`, is the only principal that may assume the role: no AWS
 * principal, no other service, no Lambda acting for another account.
 *
 * aws:SourceArn (the function's ARN) is deliberately not required. Lambda's documentation
 * asks only for the lambda.amazonaws.com principal in an execution role's trust policy, and
 * nowhere states that aws:SourceArn is in the request context when Lambda assumes the role;
 * Lambda also assumes it outside any invocation (polling the SQS event source mapping,
 * decrypting environment variables, validating the role at CreateFunction), where the key's
 * value, if any, is not documented either. A StringEquals on a key that is absent is false,
 * so requiring it could lock the function out of its own queue. Another function of the same
 * account could only run as this role through iam:PassRole, which no grant of this stack
 * gives; the trust model flags any second function that runs as it. See docs/aws-partitions.md.
 */
export function lambdaTrustPolicy(accountId: string): {
  Version: "2012-10-17";
  Statement: Array<{
    Effect: "Allow";
    Principal: { Service: "lambda.amazonaws.com" };
    Action: "sts:AssumeRole";
    Condition: { StringEquals: { "aws:SourceAccount": string } };
  }>;
} {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

export class LambdaExecutionRole extends Construct {
  readonly role: IamRole;
  readonly roleName: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: LambdaExecutionRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: JSON.stringify(lambdaTrustPolicy(props.accountId)),
    });
    this.roleName = props.roleName;
    this.roleArn = this.role.arn;
  }

  /** Adds one inline policy named `name` holding exactly `statements`. */
  addInlinePolicy(name: string, statements: PolicyStatement[]): IamRolePolicy {
    return new IamRolePolicy(this, `policy-${name}`, {
      name,
      role: this.role.id,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    });
  }

  /** Create streams and put events in one log group, and nothing else in CloudWatch Logs. */
  grantWriteLogs(logGroupArn: string): IamRolePolicy {
    return this.addInlinePolicy("write-own-logs", [
      {
        Sid: "WriteOwnLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${logGroupArn}:*`],
      },
    ]);
  }
}

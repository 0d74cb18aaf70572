/**
 * The Lambda's IAM execution role. Only lambda.amazonaws.com of this account may assume it,
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

export class LambdaExecutionRole extends Construct {
  readonly role: IamRole;
  readonly roleName: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: LambdaExecutionRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
          },
        ],
      }),
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

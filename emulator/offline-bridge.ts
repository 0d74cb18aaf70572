/**
 * One environment run offline end to end: the synthesized stack applied with fake computed
 * values, the Google emulator enforcing it, the Lambda's code unzipped from its asset, and
 * Lambda containers started as any AWS identity (the configured role, or an impostor).
 */
import { AwsIdentityTable, type AwsIdentity } from "./aws-identities";
import { AppliedStack, type FakeApplyOptions } from "./fake-apply";
import { GoogleEmulator } from "./google-emulator";
import { destinationRows } from "./offline-platform";
import { LambdaContainer } from "./lambda-container";
import { lambdaDeployment, unpackLambdaAsset, type LambdaDeployment } from "./lambda-deployment";
import { sqsEvent, type SqsEvent } from "./sqs-events";
import type { StoredRow } from "./bigquery-endpoint";
import type { SigningCredentials } from "./sigv4";
import { awsPartitionOf } from "../stacks/federation/partition";

export interface OfflineBridgeProps extends FakeApplyOptions {
  /** The synthesized cdk.tf.json. */
  readonly stackFile: string;
  /** An already unzipped asset to reuse. @default unzip the function's asset */
  readonly taskDir?: string;
}

export interface ContainerOptions {
  /** Present this audience instead of the synthesized one. @default as synthesized */
  readonly audience?: string;
  /** @default the function's timeout */
  readonly timeoutMs?: number;
}

export class OfflineBridge {
  readonly containers: LambdaContainer[] = [];

  private constructor(
    readonly stack: AppliedStack,
    readonly emulator: GoogleEmulator,
    readonly identities: AwsIdentityTable,
    readonly deployment: LambdaDeployment,
    readonly taskDir: string,
  ) {}

  static async start(props: OfflineBridgeProps): Promise<OfflineBridge> {
    const stack = AppliedStack.fromFile(props.stackFile, props);
    const identities = new AwsIdentityTable();
    const emulator = new GoogleEmulator({ stack, identities });
    const url = await emulator.start();
    const deployment = lambdaDeployment(stack, { googleEndpoint: url });
    const taskDir = props.taskDir ?? unpackLambdaAsset(deployment.assetZip);
    return new OfflineBridge(stack, emulator, identities, deployment, taskDir);
  }

  /** A session of the function's own execution role, as Lambda would get (session = function name). */
  configuredRole(): AwsIdentity {
    return this.roleSession({});
  }

  /** A role session; unset fields are the configured function's. */
  roleSession(props: { account?: string; roleName?: string; sessionName?: string }): AwsIdentity {
    return this.identities.addAssumedRole({
      account: props.account ?? this.deployment.awsAccountId,
      roleName: props.roleName ?? this.deployment.roleName,
      sessionName: props.sessionName ?? this.deployment.functionName,
      partition: awsPartitionOf(this.deployment.awsRegion),
    });
  }

  iamUser(userName: string, account = this.deployment.awsAccountId): AwsIdentity {
    return this.identities.addUser(account, userName, awsPartitionOf(this.deployment.awsRegion));
  }

  /** Starts a container running the bundle with these credentials in its environment. */
  async container(
    credentials: SigningCredentials,
    options: ContainerOptions = {},
  ): Promise<LambdaContainer> {
    const deployment =
      options.audience === undefined
        ? this.deployment
        : lambdaDeployment(this.stack, {
            googleEndpoint: this.emulator.url,
            audience: options.audience,
          });
    const container = await LambdaContainer.start({
      deployment,
      taskDir: this.taskDir,
      credentials,
      timeoutMs: options.timeoutMs,
    });
    this.containers.push(container);
    return container;
  }

  /** An SQS batch from the function's region and account. */
  sqsEvent(bodies: readonly unknown[]): SqsEvent {
    return sqsEvent(bodies, {
      region: this.deployment.awsRegion,
      accountId: this.deployment.awsAccountId,
    });
  }

  /** Rows in the function's destination table. */
  rows(): StoredRow[] {
    return destinationRows(this.emulator, this.deployment);
  }

  async stop(): Promise<void> {
    await Promise.all(this.containers.map((c) => c.stop()));
    await this.emulator.stop();
  }
}

/**
 * A whole environment of several pipelines run offline: every stack of the app applied
 * together (cross-stack references and per-account AWS providers resolved), one emulated
 * Google enforcing the union, and each aws_lambda_function deployed as itself (its own
 * environment, role, account and region), ready to run as its own role or as anyone else.
 */
import { AwsIdentityTable, type AwsIdentity } from "./aws-identities";
import type { StoredRow } from "./bigquery-endpoint";
import { AppliedApp, type FakeApplyOptions } from "./fake-apply";
import { GoogleEmulator } from "./google-emulator";
import { LambdaContainer } from "./lambda-container";
import {
  lambdaDeployment,
  lambdaDeployments,
  unpackLambdaAsset,
  type LambdaDeployment,
  type LambdaDeploymentOptions,
} from "./lambda-deployment";
import type { SigningCredentials } from "./sigv4";
import { sqsEvent, type SqsEvent } from "./sqs-events";
import { awsPartitionOf } from "../stacks/federation/partition";
import { LAMBDA_ENV } from "../stacks/federation/lambda-environment";

export interface OfflinePlatformProps extends Omit<FakeApplyOptions, "remoteOutputs"> {
  /** Stack name (its directory under cdktf.out/stacks) -> its cdk.tf.json. */
  readonly stackFiles: Readonly<Record<string, string>>;
  /** Already unzipped assets, by asset zip path. @default unzip each asset once */
  readonly taskDirs?: Readonly<Record<string, string>>;
}

export type DeploymentOverrides = Pick<
  LambdaDeploymentOptions,
  "audience" | "environmentOverrides"
>;

export class OfflinePlatform {
  readonly containers: LambdaContainer[] = [];

  private constructor(
    readonly app: AppliedApp,
    readonly emulator: GoogleEmulator,
    readonly identities: AwsIdentityTable,
    readonly deployments: readonly LambdaDeployment[],
    private readonly taskDirs: Map<string, string>,
  ) {}

  static async start(props: OfflinePlatformProps): Promise<OfflinePlatform> {
    const app = AppliedApp.fromFiles(props.stackFiles, props);
    const identities = new AwsIdentityTable();
    const emulator = new GoogleEmulator({ stack: app, identities });
    const url = await emulator.start();
    const deployments = lambdaDeployments(app, { googleEndpoint: url });
    const taskDirs = new Map(Object.entries(props.taskDirs ?? {}));
    for (const d of deployments) {
      if (!taskDirs.has(d.assetZip)) taskDirs.set(d.assetZip, unpackLambdaAsset(d.assetZip));
    }
    return new OfflinePlatform(app, emulator, identities, deployments, taskDirs);
  }

  /** The deployed function of this name. */
  deployment(functionName: string): LambdaDeployment {
    const found = this.deployments.find((d) => d.functionName === functionName);
    if (!found) {
      throw new Error(
        `no function ${functionName}; the app deploys ${this.deployments.map((d) => d.functionName).join(", ")}`,
      );
    }
    return found;
  }

  /** The function as deployed, with some of its settings replaced (another audience, table...). */
  redeployed(functionName: string, overrides: DeploymentOverrides): LambdaDeployment {
    const d = this.deployment(functionName);
    return lambdaDeployment(this.app, {
      googleEndpoint: this.emulator.url,
      functionAddress: d.address,
      ...overrides,
    });
  }

  /** A session of a function's own execution role in its own account, as Lambda would get. */
  executionRole(functionName: string): AwsIdentity {
    const d = this.deployment(functionName);
    return this.identities.addAssumedRole({
      account: d.awsAccountId,
      roleName: d.roleName,
      sessionName: d.functionName,
      partition: awsPartitionOf(d.awsRegion),
    });
  }

  /** Starts a container of `deployment` running with `credentials` in its environment. */
  async container(
    deployment: LambdaDeployment,
    credentials: SigningCredentials,
    options: { timeoutMs?: number } = {},
  ): Promise<LambdaContainer> {
    const container = await LambdaContainer.start({
      deployment,
      taskDir: this.taskDirs.get(deployment.assetZip)!,
      credentials,
      timeoutMs: options.timeoutMs,
    });
    this.containers.push(container);
    return container;
  }

  /** An SQS batch from the function's own queue (its region and account). */
  sqsEvent(deployment: LambdaDeployment, bodies: readonly unknown[]): SqsEvent {
    return sqsEvent(bodies, { region: deployment.awsRegion, accountId: deployment.awsAccountId });
  }

  /** Rows in the table a deployment writes. */
  rows(deployment: LambdaDeployment): StoredRow[] {
    return destinationRows(this.emulator, deployment);
  }

  async stop(): Promise<void> {
    await Promise.all(this.containers.map((c) => c.stop()));
    await this.emulator.stop();
  }
}

/** Rows in the table a deployment writes (its BQ_* environment). */
export function destinationRows(
  emulator: GoogleEmulator,
  deployment: LambdaDeployment,
): StoredRow[] {
  const env = deployment.environment;
  return emulator.rows(
    env[LAMBDA_ENV.projectId],
    env[LAMBDA_ENV.datasetId],
    env[LAMBDA_ENV.tableId],
  );
}

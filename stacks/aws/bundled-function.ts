/**
 * A Node.js Lambda whose code is lambda/ bundled by esbuild at synth, with its own log group
 * (retention set, JSON log format) and the execution role's permission to write to it.
 */
import * as path from "node:path";
import { Construct } from "constructs";
import { AssetType, TerraformAsset, TerraformStack } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { buildLambdaBundle, PROJECT_ROOT } from "./lambda-bundle";
import type { LambdaExecutionRole } from "./execution-role";

export interface BundledFunctionProps {
  readonly functionName: string;
  readonly role: LambdaExecutionRole;
  /** e.g. "nodejs22.x"; also sets the bundle's esbuild target. */
  readonly runtime: string;
  /** @default "arm64" */
  readonly architecture?: "arm64" | "x86_64";
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  readonly logRetentionDays: number;
  readonly environment: Record<string, string>;
  /** Files placed next to index.js in the archive, name -> content. @default none */
  readonly extraFiles?: Record<string, string>;
  /** Where bundle directories are written. @default .gen/lambda */
  readonly bundleBaseDir?: string;
}

const assetsByStack = new WeakMap<TerraformStack, Map<string, TerraformAsset>>();

export class BundledFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: CloudwatchLogGroup;
  readonly functionName: string;
  readonly functionArn: string;
  /** Content hash of the bundle; also the function's source_code_hash. */
  readonly assetHash: string;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const nodeMajor = Number(/^nodejs(\d+)\.x$/.exec(props.runtime)?.[1]);
    if (!nodeMajor) {
      throw new Error(
        `BundledFunction ${props.functionName}: runtime "${props.runtime}" is not a Node.js runtime like "nodejs22.x"`,
      );
    }
    const bundle = buildLambdaBundle({
      baseDir: props.bundleBaseDir ?? path.join(PROJECT_ROOT, ".gen", "lambda"),
      nodeMajor,
      extraFiles: props.extraFiles,
    });
    // Functions of one stack with the same bundle (pipelines with one schema) share its asset:
    // cdktf archives every asset in a child process, about 0.2 s each.
    const stack = TerraformStack.of(this);
    const shared = assetsByStack.get(stack) ?? new Map<string, TerraformAsset>();
    assetsByStack.set(stack, shared);
    let asset = shared.get(bundle.hash);
    if (!asset) {
      asset = new TerraformAsset(this, "code", {
        path: bundle.dir,
        type: AssetType.ARCHIVE,
        assetHash: bundle.hash,
      });
      shared.set(bundle.hash, asset);
    }
    this.assetHash = bundle.hash;

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
    });
    const logPolicy = props.role.grantWriteLogs(this.logGroup.arn);

    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      role: props.role.roleArn,
      runtime: props.runtime,
      architectures: [props.architecture ?? "arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: asset.assetHash,
      memorySize: props.memoryMb ?? 256,
      timeout: props.timeoutSeconds ?? 60,
      environment: { variables: props.environment },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      // The role must be able to log before the first invocation.
      dependsOn: [this.logGroup, logPolicy],
    });
    this.functionName = props.functionName;
    this.functionArn = this.function.arn;
  }
}

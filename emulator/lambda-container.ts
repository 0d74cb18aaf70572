/**
 * One warm Lambda container: a child process running the unzipped bundle with exactly the
 * deployed environment plus the credentials Lambda injects for the execution role. Events are
 * invoked one at a time, like Lambda; the first invocation is the cold start.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { lambdaCredentialEnvironment } from "./aws-identities";
import type { LambdaDeployment } from "./lambda-deployment";
import type { SigningCredentials } from "./sigv4";
import { awsArn, awsPartitionOf } from "../stacks/federation/partition";

const HOST_SCRIPT = path.join(__dirname, "lambda-host.cjs");

export interface LambdaContainerProps {
  readonly deployment: LambdaDeployment;
  /** Directory with the unzipped asset (index.js, table-schema.json). */
  readonly taskDir: string;
  /** The execution role's credentials, as Lambda puts them in the environment. */
  readonly credentials: SigningCredentials;
  /** @default the function's timeout */
  readonly timeoutMs?: number;
}

export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack: string;
}

export type Invocation =
  | { readonly ok: true; readonly result: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly error: LambdaError; readonly durationMs: number };

interface HostMessage {
  type?: "ready";
  id?: string;
  ok?: boolean;
  result?: unknown;
  error?: LambdaError;
  durationMs?: number;
}

export class LambdaContainer {
  private output = "";
  private readonly pending = new Map<string, (m: HostMessage) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly props: LambdaContainerProps,
  ) {
    child.stdout?.on("data", (d) => (this.output += String(d)));
    child.stderr?.on("data", (d) => (this.output += String(d)));
    child.on("message", (m: HostMessage) => {
      if (m.id) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      }
    });
  }

  /** The function's environment inside the container, as Lambda sets it. */
  static environment(props: LambdaContainerProps): Record<string, string> {
    const d = props.deployment;
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      LAMBDA_TASK_ROOT: props.taskDir,
      AWS_EXECUTION_ENV: `AWS_Lambda_${d.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: d.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(d.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${d.functionName}`,
      ...lambdaCredentialEnvironment(props.credentials, d.awsRegion),
      ...d.environment,
    };
  }

  static async start(props: LambdaContainerProps): Promise<LambdaContainer> {
    const child = fork(HOST_SCRIPT, [props.taskDir, props.deployment.handler], {
      cwd: props.taskDir,
      env: LambdaContainer.environment(props),
      execArgv: [],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const container = new LambdaContainer(child, props);
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) =>
        reject(
          new Error(`the Lambda host exited (${code}) before it was ready:\n${container.output}`),
        ),
      );
    });
    return container;
  }

  /** Everything the function wrote to stdout and stderr so far. */
  get logs(): string {
    return this.output;
  }

  async invoke(event: unknown, options: { timeoutMs?: number } = {}): Promise<Invocation> {
    const timeoutMs =
      options.timeoutMs ?? this.props.timeoutMs ?? this.props.deployment.timeoutSeconds * 1000;
    const id = randomUUID();
    const d = this.props.deployment;
    const reply = new Promise<HostMessage>((resolve) => this.pending.set(id, resolve));
    this.child.send({
      type: "invoke",
      id,
      requestId: randomUUID(),
      timeoutMs,
      invokedFunctionArn: awsArn({
        partition: awsPartitionOf(d.awsRegion),
        service: "lambda",
        region: d.awsRegion,
        account: d.awsAccountId,
        resource: `function:${d.functionName}`,
      }),
      event,
    });
    // Lambda stops an invocation at its timeout; a little grace for the IPC round trip.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HostMessage>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            error: {
              errorType: "Sandbox.Timedout",
              errorMessage: `Task timed out after ${timeoutMs} ms`,
              stack: "",
            },
            durationMs: timeoutMs,
          }),
        timeoutMs + 1000,
      );
    });
    const m = await Promise.race([reply, timedOut]);
    clearTimeout(timer);
    this.pending.delete(id);
    return m.ok
      ? { ok: true, result: m.result, durationMs: m.durationMs ?? 0 }
      : { ok: false, error: m.error!, durationMs: m.durationMs ?? 0 };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill();
    await exited;
  }
}

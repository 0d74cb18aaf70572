/**
 * Shared set-up of the offline end-to-end tests: the example environment (and a direct-mode
 * twin) synthesized once per jest run by the real app (the shared fixture
 * "example-and-direct"), the Lambda asset unzipped once per suite, and batches run through the
 * bundled handler as any AWS identity against a fresh emulator.
 */
import * as fs from "node:fs";
import {
  OfflineBridge,
  unpackLambdaAsset,
  lambdaDeployment,
  AppliedStack,
  type AwsIdentity,
  type ContainerOptions,
  type Invocation,
  type SqsEvent,
} from "../../emulator";
import { sharedApp } from "../helpers/shared-fixtures";

export const EXAMPLE = "example";
/** The example environment with `federation.accessMode: "direct"`. */
export const DIRECT = "example-direct";

export interface SynthesizedEnvironment {
  readonly stackFile: string;
  readonly projectNumber: string;
  readonly taskDir: string;
}

export type Environments = Record<typeof EXAMPLE | typeof DIRECT, SynthesizedEnvironment>;

/**
 * Both environments, from the run's one shared synth (../helpers/shared-fixtures), and one
 * unzip of each Lambda asset for this suite. Call from beforeAll.
 */
export async function synthesizeEnvironments(): Promise<Environments> {
  const app = await sharedApp("example-and-direct");
  const prepare = (env: string) => {
    const stackFile = app.stackFile(env);
    const config: { gcp: { projectNumber?: string } } = app.config(env);
    const projectNumber = config.gcp.projectNumber ?? "123456789012";
    const stack = AppliedStack.fromFile(stackFile, { projectNumber });
    const { assetZip } = lambdaDeployment(stack, { googleEndpoint: "http://127.0.0.1:1" });
    return { stackFile, projectNumber, taskDir: unpackLambdaAsset(assetZip) };
  };
  return { [EXAMPLE]: prepare(EXAMPLE), [DIRECT]: prepare(DIRECT) };
}

const bridges: OfflineBridge[] = [];

/** A fresh emulator for one scenario (stopped by stopBridges in afterEach). */
export async function startBridge(
  env: SynthesizedEnvironment,
  options: { withoutResources?: string[] } = {},
): Promise<OfflineBridge> {
  const bridge = await OfflineBridge.start({
    stackFile: env.stackFile,
    projectNumber: env.projectNumber,
    taskDir: env.taskDir,
    withoutResources: options.withoutResources,
  });
  bridges.push(bridge);
  return bridge;
}

export async function stopBridges(): Promise<void> {
  await Promise.all(bridges.splice(0).map((b) => b.stop()));
}

/** A record the example table accepts. */
export function exampleRecord(id: string): Record<string, unknown> {
  return {
    event_id: id,
    event_time: "2026-01-15T10:00:00Z",
    source: "e2e",
    amount: "12.50",
    tags: ["a", "b"],
    attributes: { key: "k", value: "v" },
  };
}

export interface BatchRun {
  readonly event: SqsEvent;
  readonly invocation: Invocation;
  /** Message ids SQS would redeliver: batchItemFailures, or every message when the invocation failed. */
  readonly failedMessageIds: string[];
  readonly logs: string;
}

export function failedMessageIds(event: SqsEvent, invocation: Invocation): string[] {
  if (!invocation.ok) return event.Records.map((r) => r.messageId);
  const result = invocation.result as { batchItemFailures?: { itemIdentifier: string }[] };
  if (!Array.isArray(result?.batchItemFailures)) {
    throw new Error(`the handler did not answer an SQS batch response: ${JSON.stringify(result)}`);
  }
  return result.batchItemFailures.map((f) => f.itemIdentifier);
}

/** Starts a container as `identity` and runs one batch of `count` messages through it. */
export async function runBatch(
  bridge: OfflineBridge,
  identity: AwsIdentity,
  count: number,
  options: ContainerOptions = {},
): Promise<BatchRun> {
  const container = await bridge.container(identity, options);
  const event = bridge.sqsEvent(Array.from({ length: count }, (_, i) => exampleRecord(`m${i}`)));
  const invocation = await container.invoke(event);
  return {
    event,
    invocation,
    failedMessageIds: failedMessageIds(event, invocation),
    logs: container.logs,
  };
}

/** Addresses (`type.name`) of the stack's resources of one type, as synthesized. */
export function addressesOf(env: SynthesizedEnvironment, type: string): string[] {
  const tf = JSON.parse(fs.readFileSync(env.stackFile, "utf8"));
  return Object.keys(tf.resource?.[type] ?? {}).map((name) => `${type}.${name}`);
}

export const messageIds = (event: SqsEvent) => event.Records.map((r) => r.messageId);

/** The STS decision of a scenario (there is exactly one token exchange per cold start). */
export function stsDecision(bridge: OfflineBridge) {
  const sts = bridge.emulator.decisions.filter((d) => d.endpoint === "sts.token");
  if (sts.length === 0) throw new Error("the Lambda never called STS");
  return sts[sts.length - 1];
}

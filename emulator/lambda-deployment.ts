/**
 * The Lambda as the applied stack deploys it: its resolved environment with Google's endpoints
 * pointed at the emulator (token_url, service_account_impersonation_url, BIGQUERY_ENDPOINT,
 * STORAGE_ENDPOINT), its settings, and its code unzipped from the synthesized asset.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { LAMBDA_ENV } from "../stacks/federation/lambda-environment";
import { AppliedApp, type AppliedResource, type AppliedStack } from "./fake-apply";

export interface LambdaDeployment {
  /** `aws_lambda_function.NAME` in the synthesized JSON. */
  readonly address: string;
  readonly functionName: string;
  /** `index.handler` -> file index.js, export handler. */
  readonly handler: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** The asset zip, absolute. */
  readonly assetZip: string;
  /** The function's environment as deployed, endpoints pointed at the emulator. */
  readonly environment: Record<string, string>;
  /** The AWS account and region the function runs in. */
  readonly awsAccountId: string;
  readonly awsRegion: string;
  /** The role name of the function's execution role (aws_iam_role.name). */
  readonly roleName: string;
}

export interface LambdaDeploymentOptions {
  /** Base URL of the emulator (`http://127.0.0.1:PORT`). */
  readonly googleEndpoint: string;
  /** Replaces the credential config's audience (e.g. to test a wrong one). @default as synthesized */
  readonly audience?: string;
  /** `type.name` of the function when the stack has several. @default the only one */
  readonly functionAddress?: string;
  /**
   * Environment variables set over the deployed ones (after the endpoints are pointed at the
   * emulator), e.g. another pipeline's table to try to write it. @default none
   */
  readonly environmentOverrides?: Readonly<Record<string, string>>;
}

function lambdaResource(stack: AppliedStack | AppliedApp, address?: string): AppliedResource {
  const functions = stack.resourcesOf("aws_lambda_function");
  if (!address) {
    if (functions.length !== 1) {
      throw new Error(
        `the stack has ${functions.length} aws_lambda_function resources; name one with functionAddress`,
      );
    }
    return functions[0];
  }
  const found = functions.find((r) => r.address === address);
  if (!found) throw new Error(`the stack has no ${address}`);
  return found;
}

/** Rewrites a URL's scheme, host and port to the emulator's, keeping path and query. */
function retarget(url: string, base: string): string {
  const from = new URL(url);
  const to = new URL(base);
  return `${to.origin}${from.pathname}${from.search}`;
}

/** Every function of the stack (or of every stack of the app), each deployed as itself. */
export function lambdaDeployments(
  stack: AppliedStack | AppliedApp,
  options: Omit<LambdaDeploymentOptions, "functionAddress">,
): LambdaDeployment[] {
  return stack
    .resourcesOf("aws_lambda_function")
    .map((fn) => lambdaDeployment(stack, { ...options, functionAddress: fn.address }));
}

export function lambdaDeployment(
  stack: AppliedStack | AppliedApp,
  options: LambdaDeploymentOptions,
): LambdaDeployment {
  const fn = lambdaResource(stack, options.functionAddress);
  const variables: Record<string, string> = { ...(fn.values.environment?.variables ?? {}) };
  const credentialJson = variables[LAMBDA_ENV.credentialConfig];
  if (!credentialJson) {
    throw new Error(`${fn.address} has no ${LAMBDA_ENV.credentialConfig} environment variable`);
  }
  const credential = JSON.parse(credentialJson);
  credential.token_url = retarget(credential.token_url, options.googleEndpoint);
  if (credential.service_account_impersonation_url) {
    credential.service_account_impersonation_url = retarget(
      credential.service_account_impersonation_url,
      options.googleEndpoint,
    );
  }
  if (options.audience !== undefined) credential.audience = options.audience;
  variables[LAMBDA_ENV.credentialConfig] = JSON.stringify(credential);
  variables[LAMBDA_ENV.bigqueryEndpoint] = options.googleEndpoint;
  variables[LAMBDA_ENV.storageEndpoint] = options.googleEndpoint;
  Object.assign(variables, options.environmentOverrides);

  const role = stack
    .resourcesOf("aws_iam_role")
    .find((r) => r.values.arn === fn.values.role || r.values.name === fn.values.role);
  const stackDir =
    stack instanceof AppliedApp ? stack.stackOf(fn.address).stackDir : stack.stackDir;
  return {
    address: fn.address,
    functionName: fn.values.function_name,
    handler: fn.values.handler ?? "index.handler",
    runtime: fn.values.runtime,
    memoryMb: fn.values.memory_size ?? 128,
    timeoutSeconds: fn.values.timeout ?? 3,
    assetZip: path.resolve(stackDir, fn.values.filename),
    environment: variables,
    awsAccountId: fn.awsAccountId,
    awsRegion: fn.awsRegion,
    roleName: role?.values.name ?? String(fn.values.role).split("/").pop(),
  };
}

/** Unzips the function's asset into a new temporary directory (Lambda's /var/task). */
export function unpackLambdaAsset(assetZip: string, into?: string): string {
  const dir = into ?? fs.mkdtempSync(path.join(os.tmpdir(), "wif-bridge-task-"));
  const files = unzipSync(fs.readFileSync(assetZip));
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith("/")) continue;
    const target = path.join(dir, name);
    if (!target.startsWith(dir + path.sep))
      throw new Error(`zip entry ${name} escapes the task directory`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return dir;
}

/**
 * The Lambda's side of the exchange: the external_account credential config in its
 * environment names the AWS STS host it signs GetCallerIdentity for. Google replays that
 * request; a host of another partition (China's is sts.REGION.amazonaws.com.cn) cannot verify
 * the session, so the Lambda would be locked out.
 */
import { block, type StackJson } from "../terraform-json";
import { LAMBDA_ENV } from "../../federation/lambda-environment";
import { awsDnsSuffix } from "../../federation/partition";
import type { LambdaIdentity } from "./aws-identities";

/** Why the function's credential config cannot work in the Lambda's partition, or undefined. */
export function credentialConfigProblem(
  stack: StackJson,
  functionAddress: string,
  lambda: LambdaIdentity,
): string | undefined {
  const fn = stack.find(functionAddress);
  const variables = block(fn?.config.environment)?.variables ?? {};
  const raw = variables[LAMBDA_ENV.credentialConfig];
  if (raw === undefined) return `has no ${LAMBDA_ENV.credentialConfig} credential config`;
  let config;
  try {
    config = JSON.parse(String(raw));
  } catch {
    return `${LAMBDA_ENV.credentialConfig} is not literal JSON`;
  }
  const url = String(config?.credential_source?.regional_cred_verification_url ?? "");
  const host = /^https:\/\/([^/?]+)/.exec(url)?.[1] ?? "";
  const expected = `sts.{region}.${awsDnsSuffix(lambda.partition)}`;
  if (host !== expected) {
    return `${LAMBDA_ENV.credentialConfig} signs GetCallerIdentity for ${host || "no host"}, but a session in partition ${lambda.partition} is verified at ${expected}`;
  }
  return undefined;
}

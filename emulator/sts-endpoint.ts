/**
 * Google STS `POST /v1/token` for AWS subject tokens: decode the serialized signed
 * GetCallerIdentity request, verify its SigV4 signature and freshness as AWS would, find the
 * pool provider the audience names, pin the AWS account, run the provider's attribute mapping
 * and condition as CEL, and issue a federated token. Errors are OAuth-style 400s.
 */
import { admitAwsCaller } from "../stacks/policies/trust-model/sts-admission";
import { verifySignature } from "./sigv4";
import type { Principal } from "./iam";
import {
  json,
  refuse,
  type DenialCheck,
  type EmulatorContext,
  type EmulatorRequest,
} from "./emulator-context";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const AWS_SUBJECT_TOKEN_TYPE = "urn:ietf:params:aws:token-type:aws4_request";
export const STS_TOKEN_LIFETIME_SECONDS = 3600;
export const CONDITION_REJECTED = "The given credential is rejected by the attribute condition.";
const AWS_STS_HOST = /^sts(?:\.([a-z0-9-]+))?\.amazonaws\.com$/;

export interface SubjectToken {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
}

/** The form field holds `encodeURIComponent(JSON.stringify({url, method, headers: [{key, value}]}))`. */
export function decodeSubjectToken(subjectToken: string): SubjectToken {
  const parsed = JSON.parse(decodeURIComponent(subjectToken));
  if (typeof parsed?.url !== "string" || !Array.isArray(parsed.headers)) {
    throw new Error("the AWS subject token needs url, method and a headers list");
  }
  const headers: Record<string, string> = {};
  for (const h of parsed.headers) headers[String(h.key).toLowerCase()] = String(h.value);
  return { url: parsed.url, method: String(parsed.method ?? ""), headers };
}

function oauthError(error: string, description: string) {
  return json(400, { error, error_description: description });
}

export function handleStsToken(ctx: EmulatorContext, req: EmulatorRequest) {
  const endpoint = "sts.token" as const;
  const deny = (
    error: string,
    description: string,
    detail?: Record<string, unknown>,
    check: DenialCheck = "request",
  ) =>
    refuse(
      ctx,
      endpoint,
      oauthError(error, description),
      `${error}: ${description}`,
      undefined,
      detail,
      check,
    );

  const form = new URLSearchParams(req.body.toString("utf8"));
  if (form.get("grant_type") !== TOKEN_EXCHANGE_GRANT) {
    return deny("unsupported_grant_type", `grant_type must be ${TOKEN_EXCHANGE_GRANT}`);
  }
  if (form.get("requested_token_type") !== ACCESS_TOKEN_TYPE) {
    return deny("invalid_request", `requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
  if (form.get("subject_token_type") !== AWS_SUBJECT_TOKEN_TYPE) {
    return deny("invalid_request", `subject_token_type must be ${AWS_SUBJECT_TOKEN_TYPE}`);
  }
  const audience = form.get("audience") ?? "";
  const provider = ctx.state.providerForAudience(audience);
  if (!provider || provider.disabled || provider.awsAccountId === undefined) {
    return deny(
      "invalid_target",
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
      { audience },
      "provider",
    );
  }

  let token: SubjectToken;
  try {
    token = decodeSubjectToken(form.get("subject_token") ?? "");
  } catch (err) {
    return deny(
      "invalid_request",
      `Invalid AWS subject token: ${(err as Error).message}`,
      undefined,
      "subject token",
    );
  }
  const target = (token.headers["x-goog-cloud-target-resource"] ?? "").replace(/^https:/, "");
  if (target !== provider.audience) {
    return deny(
      "invalid_target",
      `The subject token's x-goog-cloud-target-resource "${target}" does not match the audience "${audience}".`,
      { audience },
      "subject token",
    );
  }

  // What Google checks before replaying the request to AWS: it must be GetCallerIdentity on AWS STS.
  const url = new URL(token.url);
  const host = AWS_STS_HOST.exec(url.host);
  if (url.protocol !== "https:" || !host || token.method.toUpperCase() !== "POST") {
    return deny(
      "invalid_grant",
      `The subject token is not a POST to AWS STS: ${token.method} ${token.url}`,
      undefined,
      "subject token",
    );
  }
  if (url.searchParams.get("Action") !== "GetCallerIdentity") {
    return deny(
      "invalid_grant",
      "The subject token does not call GetCallerIdentity.",
      undefined,
      "subject token",
    );
  }
  // What AWS checks on replay: the signature (empty body, as Google replays it) and its age.
  const signature = verifySignature(
    { method: token.method, url: token.url, headers: token.headers, body: "" },
    (key) => ctx.identities.lookup(key),
    ctx.now(),
  );
  if (!signature.ok) {
    return deny(
      "invalid_grant",
      `AWS rejected the signed GetCallerIdentity request: ${signature.reason}`,
      undefined,
      "subject token",
    );
  }
  const regionInHost = host[1] ?? "us-east-1";
  if (signature.region !== regionInHost) {
    return deny(
      "invalid_grant",
      `AWS rejected the signed GetCallerIdentity request: credential scope region ${signature.region} does not match ${url.host}`,
      undefined,
      "subject token",
    );
  }
  const caller = ctx.identities.lookup(signature.accessKeyId)!.caller;

  const admission = admitAwsCaller({ ...provider, awsAccountId: provider.awsAccountId }, caller);
  if (!admission.admitted && admission.stage !== "condition") {
    // The account pin and the mapping fail as invalid_grant, as Google STS answers them.
    const reason =
      admission.stage === "account"
        ? `The AWS account ${caller.account} of the caller does not match the provider's account ${provider.awsAccountId}.`
        : admission.reason;
    return deny(
      "invalid_grant",
      reason,
      { assertion: caller, provider: provider.name },
      admission.stage === "account" ? "account pin" : "attribute mapping",
    );
  }
  const detail = {
    assertion: caller,
    provider: provider.name,
    subject: admission.subject,
    attributes: admission.attributes,
    condition: provider.attributeCondition,
  };
  if (!admission.admitted) {
    return refuse(
      ctx,
      endpoint,
      oauthError("unauthorized_client", CONDITION_REJECTED),
      `unauthorized_client: ${admission.reason} for ${caller.arn}`,
      undefined,
      detail,
      "attribute condition",
    );
  }
  const mapped = admission;

  const principal: Principal = {
    kind: "federated",
    poolName: provider.poolName,
    subject: mapped.subject,
    attributes: mapped.attributes,
  };
  const issued = ctx.tokens.issue("sts", principal, ctx.now() + STS_TOKEN_LIFETIME_SECONDS * 1000);
  ctx.record({
    endpoint,
    allowed: true,
    status: 200,
    principal: `principal://iam.googleapis.com/${provider.poolName}/subject/${mapped.subject}`,
    reason: provider.attributeCondition
      ? `signature valid, account ${caller.account} pinned, condition true for ${caller.arn}`
      : `signature valid, account ${caller.account} pinned, no condition`,
    detail,
  });
  return json(200, {
    access_token: issued.token,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: "Bearer",
    expires_in: STS_TOKEN_LIFETIME_SECONDS,
  });
}

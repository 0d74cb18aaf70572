/**
 * What every emulated endpoint shares: the Google state it enforces, the AWS identities STS
 * can verify, issued tokens, the clock, and the decision log (why a call was allowed or
 * refused, in the words of the trust chain).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { AccessTokenStore } from "./access-tokens";
import type { AwsIdentityTable } from "./aws-identities";
import type { FaultPlan } from "./faults";
import type { GoogleState } from "./google-state";
import { describePrincipal, type Principal } from "./iam";
import type { Endpoint } from "./faults";

export interface EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * The layer of the trust chain that made a decision: Google STS (provider, account pin,
 * attribute condition), IAM Credentials (who may impersonate a service account), BigQuery
 * (grants on the dataset, table, project) or Cloud Storage (grants on the bucket, IAM conditions).
 */
export type Layer = "STS" | "IAM" | "BigQuery" | "Storage";

export function layerOf(endpoint: Endpoint): Layer {
  if (endpoint === "sts.token") return "STS";
  if (endpoint === "iam.generateAccessToken") return "IAM";
  return endpoint.startsWith("bigquery.") ? "BigQuery" : "Storage";
}

/** The check that refused a call, named so a test can say which measure held. */
export type DenialCheck =
  | "provider"
  | "account pin"
  | "attribute mapping"
  | "attribute condition"
  | "subject token"
  | "authentication"
  | "no impersonation grant"
  | "no dataset grant"
  | "no table grant"
  | "no bucket grant"
  | "IAM condition false"
  | "request";

export interface Decision {
  readonly endpoint: Endpoint;
  /** The layer that decided; derived from the endpoint. */
  readonly layer: Layer;
  /** For a refusal: the check that refused. */
  readonly check?: DenialCheck;
  readonly allowed: boolean;
  readonly status: number;
  /** Who asked, when known. */
  readonly principal?: string;
  /** One line: what was checked and what decided it. */
  readonly reason: string;
  /** Endpoint-specific facts (assertion, mapped attributes, grant used, ...). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface EmulatorContext {
  readonly state: GoogleState;
  readonly identities: AwsIdentityTable;
  readonly tokens: AccessTokenStore;
  readonly faults: FaultPlan;
  now(): number;
  record(decision: Omit<Decision, "layer">): void;
}

export function json(status: number, body: unknown, headers?: Record<string, string>) {
  return { status, body, headers };
}

/** Google's JSON error envelope for REST APIs (IAM Credentials, BigQuery, Cloud Storage). */
export function googleError(
  status: number,
  statusName: string,
  message: string,
  reason?: string,
): EmulatorResponse {
  return json(status, {
    error: {
      code: status,
      message,
      status: statusName,
      ...(reason ? { errors: [{ message, domain: "global", reason }] } : {}),
    },
  });
}

/** Records the refusal and answers with it. */
export function refuse(
  ctx: EmulatorContext,
  endpoint: Endpoint,
  response: EmulatorResponse,
  reason: string,
  principal?: Principal,
  detail?: Record<string, unknown>,
  check: DenialCheck = "request",
): EmulatorResponse {
  ctx.record({
    endpoint,
    check,
    allowed: false,
    status: response.status,
    principal: principal && describePrincipal(principal),
    reason,
    detail,
  });
  return response;
}

/**
 * Who is calling a Google API: the principal of a valid bearer token, or the 401 the API answers
 * (`unauthenticated`), recorded as a refusal.
 */
export function authenticate(
  ctx: EmulatorContext,
  endpoint: Endpoint,
  req: EmulatorRequest,
  unauthenticated: EmulatorResponse,
): { principal: Principal } | { refused: EmulatorResponse } {
  const bearer = ctx.tokens.check(req.headers.authorization, ctx.now());
  return bearer.ok
    ? { principal: bearer.issued.principal }
    : {
        refused: refuse(
          ctx,
          endpoint,
          unauthenticated,
          bearer.reason,
          undefined,
          undefined,
          "authentication",
        ),
      };
}

/** RFC 3339 without fractional seconds, as Google writes expireTime. */
export function rfc3339(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

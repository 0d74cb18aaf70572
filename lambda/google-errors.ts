/**
 * Turns what Google answered into (1) whether to retry and (2) one line that tells the operator
 * what to check. The mapping follows the WIF protocol notes: STS answers OAuth-style errors,
 * IAM Credentials a 403 when the principalSet may not impersonate, BigQuery and Cloud Storage
 * 404 / 403 for a missing resource or a missing grant.
 */
import type { HttpErrorLike } from "./google-request";
import { TimeBudgetExhaustedError } from "./retry";
import { LAMBDA_ENV } from "../stacks/federation/lambda-environment";

export type GoogleService = "sts" | "iam" | "bigquery" | "storage" | "unknown";

export interface GoogleErrorContext {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
  readonly archiveBucket?: string;
  /** The pool provider's full name, from the credential config's audience. */
  readonly audience?: string;
  readonly serviceAccountEmail?: string;
  /** The assumed-role ARN the provider admits (WIF_EXPECTED_ROLE_ARN). */
  readonly expectedRoleArn?: string;
  /** The Lambda's function name, to name the AWS session when its ARN is unknown. */
  readonly functionName?: string;
}

export interface DescribedGoogleError {
  readonly service: GoogleService;
  readonly status?: number;
  /** OAuth error code (STS) or the first error reason (BigQuery, Storage), when given. */
  readonly reason?: string;
  readonly retryable: boolean;
  /** What happened and what to check, without any token or credential. */
  readonly message: string;
}

// Streaming quota answers are 403s that go away by themselves: retry them, do not blame IAM.
const RETRYABLE_REASONS = new Set(["rateLimitExceeded", "quotaExceeded", "backendError"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "TimeoutError",
]);

function asHttpError(err: unknown): HttpErrorLike {
  return (
    typeof err === "object" && err !== null ? err : { message: String(err) }
  ) as HttpErrorLike;
}

export function statusOf(err: unknown): number | undefined {
  const e = asHttpError(err);
  const status = e.response?.status ?? e.status;
  return typeof status === "number" ? status : undefined;
}

function urlOf(err: unknown): string {
  const url = asHttpError(err).config?.url;
  return url === undefined ? "" : String(url);
}

export function serviceOf(err: unknown): GoogleService {
  const url = urlOf(err);
  if (/generateAccessToken/.test(url)) return "iam";
  if (/\/bigquery\/v2\//.test(url)) return "bigquery";
  if (/\/storage\/v1\//.test(url)) return "storage";
  if (/\/v1\/token\b|sts\./.test(url) || oauthCode(err)) return "sts";
  return "unknown";
}

function oauthCode(err: unknown): string | undefined {
  const e = asHttpError(err);
  const data = e.response?.data as { error?: unknown } | undefined;
  if (data && typeof data.error === "string") return data.error;
  return /^Error code (\w+)/.exec(e.message ?? "")?.[1];
}

interface GoogleErrorBody {
  message?: unknown;
  status?: unknown;
  errors?: { reason?: unknown; message?: unknown }[];
  details?: { reason?: unknown }[];
}

function googleErrorBody(err: unknown): GoogleErrorBody | undefined {
  const data = asHttpError(err).response?.data as { error?: unknown } | undefined;
  const error = data?.error;
  return error && typeof error === "object" ? (error as GoogleErrorBody) : undefined;
}

function googleReason(err: unknown): string | undefined {
  const error = googleErrorBody(err);
  const reason =
    error?.errors?.[0]?.reason ??
    error?.details?.find((d) => typeof d?.reason === "string")?.reason ??
    error?.status;
  return typeof reason === "string" ? reason : undefined;
}

/** Google's own words: status, reason and message of its error answer (never a token). */
function googleSays(err: unknown, status: number | undefined): string {
  const error = googleErrorBody(err);
  const reason = googleReason(err);
  const message =
    typeof error?.message === "string" ? error.message : oneLine(asHttpError(err).message);
  return `Google said: ${status ?? "no status"}${reason ? ` ${reason}` : ""}${message ? `, "${oneLine(message)}"` : ""}`;
}

/**
 * A 403 on the first calls after a deploy is usually a grant that exists but has not reached
 * every Google server yet: IAM changes take 2-7 minutes to propagate.
 */
export const NOT_YET_PROPAGATED =
  "binding missing or not yet propagated (takes up to ~7 min after a deploy)";

/** Failures of the keyless authentication itself (STS, IAM, a rejected token). */
export function isAuthFailure(described: DescribedGoogleError): boolean {
  return described.service === "sts" || described.service === "iam" || described.status === 401;
}

/**
 * The line that reports a failed step: an authentication failure is named as such first, so
 * it never reads as a Cloud Storage or BigQuery problem.
 */
export function failureMessage(
  described: DescribedGoogleError,
  step: "archive" | "insert",
): string {
  if (isAuthFailure(described))
    return `Google authentication failed, so the batch was ${step === "archive" ? "neither archived nor written" : "not written"}: ${described.message}`;
  return step === "archive"
    ? `archive failed, so the whole batch fails: ${described.message}`
    : described.message;
}

function isNetworkError(err: unknown): boolean {
  const e = asHttpError(err);
  if (statusOf(err) !== undefined) return false;
  const cause = (err as { cause?: { code?: string; name?: string } } | undefined)?.cause;
  const codes = [e.code, cause?.code, cause?.name, (err as { name?: string })?.name];
  return (
    codes.some((c) => typeof c === "string" && NETWORK_CODES.has(c)) ||
    /fetch failed|socket hang up|network|timed? ?out|aborted/i.test(e.message ?? "")
  );
}

/** 408, 429, 5xx, transient 403 quota answers and network failures; never other 4xx. */
export function isRetryableGoogleError(err: unknown): boolean {
  if (err instanceof TimeBudgetExhaustedError) return false;
  const status = statusOf(err);
  if (status === undefined) return isNetworkError(err);
  if (status === 408 || status === 429 || status >= 500) return true;
  if (status === 403) {
    const reason = googleReason(err);
    return reason !== undefined && RETRYABLE_REASONS.has(reason);
  }
  return false;
}

/** The assumed-role ARN if Google's answer names one (the emulator and some STS answers do). */
function arnIn(text: string): string | undefined {
  // Any partition's spelling: arn:aws:, arn:aws-us-gov:, arn:aws-cn:, ...
  return /arn:aws(?:-[a-z]+)*:sts::\d{12}:assumed-role\/[\w+=,.@/-]+/.exec(text)?.[0];
}

function oneLine(text: string | undefined, max = 300): string {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function describeGoogleError(err: unknown, ctx: GoogleErrorContext): DescribedGoogleError {
  if (err instanceof TimeBudgetExhaustedError) {
    const last = err.lastError ? describeGoogleError(err.lastError, ctx) : undefined;
    return {
      service: last?.service ?? "unknown",
      status: last?.status,
      reason: "time-budget-exhausted",
      retryable: false,
      message: `${err.message}${last ? `; last error: ${last.message}` : ""}`,
    };
  }
  const e = asHttpError(err);
  const service = serviceOf(err);
  const status = statusOf(err);
  const retryable = isRetryableGoogleError(err);
  const original = oneLine(e.message);
  const table = `${ctx.projectId}.${ctx.datasetId}.${ctx.tableId}`;
  const provider = ctx.audience?.replace(/^\/\/iam\.googleapis\.com\//, "") ?? "the pool provider";
  const expected = ctx.expectedRoleArn ?? "(WIF_EXPECTED_ROLE_ARN is not set)";
  const base = { service, status, retryable };

  if (status === undefined && isNetworkError(err)) {
    const host = hostOf(urlOf(err)) || "Google";
    return {
      ...base,
      reason: "network",
      message:
        e.code === "ETIMEDOUT"
          ? `${WHO[service]} (${host}) did not answer in time, so the attempt was aborted (${original}); retried while time allowed`
          : `could not reach ${host} (${e.code ?? original}); retried while time allowed`,
    };
  }
  if (service === "sts") {
    const code = oauthCode(err);
    const identity =
      arnIn(original) ??
      `of this function${ctx.functionName ? ` (session ${ctx.functionName})` : ""}`;
    const messages: Record<string, string> = {
      unauthorized_client: `AWS identity ${identity} rejected by the pool provider's attribute condition; the provider ${provider} admits ${expected}. Check that the Lambda runs as that role in that account (Google STS: ${original})`,
      invalid_grant: `Google STS rejected the signed AWS request (invalid_grant): the AWS signature is invalid or the AWS account is not the one the provider ${provider} pins (aws.account_id). Check the function's account and that its AWS credentials and clock are valid (Google STS: ${original})`,
      invalid_target: `Google STS: the workload identity pool or provider ${provider} is missing, disabled or soft-deleted (invalid_target). Check that both exist and are enabled; a deleted one can be undeleted within 30 days (Google STS: ${original})`,
    };
    if (code && messages[code]) return { ...base, reason: code, message: messages[code] };
    return {
      ...base,
      reason: code,
      message: `Google STS token exchange failed${status ? ` (${status})` : ""}${code ? ` with ${code}` : ""} for provider ${provider}: ${original}`,
    };
  }
  if (service === "iam") {
    const sa = ctx.serviceAccountEmail ?? "the service account";
    if (status === 403)
      return {
        ...base,
        reason: googleReason(err) ?? "PERMISSION_DENIED",
        message: `IAM Credentials refused generateAccessToken on ${sa} (403): ${NOT_YET_PROPAGATED}. The role's principalSet (attribute.aws_role/${expected}) lacks roles/iam.workloadIdentityUser on that service account; grant it on the service account, not the project. ${googleSays(err, status)}`,
      };
    if (status === 404)
      return {
        ...base,
        reason: "NOT_FOUND",
        message: `IAM Credentials: service account ${sa} does not exist (404). Deploy the stack or fix service_account_impersonation_url (IAM: ${original})`,
      };
  }
  if (service === "bigquery") {
    const reason = googleReason(err);
    if (status === 404)
      return {
        ...base,
        reason: reason ?? "notFound",
        message: `BigQuery table ${table} or its dataset does not exist (404). Deploy the stack, or check ${LAMBDA_ENV.datasetId}/${LAMBDA_ENV.tableId} and the project (BigQuery: ${original})`,
      };
    if (status === 403 && !retryable)
      return {
        ...base,
        reason: reason ?? "accessDenied",
        message: `BigQuery refused the insert into ${table} (403): ${NOT_YET_PROPAGATED}. The Lambda's Google identity (${ctx.serviceAccountEmail ?? "the role's principalSet"}) lacks roles/bigquery.dataEditor on dataset ${ctx.datasetId}. ${googleSays(err, status)}`,
      };
    if (status === 400)
      return {
        ...base,
        reason: reason ?? "invalid",
        // A request-level 400 can quote the rows it could not read: only its reason is kept.
        message: `BigQuery refused the insertAll request into ${table} (400 ${reason ?? "invalid"}); its message is not logged because it may quote a row`,
      };
    if (status === 401)
      return {
        ...base,
        reason: reason ?? "unauthorized",
        message: `BigQuery rejected the access token (401): the token from STS/IAM is invalid or expired (BigQuery: ${original})`,
      };
  }
  if (service === "storage") {
    const bucket = ctx.archiveBucket ?? "the archive bucket";
    if (status === 404)
      return {
        ...base,
        reason: googleReason(err) ?? "notFound",
        message: `Cloud Storage bucket ${bucket} does not exist (404). Deploy the stack or fix ARCHIVE_BUCKET (Storage: ${original})`,
      };
    if (status === 403 && !retryable)
      return {
        ...base,
        reason: googleReason(err) ?? "forbidden",
        message: `Cloud Storage refused the archive upload to ${bucket} (403): ${NOT_YET_PROPAGATED}. The Lambda's Google identity lacks roles/storage.objectCreator on that bucket. ${googleSays(err, status)}`,
      };
  }
  const who = WHO[service];
  return {
    ...base,
    reason: googleReason(err),
    message: `${who} answered ${status ?? "an error"}${retryable ? " (transient; retried while time allowed)" : ""}: ${original}`,
  };
}

const WHO: Record<GoogleService, string> = {
  sts: "Google STS",
  iam: "IAM Credentials",
  bigquery: "BigQuery",
  storage: "Cloud Storage",
  unknown: "Google",
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

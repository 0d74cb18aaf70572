/**
 * Why a message failed, in the few causes an operator acts on differently (the MessagesFailed
 * metric's Cause dimension): fix the producer, fix a grant, wait for Google, give the function
 * more time, or fix the archive.
 */
import type { DescribedGoogleError } from "./google-errors";

export const FAILURE_CAUSES = [
  /** The record (or message) is invalid: our validation, or BigQuery rejected the row. */
  "InvalidRecord",
  /** Google refused for good: STS/IAM refusal, 401, 403, 404 or another 4xx. */
  "GoogleDenied",
  /** Google answered 5xx or 429 (or was unreachable) on every retry. */
  "GoogleUnavailable",
  /** The invocation's time budget ran out before the rows were written. */
  "TimeBudget",
  /** Cloud Storage refused or failed the archive upload, so nothing was written. */
  "Archive",
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** The cause of a Google call that failed after our retries. */
export function failureCauseOf(described: DescribedGoogleError): FailureCause {
  if (described.reason === "time-budget-exhausted") return "TimeBudget";
  return described.retryable ? "GoogleUnavailable" : "GoogleDenied";
}

/**
 * The cause of a failed archive upload. The upload is the first Google call of an invocation
 * with the archive on, so it also meets STS/IAM refusals and the time budget: only a failure
 * Cloud Storage itself answered is "Archive"; the rest is counted like any other Google call.
 */
export function archiveFailureCauseOf(described: DescribedGoogleError): FailureCause {
  const cause = failureCauseOf(described);
  if (cause === "TimeBudget" || described.service !== "storage") return cause;
  return "Archive";
}

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
  /** The raw batch could not be archived, so nothing was written. */
  "Archive",
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** The cause of a Google call that failed after our retries. */
export function failureCauseOf(described: DescribedGoogleError): FailureCause {
  if (described.reason === "time-budget-exhausted") return "TimeBudget";
  return described.retryable ? "GoogleUnavailable" : "GoogleDenied";
}

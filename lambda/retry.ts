/**
 * Our one retry loop: jittered exponential backoff ("full jitter"), bounded by the time the
 * invocation has left minus a safety margin, so a slow Google never turns into a Lambda
 * timeout (which would fail the whole batch with no per-message report). gaxios' own retries
 * are switched off in google-client.ts, so this loop is the only one.
 */
import type { Clock } from "./clock";

export interface RetryPolicy {
  /** First backoff cap; doubled after each failed attempt. */
  readonly baseDelayMs: number;
  /** Largest backoff cap. */
  readonly maxDelayMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Time kept back from the invocation's remaining time to report failures and log. */
  readonly safetyMarginMs: number;
  /** Upper bound of one HTTP attempt, so one hung request cannot eat the budget. */
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxAttempts: 6,
  safetyMarginMs: 3_000,
  attemptTimeoutMs: 30_000,
};

/**
 * The least a first attempt needs on a cold container: the STS exchange, generateAccessToken,
 * then the archive upload and insertAll, each a TLS round trip from AWS to Google (a few
 * hundred ms each, more on a new connection).
 */
export const MIN_FIRST_ATTEMPT_MS = 5_000;

/**
 * The smallest `lambda.timeoutSeconds` that leaves the first attempt `MIN_FIRST_ATTEMPT_MS`
 * after the policy's safety margin. Below it nothing is ever written: every invocation ends
 * with the budget exhausted and every message goes back to the queue. Pure, for config checks.
 */
export function minimumLambdaTimeoutSeconds(policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  return Math.ceil((policy.safetyMarginMs + MIN_FIRST_ATTEMPT_MS) / 1_000);
}

/** Thrown when the time budget does not allow (another) attempt; `cause` is the last error, if any. */
export class TimeBudgetExhaustedError extends Error {
  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly lastError?: unknown,
  ) {
    super(
      `${operation}: the invocation's time budget ran out after ${attempts} attempt(s); ` +
        "the unwritten messages are reported as failures and SQS will redeliver them",
    );
    this.name = "TimeBudgetExhaustedError";
  }
}

export interface RetryOptions {
  /** Named in errors and logs, e.g. "BigQuery insertAll (rows 0-499)". */
  readonly operation: string;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  /** The invocation's remaining time, e.g. `context.getRemainingTimeInMillis`. */
  readonly remainingMs: () => number;
  readonly isRetryable: (err: unknown) => boolean;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Backoff before attempt `attempt + 1` (attempt counts from 1): uniform in [0, cap). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random * cap);
}

/**
 * Runs `operation(attempt, timeoutMs)` until it succeeds, fails with a non-retryable error
 * (rethrown as is), runs out of attempts (last error rethrown) or out of time
 * (TimeBudgetExhaustedError). `timeoutMs` is what the attempt may take at most.
 */
export async function withRetry<T>(
  options: RetryOptions,
  operation: (attempt: number, timeoutMs: number) => Promise<T>,
): Promise<T> {
  const { policy, clock } = options;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    const available = options.remainingMs() - policy.safetyMarginMs;
    if (available <= 0)
      throw new TimeBudgetExhaustedError(options.operation, attempt - 1, lastError);
    try {
      return await operation(attempt, Math.min(available, policy.attemptTimeoutMs));
    } catch (err) {
      lastError = err;
      if (!options.isRetryable(err) || attempt >= policy.maxAttempts) throw err;
      const delayMs = backoffDelay(policy, attempt, clock.random());
      if (options.remainingMs() - delayMs - policy.safetyMarginMs <= 0) {
        throw new TimeBudgetExhaustedError(options.operation, attempt, err);
      }
      options.onRetry?.({ attempt, delayMs, error: err });
      await clock.sleep(delayMs);
    }
  }
}

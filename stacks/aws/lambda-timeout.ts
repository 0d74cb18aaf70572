/**
 * The shortest Lambda timeout the runtime can work in. The handler keeps
 * `safetyMarginMs` back from the invocation's time to report failures, and gives one Google
 * call attempt (token exchange included) up to `attemptTimeoutMs`; with less time than both,
 * a slow but healthy attempt is cut short and, at 1-3 s, no call is ever made. Derived from the
 * runtime's own policy, so a change there moves this floor with it.
 */
import { DEFAULT_RETRY_POLICY } from "../../lambda/retry";

export const MIN_LAMBDA_TIMEOUT_SECONDS = Math.ceil(
  (DEFAULT_RETRY_POLICY.safetyMarginMs + DEFAULT_RETRY_POLICY.attemptTimeoutMs) / 1000,
);

/** The config message for a timeout below the floor, with the arithmetic behind it. */
export function minimumTimeoutReason(): string {
  const { safetyMarginMs, attemptTimeoutMs } = DEFAULT_RETRY_POLICY;
  return (
    `expected at least ${MIN_LAMBDA_TIMEOUT_SECONDS} seconds: the runtime keeps ${safetyMarginMs / 1000} s back ` +
    `to report failures and allows one Google call attempt ${attemptTimeoutMs / 1000} s (lambda/retry.ts); ` +
    `set lambda.timeoutSeconds to ${MIN_LAMBDA_TIMEOUT_SECONDS} or more`
  );
}

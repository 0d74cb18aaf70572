/**
 * The shortest Lambda timeout the runtime can work in. The handler keeps its retry policy's
 * safety margin back from the invocation's time to report failures, and needs at least
 * `MIN_FIRST_ATTEMPT_MS` for a first Google call; at 1-3 s no call is ever made and every
 * message goes back to the queue. Derived from the runtime's own policy (lambda/retry.ts), so a
 * change there moves this floor with it.
 */
import {
  DEFAULT_RETRY_POLICY,
  MIN_FIRST_ATTEMPT_MS,
  minimumLambdaTimeoutSeconds,
} from "../../lambda/retry";

export const MIN_LAMBDA_TIMEOUT_SECONDS = minimumLambdaTimeoutSeconds();

/** The config message for a timeout below the floor, with the arithmetic behind it. */
export function minimumTimeoutReason(): string {
  const margin = DEFAULT_RETRY_POLICY.safetyMarginMs / 1000;
  return (
    `expected at least ${MIN_LAMBDA_TIMEOUT_SECONDS} seconds: the runtime keeps ${margin} s back ` +
    `to report failures and needs ${MIN_FIRST_ATTEMPT_MS / 1000} s for a first Google call ` +
    `(lambda/retry.ts); set lambda.timeoutSeconds to ${MIN_LAMBDA_TIMEOUT_SECONDS} or more`
  );
}

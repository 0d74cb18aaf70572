/**
 * What every call to a Google API from the handler shares: the request function, our retry
 * loop with Google's retryable answers, the invocation's time budget, and a warning per retry
 * that says what failed in operator terms.
 */
import type { GoogleRequest } from "./google-request";
import {
  describeGoogleError,
  isAuthFailure,
  isRetryableGoogleError,
  type GoogleErrorContext,
} from "./google-errors";
import { withRetry, type RetryPolicy } from "./retry";
import type { Clock } from "./clock";
import type { Logger } from "./logger";

export interface GoogleCallProps {
  readonly request: GoogleRequest;
  readonly errorContext: GoogleErrorContext;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly remainingMs: () => number;
  readonly logger: Logger;
}

/**
 * Runs `attempt(n, timeoutMs)` under the retry policy; logs `retryMessage` (e.g. "retrying
 * BigQuery insertAll") with the operation and the described error before each retry.
 */
export function withGoogleRetry<T>(
  props: GoogleCallProps,
  operation: string,
  retryMessage: string,
  attempt: (attempt: number, timeoutMs: number) => Promise<T>,
): Promise<T> {
  return withRetry(
    {
      operation,
      policy: props.policy,
      clock: props.clock,
      remainingMs: props.remainingMs,
      isRetryable: isRetryableGoogleError,
      onRetry: ({ attempt: n, delayMs, error }) => {
        const described = describeGoogleError(error, props.errorContext);
        // The token exchange runs inside the first call; name it, not the call that waited on it.
        props.logger.warn(
          isAuthFailure(described) ? "retrying Google authentication" : retryMessage,
          { operation, attempt: n, delayMs, error: described.message },
        );
      },
    },
    attempt,
  );
}

/**
 * Bounds one attempt of a Google call in time, and really ends it: when the attempt's deadline
 * passes, an AbortSignal aborts every request the attempt started (the data call and the token
 * refresh it waited on: STS, IAM), so no socket keeps working for an attempt the retry loop has
 * given up on. The client's transporter reads the attempt's signal through
 * `currentAttempt()` (google-client.ts), because the library starts the STS and IAM requests
 * itself, with options of its own.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface Attempt {
  readonly signal: AbortSignal;
  /** The URL of the request the attempt started last: what was in flight when time ran out. */
  lastUrl?: string;
}

const attempts = new AsyncLocalStorage<Attempt>();

/** The attempt the calling code runs in, if any. */
export function currentAttempt(): Attempt | undefined {
  return attempts.getStore();
}

/**
 * How long an aborted attempt may take to wind down (its requests reject at once on abort)
 * before the deadline rejects anyway; so the next attempt never joins a dying token refresh.
 */
export const ABORT_GRACE_MS = 1_000;

/**
 * Runs `call(signal)` as one attempt. At `ms` the signal aborts, and the promise rejects with a
 * retryable ETIMEDOUT error naming `what` (and the URL in flight, as `config.url`) once the
 * attempt's requests have wound down.
 */
export function withDeadline<T>(
  ms: number,
  what: string,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const attempt: Attempt = { signal: controller.signal };
  return new Promise<T>((resolve, reject) => {
    let timedOut: Error | undefined;
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = Object.assign(new Error(`no answer within ${ms} ms: ${what}`), {
        code: "ETIMEDOUT",
        ...(attempt.lastUrl ? { config: { url: attempt.lastUrl } } : {}),
      });
      controller.abort(timedOut);
      grace = setTimeout(() => reject(timedOut), ABORT_GRACE_MS);
    }, ms);
    const settle = () => {
      clearTimeout(timer);
      clearTimeout(grace);
    };
    attempts
      .run(attempt, () => call(controller.signal))
      .then(
        (value) => {
          settle();
          resolve(value); // an answer that came with the deadline is still an answer
        },
        (err: unknown) => {
          settle();
          reject(timedOut ?? err);
        },
      );
  });
}

/**
 * Bounds a promise in time. gaxios aborts a slow data call by itself (its `timeout`), but the
 * token refresh the client runs first (STS, IAM) has no timeout of ours: a hung exchange would
 * otherwise run into the Lambda timeout, and then no message gets a per-message answer.
 */

/** Rejects with a retryable ETIMEDOUT error when `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`no answer within ${ms} ms: ${what}`), {
            code: "ETIMEDOUT",
          }),
        ),
      ms,
    );
    timer.unref?.();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

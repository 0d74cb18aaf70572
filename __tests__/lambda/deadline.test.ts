import { ABORT_GRACE_MS, currentAttempt, withDeadline } from "../../lambda/deadline";
import { isRetryableGoogleError } from "../../lambda/google-errors";

describe("withDeadline", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("aborts the attempt's signal when the deadline passes and rejects with a retryable ETIMEDOUT error", async () => {
    let signal: AbortSignal | undefined;
    const bounded = withDeadline(5_000, "POST /insertAll", (s) => {
      signal = s;
      return new Promise<string>((_, reject) =>
        s.addEventListener("abort", () => reject(s.reason)),
      );
    });
    jest.advanceTimersByTime(4_999);
    expect(signal?.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(signal?.aborted).toBe(true);
    const err = await bounded.catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "ETIMEDOUT",
      message: "no answer within 5000 ms: POST /insertAll",
    });
    expect(isRetryableGoogleError(err)).toBe(true);
  });

  it("waits for the aborted work to wind down, at most the grace period, before it rejects", async () => {
    let rejected = false;
    const bounded = withDeadline(1_000, "x", () => new Promise<string>(() => undefined));
    bounded.catch(() => (rejected = true));
    jest.advanceTimersByTime(1_000);
    await Promise.resolve();
    expect(rejected).toBe(false); // the work ignored the signal: grace period
    jest.advanceTimersByTime(ABORT_GRACE_MS);
    await expect(bounded).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });

  it("names the URL in flight when time ran out, so the error names the service", async () => {
    const bounded = withDeadline(100, "x", () => {
      currentAttempt()!.lastUrl = "https://sts.googleapis.com/v1/token";
      return new Promise<string>(() => undefined);
    });
    jest.advanceTimersByTime(100 + ABORT_GRACE_MS);
    await expect(bounded).rejects.toMatchObject({
      config: { url: "https://sts.googleapis.com/v1/token" },
    });
  });

  it("passes through a result or an error that comes in time, and leaves no timer", async () => {
    await expect(withDeadline(5_000, "x", async () => "ok")).resolves.toBe("ok");
    const failure = new Error("403");
    await expect(withDeadline(5_000, "x", () => Promise.reject(failure))).rejects.toBe(failure);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("gives the attempt to code that runs inside it, and to nothing outside", async () => {
    expect(currentAttempt()).toBeUndefined();
    const seen = await withDeadline(5_000, "x", async (signal) => {
      await Promise.resolve();
      return currentAttempt()?.signal === signal;
    });
    expect(seen).toBe(true);
    expect(currentAttempt()).toBeUndefined();
  });
});

import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  MIN_FIRST_ATTEMPT_MS,
  minimumLambdaTimeoutSeconds,
  TimeBudgetExhaustedError,
  withRetry,
  type RetryPolicy,
} from "../../lambda/retry";
import { FakeClock } from "./test-support";

const policy: RetryPolicy = {
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxAttempts: 5,
  safetyMarginMs: 2_000,
  attemptTimeoutMs: 10_000,
};
const transient = Object.assign(new Error("503"), { response: { status: 503 } });
const permanent = Object.assign(new Error("400"), { response: { status: 400 } });
const retryable = (err: unknown) => err === transient;

function run(clock: FakeClock, remaining: () => number, outcomes: unknown[]) {
  const calls: { attempt: number; timeout: number }[] = [];
  const promise = withRetry(
    { operation: "test op", policy, clock, remainingMs: remaining, isRetryable: retryable },
    async (attempt, timeout) => {
      calls.push({ attempt, timeout });
      const outcome = outcomes.shift();
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  );
  return { promise, calls };
}

describe("retry policy", () => {
  it("doubles the backoff cap per attempt up to the maximum, with full jitter", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a, 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(policy, 3, 0)).toBe(0);
    expect(backoffDelay(policy, 3, 0.5)).toBe(200);
  });

  it("retries a transient error after a jittered backoff and returns the result", async () => {
    const clock = new FakeClock(0, [0.5, 0.5]);
    const { promise, calls } = run(clock, () => 60_000 - clock.time, [transient, transient, "ok"]);
    await expect(promise).resolves.toBe("ok");
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it("does not retry a non-retryable error", async () => {
    const clock = new FakeClock(0);
    const { promise, calls } = run(clock, () => 60_000, [permanent, "never"]);
    await expect(promise).rejects.toBe(permanent);
    expect(calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const clock = new FakeClock(0);
    const { promise, calls } = run(clock, () => 60_000, Array(10).fill(transient));
    await expect(promise).rejects.toBe(transient);
    expect(calls).toHaveLength(policy.maxAttempts);
  });

  it("stops when the next backoff would cut into the safety margin", async () => {
    // 2.5 s left, 2 s margin: a 600 ms backoff (cap 1000 ms x jitter 0.6) does not fit.
    const clock = new FakeClock(0, [0.6]);
    const calls: number[] = [];
    const promise = withRetry(
      {
        operation: "insert",
        policy: { ...policy, baseDelayMs: 1_000 },
        clock,
        remainingMs: () => 2_500 - clock.time,
        isRetryable: retryable,
      },
      async (attempt) => {
        calls.push(attempt);
        throw transient;
      },
    );
    await expect(promise).rejects.toBeInstanceOf(TimeBudgetExhaustedError);
    expect(calls).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });

  it("makes no attempt at all when the remaining time is already inside the safety margin", async () => {
    const clock = new FakeClock(0);
    const { promise, calls } = run(clock, () => 1_999, ["ok"]);
    await expect(promise).rejects.toThrow(/time budget ran out after 0 attempt/);
    expect(calls).toEqual([]);
  });

  it("keeps the last error on the budget error and bounds each attempt's timeout by the time left", async () => {
    const clock = new FakeClock(0, [0.5, 0.5, 0.5]);
    const { promise, calls } = run(clock, () => 2_600 - clock.time, Array(10).fill(transient));
    const err = await promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeBudgetExhaustedError);
    expect((err as TimeBudgetExhaustedError).lastError).toBe(transient);
    expect(calls[0].timeout).toBe(600);
    expect(calls.every((c) => c.timeout <= 600)).toBe(true);
  });

  it("caps one attempt's timeout at attemptTimeoutMs when plenty of time is left", async () => {
    const clock = new FakeClock(0);
    const { promise, calls } = run(clock, () => 900_000, ["ok"]);
    await promise;
    expect(calls[0].timeout).toBe(policy.attemptTimeoutMs);
  });

  it("has defaults that leave seconds for reporting", () => {
    expect(DEFAULT_RETRY_POLICY.safetyMarginMs).toBeGreaterThanOrEqual(1_000);
    expect(DEFAULT_RETRY_POLICY.maxDelayMs).toBeLessThan(DEFAULT_RETRY_POLICY.attemptTimeoutMs);
  });

  describe("the minimum Lambda timeout the runtime's margins allow", () => {
    it("is the safety margin plus a first attempt, rounded up to whole seconds (8 s by default)", () => {
      expect(minimumLambdaTimeoutSeconds()).toBe(8);
      expect(minimumLambdaTimeoutSeconds({ ...policy, safetyMarginMs: 2_500 })).toBe(8);
    });

    it.each([1, 2, 3])(
      "%i s leaves no time for any Google call: nothing is ever attempted",
      async (seconds) => {
        const clock = new FakeClock();
        const { promise, calls } = runWith(DEFAULT_RETRY_POLICY, clock, () => seconds * 1_000);
        await expect(promise).rejects.toBeInstanceOf(TimeBudgetExhaustedError);
        expect(calls).toEqual([]);
      },
    );

    it("at the minimum, the first attempt gets at least MIN_FIRST_ATTEMPT_MS", async () => {
      const clock = new FakeClock();
      const seconds = minimumLambdaTimeoutSeconds();
      const { promise, calls } = runWith(DEFAULT_RETRY_POLICY, clock, () => seconds * 1_000);
      await promise;
      expect(calls[0].timeout).toBeGreaterThanOrEqual(MIN_FIRST_ATTEMPT_MS);
    });
  });
});

function runWith(p: RetryPolicy, clock: FakeClock, remaining: () => number) {
  const calls: { timeout: number }[] = [];
  const promise = withRetry(
    { operation: "op", policy: p, clock, remainingMs: remaining, isRetryable: () => true },
    async (_attempt, timeout) => {
      calls.push({ timeout });
      return "ok";
    },
  );
  return { promise, calls };
}

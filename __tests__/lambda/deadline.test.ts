import { withDeadline } from "../../lambda/deadline";
import { isRetryableGoogleError } from "../../lambda/google-errors";

describe("withDeadline", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("rejects a call that never settles with a retryable ETIMEDOUT error naming it", async () => {
    const hung = new Promise<string>(() => undefined);
    const bounded = withDeadline(hung, 5_000, "token refresh or POST /insertAll");
    jest.advanceTimersByTime(5_000);
    const err = await bounded.catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "ETIMEDOUT",
      message: "no answer within 5000 ms: token refresh or POST /insertAll",
    });
    expect(isRetryableGoogleError(err)).toBe(true);
  });

  it("passes through a result or an error that comes in time", async () => {
    await expect(withDeadline(Promise.resolve("ok"), 5_000, "x")).resolves.toBe("ok");
    const failure = new Error("403");
    await expect(withDeadline(Promise.reject(failure), 5_000, "x")).rejects.toBe(failure);
    expect(jest.getTimerCount()).toBe(0);
  });
});

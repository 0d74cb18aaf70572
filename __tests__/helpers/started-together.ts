/**
 * Slow, independent pieces of a suite that mostly wait (scenarios that wait out the handler's
 * real retry backoff), declared next to the test that checks each, and started together from
 * one beforeAll once their inputs are ready: the suite then lasts as long as its longest piece,
 * not the sum, and each test awaits and asserts only its own. Not for pieces that keep a core
 * busy (the isolation matrices' Lambda processes): run together on two cores they made the whole
 * run slower (docs/performance.md). Each piece must own what it uses (its own emulator, its own
 * containers), and whatever stops them must run in afterAll, since a piece may still run while
 * an earlier test finishes.
 */
export interface StartedTogether {
  /** Declares a piece; the returned function gives its result (starting it if not yet started). */
  add<T>(work: () => Promise<T>): () => Promise<T>;
  /** Starts every declared piece; call from beforeAll. */
  startAll(): void;
}

export function startedTogether(): StartedTogether {
  const starters: (() => void)[] = [];
  return {
    add<T>(work: () => Promise<T>) {
      let started: Promise<T> | undefined;
      const start = (): Promise<T> => {
        if (!started) {
          started = work();
          // Reported by the test that awaits it; not an unhandled rejection meanwhile.
          started.catch(() => undefined);
        }
        return started;
      };
      starters.push(start);
      return start;
    },
    startAll() {
      for (const start of starters) start();
    },
  };
}

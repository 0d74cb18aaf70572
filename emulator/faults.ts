/**
 * Per-test fault injection and call counting for the emulated endpoints: answer the next N
 * calls of an endpoint with a status code, reset the connection, or delay; make chosen rows of
 * insertAll fail. Faults are consumed in the order they were added.
 */

export const ENDPOINTS = [
  "sts.token",
  "iam.generateAccessToken",
  "bigquery.insertAll",
  "bigquery.tables.get",
  "bigquery.tables.list",
  "bigquery.tabledata.list",
  "storage.upload",
  "storage.objects.get",
  "storage.objects.list",
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export interface FaultSpec {
  /** Answer with this HTTP status (e.g. 500, 503, 429) and a Google-shaped error body. */
  readonly status?: number;
  /** Destroy the socket without answering (ECONNRESET on the client). */
  readonly reset?: boolean;
  /** Wait this long before handling (or before the status/reset). */
  readonly delayMs?: number;
  /** How many calls it affects. @default 1 */
  readonly times?: number;
  /** Seconds for a Retry-After header on status faults. @default none */
  readonly retryAfterSeconds?: number;
}

export interface InsertErrorSpec {
  /** Fails the rows whose json matches. */
  readonly rows: (json: Record<string, unknown>, insertId: string | undefined) => boolean;
  /** @default "invalid" */
  readonly reason?: string;
  /** @default "injected by the emulator" */
  readonly message?: string;
  /** How many insertAll calls it affects. @default every call */
  readonly times?: number;
}

interface Pending<T> {
  spec: T;
  left: number;
}

export class FaultPlan {
  private readonly queue = new Map<Endpoint, Pending<FaultSpec>[]>();
  private readonly insertErrorRules: Pending<InsertErrorSpec>[] = [];
  private readonly counters = new Map<Endpoint, number>();

  inject(endpoint: Endpoint, spec: FaultSpec): this {
    if (!ENDPOINTS.includes(endpoint)) {
      throw new Error(`unknown endpoint "${endpoint}"; use one of ${ENDPOINTS.join(", ")}`);
    }
    if (spec.status === undefined && !spec.reset && spec.delayMs === undefined) {
      throw new Error(`fault for ${endpoint} needs a status, reset or delayMs`);
    }
    const list = this.queue.get(endpoint) ?? [];
    list.push({ spec, left: spec.times ?? 1 });
    this.queue.set(endpoint, list);
    return this;
  }

  failRows(spec: InsertErrorSpec): this {
    this.insertErrorRules.push({ spec, left: spec.times ?? Infinity });
    return this;
  }

  /** Counts the call and returns the fault that applies to it, if any. */
  take(endpoint: Endpoint): FaultSpec | undefined {
    this.counters.set(endpoint, (this.counters.get(endpoint) ?? 0) + 1);
    const list = this.queue.get(endpoint);
    const next = list?.[0];
    if (!next) return undefined;
    next.left -= 1;
    if (next.left <= 0) list.shift();
    return next.spec;
  }

  /** The injected error for a row of the current insertAll call, if any (rules used up per call). */
  insertErrorRulesForCall(): InsertErrorSpec[] {
    const active = this.insertErrorRules.filter((r) => r.left > 0);
    for (const r of active) r.left -= 1;
    return active.map((r) => r.spec);
  }

  calls(endpoint: Endpoint): number {
    return this.counters.get(endpoint) ?? 0;
  }

  /** All counters, endpoints never called included (as 0). */
  callCounts(): Record<Endpoint, number> {
    return Object.fromEntries(ENDPOINTS.map((e) => [e, this.calls(e)])) as Record<Endpoint, number>;
  }

  reset(): void {
    this.queue.clear();
    this.insertErrorRules.length = 0;
    this.counters.clear();
  }
}

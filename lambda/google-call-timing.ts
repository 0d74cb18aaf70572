/**
 * Latency of each call to Google, whoever makes it: the STS exchange and the IAM call happen
 * inside google-auth-library, so instead of wrapping its internals we listen to Node's fetch
 * (undici) diagnostics channels, a public Node API, and time each request from its creation to
 * its response headers. A call is classified by the endpoint it goes to; other requests are
 * ignored.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";

export const GOOGLE_CALLS = ["sts", "iam", "insertAll", "upload"] as const;
export type GoogleCall = (typeof GOOGLE_CALLS)[number];

/** Which Google call a request path is (STS token exchange, IAM generateAccessToken, ...). */
export function googleCallOf(path: string): GoogleCall | undefined {
  const p = path.split("?")[0];
  if (/\/v1\/token$/.test(p)) return "sts";
  if (/:generateAccessToken$/.test(p)) return "iam";
  if (/\/bigquery\/v2\/projects\/[^/]+\/datasets\/[^/]+\/tables\/[^/]+\/insertAll$/.test(p))
    return "insertAll";
  if (/^\/upload\/storage\/v1\/b\/[^/]+\/o$/.test(p)) return "upload";
  return undefined;
}

interface UndiciRequest {
  readonly path?: string;
}

/**
 * Calls `record(call, ms)` for every Google request that gets an answer (any status). Once per
 * process: the channels are global. Returns a function that stops listening (tests).
 */
export function timeGoogleCalls(
  record: (call: GoogleCall, ms: number) => void,
  now: () => number = () => performance.now(),
): () => void {
  const started = new WeakMap<object, { call: GoogleCall; at: number }>();
  const onCreate = (message: unknown) => {
    const request = (message as { request?: UndiciRequest }).request;
    const call = request?.path ? googleCallOf(request.path) : undefined;
    if (request && call) started.set(request, { call, at: now() });
  };
  const onHeaders = (message: unknown) => {
    const request = (message as { request?: object }).request;
    const start = request && started.get(request);
    if (!start) return;
    started.delete(request);
    record(start.call, now() - start.at);
  };
  subscribe("undici:request:create", onCreate);
  subscribe("undici:request:headers", onHeaders);
  return () => {
    unsubscribe("undici:request:create", onCreate);
    unsubscribe("undici:request:headers", onHeaders);
  };
}

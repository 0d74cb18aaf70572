/**
 * AWS Signature Version 4, written from AWS's specification with node:crypto only, so the
 * emulator checks google-auth-library's signer instead of trusting it. Used to verify the
 * signed GetCallerIdentity request inside an STS subject token, as AWS would on replay.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** AWS refuses a request whose x-amz-date is more than 15 minutes from its own clock. */
export const SIGV4_MAX_SKEW_MS = 15 * 60 * 1000;

export interface HttpRequestToSign {
  readonly method: string;
  readonly url: string;
  /** Header name -> value; names are compared case-insensitively. */
  readonly headers: Readonly<Record<string, string>>;
  /** @default "" */
  readonly body?: string;
}

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, upper-case hex. */
export function uriEncode(value: string, keepSlash = false): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(ch) || (keepSlash && ch === "/")) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function decode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, "%20"));
}

export function canonicalUri(pathname: string): string {
  if (!pathname) return "/";
  // Non-S3 services encode each path segment twice: once as sent, once more in the canonical form.
  return pathname
    .split("/")
    .map((segment) => uriEncode(uriEncode(decode(segment))))
    .join("/");
}

export function canonicalQueryString(search: string): string {
  const query = search.startsWith("?") ? search.slice(1) : search;
  if (!query) return "";
  return query
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf("=");
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? "" : pair.slice(eq + 1);
      return [uriEncode(decode(key)), uriEncode(decode(value))] as const;
    })
    .sort(([ka, va], [kb, vb]) => (ka === kb ? (va < vb ? -1 : va > vb ? 1 : 0) : ka < kb ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) out.set(name.toLowerCase(), value);
  return out;
}

export function canonicalRequest(
  request: HttpRequestToSign,
  signedHeaders: readonly string[],
): string {
  const url = new URL(request.url);
  const headers = lowerCaseHeaders(request.headers);
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(headers.get(name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  return [
    request.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQueryString(url.search),
    canonicalHeaders,
    signedHeaders.join(";"),
    sha256Hex(request.body ?? ""),
  ].join("\n");
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join("\n");
}

export function computeSignature(
  secret: string,
  amzDate: string,
  region: string,
  service: string,
  canonical: string,
): string {
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${region}/${service}/aws4_request`;
  return createHmac("sha256", signingKey(secret, date, region, service))
    .update(stringToSign(amzDate, scope, canonical), "utf8")
    .digest("hex");
}

/** `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex` */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(";"),
    signature,
  };
}

/** `20240102T030405Z` -> epoch ms; NaN when malformed. */
export function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

export function formatAmzDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/**
 * Signs a request (used by the tests' vectors and to build hand-made subject tokens).
 * Signs `host`, `x-amz-date`, the session token when present and any x-amz-* header given.
 */
export function signRequest(
  request: HttpRequestToSign,
  credentials: SigningCredentials,
  region: string,
  service: string,
  nowMs: number,
): Record<string, string> {
  const url = new URL(request.url);
  const amzDate = formatAmzDate(nowMs);
  const headers: Record<string, string> = { host: url.host, "x-amz-date": amzDate };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const signed = Object.keys(headers).sort();
  const canonical = canonicalRequest({ ...request, headers }, signed);
  const signature = computeSignature(
    credentials.secretAccessKey,
    amzDate,
    region,
    service,
    canonical,
  );
  const date = amzDate.slice(0, 8);
  return {
    ...headers,
    authorization: `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${date}/${region}/${service}/aws4_request, SignedHeaders=${signed.join(";")}, Signature=${signature}`,
  };
}

export type SignatureCheck =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Verifies a signed request the way AWS does: well-formed Authorization, x-amz-date inside
 * the 15-minute window and consistent with the credential scope, every required header
 * signed, the session token matching, and the signature recomputed from the secret.
 */
export function verifySignature(
  request: HttpRequestToSign,
  lookupCredentials: (accessKeyId: string) => SigningCredentials | undefined,
  nowMs: number,
): SignatureCheck {
  const headers = lowerCaseHeaders(request.headers);
  const auth = parseAuthorization(headers.get("authorization") ?? "");
  if (!auth) return { ok: false, reason: "missing or malformed SigV4 Authorization header" };
  const amzDate = headers.get("x-amz-date") ?? "";
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) return { ok: false, reason: `malformed x-amz-date "${amzDate}"` };
  if (Math.abs(nowMs - signedAt) > SIGV4_MAX_SKEW_MS) {
    return {
      ok: false,
      reason: `Signature expired: x-amz-date ${amzDate} is more than 15 minutes from ${formatAmzDate(nowMs)}`,
    };
  }
  if (auth.date !== amzDate.slice(0, 8)) {
    return { ok: false, reason: `credential scope date ${auth.date} does not match ${amzDate}` };
  }
  for (const required of ["host", "x-amz-date"]) {
    if (!auth.signedHeaders.includes(required))
      return { ok: false, reason: `header ${required} is not signed` };
  }
  const credentials = lookupCredentials(auth.accessKeyId);
  if (!credentials) {
    return {
      ok: false,
      reason: `The security token included in the request is invalid (unknown access key ${auth.accessKeyId})`,
    };
  }
  if (credentials.sessionToken) {
    if (!auth.signedHeaders.includes("x-amz-security-token")) {
      return { ok: false, reason: "temporary credentials need a signed x-amz-security-token" };
    }
    if (headers.get("x-amz-security-token") !== credentials.sessionToken) {
      return { ok: false, reason: "The security token included in the request is invalid" };
    }
  }
  const expected = computeSignature(
    credentials.secretAccessKey,
    amzDate,
    auth.region,
    auth.service,
    canonicalRequest(request, auth.signedHeaders),
  );
  const a = Buffer.from(expected, "hex");
  const b = Buffer.from(auth.signature, "hex");
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return {
      ok: false,
      reason:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    };
  }
  return { ok: true, accessKeyId: auth.accessKeyId, region: auth.region };
}

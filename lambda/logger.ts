/**
 * Structured JSON logs, one line per event, written to stdout like Powertools does (so Lambda's
 * JSON log format passes them through). A few dozen lines instead of Powertools Logger: see
 * docs/performance.md, "Lambda bundle variants", for the measurement. Everything passes through `redact`, the only
 * redaction function: secrets are masked and record content is dropped, at every level.
 */

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogAttributes = Record<string, unknown>;

export interface Logger {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
  /** A logger that adds `attributes` to every line (e.g. the request id). */
  child(attributes: LogAttributes): Logger;
}

export interface JsonLoggerOptions {
  /** @default "INFO" */
  readonly level?: LogLevel;
  /** @default a line to process.stdout */
  readonly write?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Attributes on every line, e.g. `{ service: "wif-bridge" }`. @default none */
  readonly attributes?: LogAttributes;
}

export const REDACTED = "[REDACTED]";
/** Keys whose values are secrets, at any depth. */
const SECRET_KEY =
  /token|authorization|credential|secret|password|passwd|signature|cookie|api_?key|access_?key|session_?key|private_?key|client_?secret/i;
/** Keys whose values are record content: never logged, at any level. */
const CONTENT_KEY = /^(record|records|body|row|rows|json|data|payload|value|raw)$/i;

// Pieces of the free-text patterns. A secret may sit in plain text, in JSON (quoted, or
// escaped inside a JSON string) or URL-encoded (the STS request's form body), so quotes and
// separators are matched in all three spellings.
const QUOTE = String.raw`(?:\\*"|%22|')?`;
const SEPARATOR = String.raw`\s*(?::|=|%3A|%3D)\s*`;
const COMMA = String.raw`\s*(?:,|%2C)\s*`;
/** A secret value: up to a quote, separator or space in any of those spellings. */
const VALUE = String.raw`(?:%(?!22|26|2C|7D|5D)[0-9A-Fa-f]{2}|[^\s"'&,;}\]\\%])+`;
const SECRET_NAMES = [
  "x-amz-security-token",
  "x-amz-signature",
  "x-amz-credential",
  "signature",
  "aws_session_token",
  "aws_secret_access_key",
  "secret_?access_?key",
  "session_?token",
  "security_?token",
  "client_?secret",
  "access_?token",
  "refresh_?token",
  "id_?token",
  "subject_?token",
  "private_?key",
  "api_?key",
  "password",
].join("|");

/**
 * Secrets that may hide inside free text (error messages, URLs, serialized requests), each
 * with its replacement. Covered by the corpus in __tests__/lambda/redaction.test.ts.
 */
const SECRET_TEXT: readonly (readonly [RegExp, string])[] = [
  // PEM private keys, whole (or to the end of the text when cut off).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  // A header in the AWS subject token's list form: {"key":"x-amz-security-token","value":"…"}.
  [
    new RegExp(
      `((?:x-amz-security-token|authorization)${QUOTE}${COMMA}${QUOTE}value${QUOTE}${SEPARATOR}${QUOTE})${VALUE}`,
      "gi",
    ),
    `$1${REDACTED}`,
  ],
  // name=value, "name":"value", name: value, in plain, JSON or URL-encoded text.
  [new RegExp(`((?:${SECRET_NAMES})${QUOTE}${SEPARATOR}${QUOTE})${VALUE}`, "gi"), `$1${REDACTED}`],
  // Authorization schemes followed by their credential.
  [/\b(Bearer|Basic)(\s+|%20|\+)[\w.~+/=-]+/gi, `$1$2${REDACTED}`],
  // Google access tokens, refresh tokens, OAuth client secrets, API keys; JWTs (id tokens).
  [/\bya29\.[\w.-]+/g, REDACTED],
  [/\b1\/\/[\w-]{20,}/g, REDACTED],
  [/\bGOCSPX-[\w-]+/g, REDACTED],
  [/\bAIza[\w-]{35}\b/g, REDACTED],
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, REDACTED],
  // AWS access key ids, session tokens (their fixed base64 prefixes) and secret access keys
  // (40 characters of base64 with upper case, lower case and a digit or / or +).
  [/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g, REDACTED],
  [/\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[\w/+=%-]*/g, REDACTED],
  [
    /(?<![\w/+=])(?=[\w/+]{0,39}[a-z])(?=[\w/+]{0,39}[A-Z])(?=[\w/+]{0,39}[\d/+])[\w/+]{40}(?![\w/+=])/g,
    REDACTED,
  ],
];

function redactText(text: string): string {
  return SECRET_TEXT.reduce(
    (out, [pattern, replacement]) => out.replace(pattern, replacement),
    text,
  );
}

/**
 * The one redaction function: a copy of `value` safe to log at any level. Secrets are masked
 * by key and inside text; record content (keys like `record`, `body`, `value`) is dropped;
 * Errors keep only name, message, code and status.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "[too deep]";
  if (value instanceof Error) {
    const e = value as Error & {
      code?: unknown;
      status?: unknown;
      response?: { status?: unknown };
    };
    return {
      name: e.name,
      message: redactText(e.message),
      ...(e.code !== undefined ? { code: redact(e.code, depth + 1) } : {}),
      ...((e.response?.status ?? e.status) !== undefined
        ? { status: e.response?.status ?? e.status }
        : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  // fromEntries: a key "__proto__" stays a key instead of setting the copy's prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      redactText(key),
      SECRET_KEY.test(key) || CONTENT_KEY.test(key) ? REDACTED : redact(item, depth + 1),
    ]),
  );
}

export function parseLogLevel(text: string | undefined): LogLevel {
  const upper = (text ?? "").toUpperCase();
  if (upper === "WARNING") return "WARN";
  if (upper === "TRACE") return "DEBUG";
  if (upper === "FATAL" || upper === "CRITICAL") return "ERROR";
  return (LOG_LEVELS as readonly string[]).includes(upper) ? (upper as LogLevel) : "INFO";
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? "INFO");
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const base = options.attributes ?? {};
  const log = (level: LogLevel, message: string, attributes?: LogAttributes) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const fields = redact({ ...base, ...attributes }) as LogAttributes;
    write(
      JSON.stringify({
        timestamp: new Date(now()).toISOString(),
        level,
        message: redactText(message),
        ...fields,
      }),
    );
  };
  return {
    debug: (m, a) => log("DEBUG", m, a),
    info: (m, a) => log("INFO", m, a),
    warn: (m, a) => log("WARN", m, a),
    error: (m, a) => log("ERROR", m, a),
    child: (attributes) => createJsonLogger({ ...options, attributes: { ...base, ...attributes } }),
  };
}

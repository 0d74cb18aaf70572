/**
 * Structured JSON logs, one line per event, written to stdout like Powertools does (so Lambda's
 * JSON log format passes them through). A few dozen lines instead of Powertools Logger: see the
 * README's Bundle table for the measurement. Everything passes through `redact`: secrets are
 * masked at every level, record content is dropped unless the level is DEBUG.
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
  /token|authorization|credential|secret|password|passwd|signature|cookie|api_?key|access_?key|session_?key|private_?key/i;
/** Keys whose values are record content: logged only at DEBUG. */
const CONTENT_KEY = /^(record|records|body|row|rows|json|data|payload|value)$/i;
/** Secrets that may hide inside free text (error messages): bearer tokens, Google and AWS keys. */
const SECRET_TEXT: [RegExp, string][] = [
  [/(Bearer\s+)[\w.~+/=-]+/gi, `$1${REDACTED}`],
  [/\bya29\.[\w.-]+/g, REDACTED],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED],
  [
    /("?(?:access_token|accessToken|id_token|subject_token|refresh_token)"?\s*[:=]\s*"?)[^"&\s,}]+/g,
    `$1${REDACTED}`,
  ],
  [
    /(X-Amz-Security-Token|X-Amz-Signature|x-amz-security-token)(["']?\s*[:=]\s*["']?)[^"&\s,}]+/g,
    `$1$2${REDACTED}`,
  ],
];

export function redactText(text: string): string {
  return SECRET_TEXT.reduce(
    (out, [pattern, replacement]) => out.replace(pattern, replacement),
    text,
  );
}

/** A copy of `value` safe to log at `level`. Errors keep only name, message, code and status. */
export function redact(value: unknown, level: LogLevel, depth = 0): unknown {
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
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...((e.response?.status ?? e.status) !== undefined
        ? { status: e.response?.status ?? e.status }
        : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, level, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) out[key] = REDACTED;
    else if (CONTENT_KEY.test(key) && level !== "DEBUG") out[key] = REDACTED;
    else out[key] = redact(item, level, depth + 1);
  }
  return out;
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
    const fields = redact({ ...base, ...attributes }, level) as LogAttributes;
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

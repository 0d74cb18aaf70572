/**
 * What the handler accepts: an SQS event (each body one JSON record or a JSON array of records)
 * or a direct invocation `{ "records": [...] }`. Every unit that can fail on its own becomes an
 * IncomingMessage: an SQS message, or one record of a direct invocation.
 *
 * The per-message limits (message-limits.ts) are checked here, on the text before it is
 * parsed and on a direct record before it is serialized. A reason never quotes the content:
 * V8's JSON.parse message carries a snippet of the body, so only its kind and position are kept.
 */
import {
  bodyLimitViolation,
  recordCountViolation,
  valueDepthViolation,
  type LimitName,
  type MessageLimits,
} from "./message-limits";

export interface IncomingMessage {
  /** SQS message id, or `<requestId>:<index>` for a direct invocation's record. */
  readonly messageId: string;
  /** The raw text as received (archived as is). */
  readonly raw: string;
  /** The records it carries, when it parsed. */
  readonly records?: readonly unknown[];
  /** Why it did not parse, or which limit it is over. */
  readonly parseError?: string;
  /** The limit it is over, when that is why it failed. */
  readonly limit?: LimitName;
}

export type ParsedEvent =
  | { readonly kind: "sqs"; readonly messages: readonly IncomingMessage[] }
  | { readonly kind: "direct"; readonly messages: readonly IncomingMessage[] };

interface SqsRecordShape {
  messageId: string;
  body: string;
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEventError";
  }
}

export function parseEvent(event: unknown, requestId: string, limits: MessageLimits): ParsedEvent {
  const e = event as { Records?: unknown; records?: unknown } | null;
  if (e && Array.isArray(e.Records)) {
    return { kind: "sqs", messages: e.Records.map((r, i) => parseSqsRecord(r, i, limits)) };
  }
  if (e && Array.isArray(e.records)) {
    return {
      kind: "direct",
      messages: e.records.map((record, i) =>
        parseDirectRecord(record, `${requestId}:${i}`, limits),
      ),
    };
  }
  throw new InvalidEventError(
    `unsupported event: expected an SQS event ({"Records": [...]}) or a direct invocation ({"records": [...]}), got ${
      // The count, not the keys: an event sent without its wrapper has a record's keys.
      e && typeof e === "object"
        ? `an object with ${count(Object.keys(e).length, "key")}`
        : typeof event
    }`,
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function parseDirectRecord(
  record: unknown,
  messageId: string,
  limits: MessageLimits,
): IncomingMessage {
  // Measured before JSON.stringify, which would recurse into a deep record and throw.
  const tooDeep = valueDepthViolation(record, limits);
  if (tooDeep) return { messageId, raw: "", parseError: tooDeep.reason, limit: tooDeep.limit };
  return { messageId, raw: JSON.stringify(record) ?? "null", records: [record] };
}

function parseSqsRecord(record: unknown, position: number, limits: MessageLimits): IncomingMessage {
  const r = record as Partial<SqsRecordShape> | null;
  if (!r || typeof r.messageId !== "string" || !r.messageId) {
    // Without a message id SQS cannot be told which message failed: the event is malformed.
    throw new InvalidEventError(`SQS record ${position} has no messageId`);
  }
  if (typeof r.body !== "string") {
    return { messageId: r.messageId, raw: "", parseError: "SQS message has no body" };
  }
  const { messageId, body } = r;
  const rejected = (parseError: string, limit?: LimitName): IncomingMessage => ({
    messageId,
    raw: body,
    parseError,
    ...(limit ? { limit } : {}),
  });
  const overLimit = bodyLimitViolation(body, limits);
  if (overLimit) return rejected(overLimit.reason, overLimit.limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return rejected(
      `body is not valid JSON (${jsonSyntaxError(err, body.length)}); expected one JSON record or a JSON array of records`,
    );
  }
  const records = Array.isArray(parsed) ? parsed : [parsed];
  const tooMany = recordCountViolation(records.length, limits);
  if (tooMany) return rejected(tooMany.reason, tooMany.limit);
  return { messageId, raw: body, records };
}

/** V8's kinds of JSON syntax error; its messages also quote the body, which is never logged. */
const SYNTAX_ERROR_KINDS = [
  "Unexpected end of JSON input",
  "Unexpected token",
  "Unexpected non-whitespace character after JSON",
  "Unterminated string in JSON",
  "Bad control character in string literal",
  "Bad escaped character",
  "Bad Unicode escape",
  "Expected property name or '}'",
  "Expected double-quoted property name",
  "Expected ',' or '}' after property value",
  "Expected ',' or ']' after array element",
  "Expected ':' after property name",
  "Exponent part is missing a number",
  "No number after minus sign",
  "Unterminated fractional number",
];

/** The syntax error's kind and position, without any of the text around it. */
export function jsonSyntaxError(err: unknown, length: number): string {
  const message = err instanceof Error ? err.message : "";
  const kind = SYNTAX_ERROR_KINDS.find((k) => message.startsWith(k)) ?? "syntax error";
  const position = /\bat position (\d+)/.exec(message)?.[1];
  return `${kind}${position ? ` at character ${position}` : ""} of ${length}`;
}

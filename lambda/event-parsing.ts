/**
 * What the handler accepts: an SQS event (each body one JSON record or a JSON array of records)
 * or a direct invocation `{ "records": [...] }`. Every unit that can fail on its own becomes an
 * IncomingMessage: an SQS message, or one record of a direct invocation.
 */

export interface IncomingMessage {
  /** SQS message id, or `<requestId>:<index>` for a direct invocation's record. */
  readonly messageId: string;
  /** The raw text as received (archived as is). */
  readonly raw: string;
  /** The records it carries, when it parsed. */
  readonly records?: readonly unknown[];
  /** Why it did not parse. */
  readonly parseError?: string;
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

export function parseEvent(event: unknown, requestId: string): ParsedEvent {
  const e = event as { Records?: unknown; records?: unknown } | null;
  if (e && Array.isArray(e.Records)) {
    return { kind: "sqs", messages: e.Records.map((r, i) => parseSqsRecord(r, i)) };
  }
  if (e && Array.isArray(e.records)) {
    return {
      kind: "direct",
      messages: e.records.map((record, i) => ({
        messageId: `${requestId}:${i}`,
        raw: JSON.stringify(record) ?? "null",
        records: [record],
      })),
    };
  }
  throw new InvalidEventError(
    `unsupported event: expected an SQS event ({"Records": [...]}) or a direct invocation ({"records": [...]}), got ${
      e && typeof e === "object"
        ? `an object with keys ${Object.keys(e).join(", ") || "(none)"}`
        : typeof event
    }`,
  );
}

function parseSqsRecord(record: unknown, position: number): IncomingMessage {
  const r = record as Partial<SqsRecordShape> | null;
  if (!r || typeof r.messageId !== "string" || !r.messageId) {
    // Without a message id SQS cannot be told which message failed: the event is malformed.
    throw new InvalidEventError(`SQS record ${position} has no messageId`);
  }
  if (typeof r.body !== "string") {
    return { messageId: r.messageId, raw: "", parseError: "SQS message has no body" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body);
  } catch (err) {
    return {
      messageId: r.messageId,
      raw: r.body,
      parseError: `body is not valid JSON (${(err as Error).message}); expected one JSON record or a JSON array of records`,
    };
  }
  return {
    messageId: r.messageId,
    raw: r.body,
    records: Array.isArray(parsed) ? parsed : [parsed],
  };
}

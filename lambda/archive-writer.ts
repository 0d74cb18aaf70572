/**
 * The optional raw-batch archive: the batch as received, one NDJSON line per message, uploaded
 * to Cloud Storage (JSON API media upload) BEFORE the insert, at
 * `<prefix>raw/dt=YYYY-MM-DD/<requestId>.ndjson` (the prefix is the pipeline's, "" for a
 * single-pipeline environment). `ifGenerationMatch=0` makes the upload create-only:
 * the role has objectCreator (no overwrite), and a retry after a lost answer gets 412, which
 * means the object is already there.
 */
import type { IncomingMessage } from "./event-parsing";
import {
  describeGoogleError,
  failureMessage,
  statusOf,
  type DescribedGoogleError,
} from "./google-errors";
import { withGoogleRetry, type GoogleCallProps } from "./google-call";

export interface ArchiveProps extends GoogleCallProps {
  readonly storageEndpoint: string;
  readonly bucket: string;
}

export function archiveObjectName(requestId: string, now: Date, prefix = ""): string {
  const safeId = requestId.replace(/[^\w.-]/g, "_");
  return `${prefix}raw/dt=${now.toISOString().slice(0, 10)}/${safeId}.ndjson`;
}

/** One line per message: its id and its body exactly as received. */
export function toNdjson(messages: readonly IncomingMessage[]): string {
  return (
    messages.map((m) => JSON.stringify({ messageId: m.messageId, body: m.raw })).join("\n") + "\n"
  );
}

export function uploadUrl(storageEndpoint: string, bucket: string, objectName: string): string {
  return (
    `${storageEndpoint}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o` +
    `?uploadType=media&name=${encodeURIComponent(objectName)}&ifGenerationMatch=0`
  );
}

/**
 * The archive step failed. It carries what Google answered, because the upload is the
 * invocation's first Google call: an STS or IAM refusal, or a spent time budget, surfaces here
 * and must be counted as what it is, not as an archive problem.
 */
export class ArchiveFailedError extends Error {
  constructor(readonly described: DescribedGoogleError) {
    super(failureMessage(described, "archive"));
    this.name = "ArchiveFailedError";
  }
}

/** Uploads the batch; throws an ArchiveFailedError with an actionable message when it cannot. */
export async function archiveBatch(
  messages: readonly IncomingMessage[],
  objectName: string,
  props: ArchiveProps,
): Promise<{ bytes: number }> {
  const body = toNdjson(messages);
  const operation = `Cloud Storage upload gs://${props.bucket}/${objectName}`;
  try {
    await withGoogleRetry(
      props,
      operation,
      "retrying archive upload",
      async (_attempt, timeout) => {
        try {
          return await props.request<unknown>({
            url: uploadUrl(props.storageEndpoint, props.bucket, objectName),
            method: "POST",
            headers: { "content-type": "application/x-ndjson" },
            data: body,
            timeout,
            responseType: "json",
          });
        } catch (err) {
          if (statusOf(err) === 412) return undefined; // an earlier attempt already wrote it
          throw err;
        }
      },
    );
  } catch (err) {
    // An STS or IAM failure is reported as what it is, not as an archive problem.
    throw new ArchiveFailedError(describeGoogleError(err, props.errorContext));
  }
  return { bytes: Buffer.byteLength(body, "utf8") };
}

/**
 * Entry point: SQS batches (or `{ records: [...] }`) into BigQuery through the keyless client.
 */
import { createGoogleClient } from "./google-client";
import { readRuntimeConfig } from "./runtime-config";

const config = readRuntimeConfig();
const client = createGoogleClient(config);

interface SqsRecordLike {
  messageId: string;
  body: string;
}

export async function handler(event: { Records?: SqsRecordLike[]; records?: unknown[] }) {
  const rows = event.Records
    ? event.Records.map((r) => ({ insertId: r.messageId, json: JSON.parse(r.body) }))
    : (event.records ?? []).map((json) => ({ json }));
  const url = `${config.bigqueryEndpoint}/bigquery/v2/projects/${config.projectId}/datasets/${config.datasetId}/tables/${config.tableId}/insertAll`;
  const res = await client.request<{ insertErrors?: unknown[] }>({
    url,
    method: "POST",
    data: { rows },
  });
  return { inserted: rows.length, insertErrors: res.data.insertErrors ?? [] };
}

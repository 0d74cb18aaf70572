/**
 * Entry point (`index.handler`): SQS batches (or `{ records: [...] }`) into BigQuery through
 * the keyless client. Config, client and logger are built once per container, at module
 * scope, so a warm invocation reuses the cached Google token.
 */
import { createGoogleClient, googleRequestFor } from "./google-client";
import { readRuntimeConfig } from "./runtime-config";
import { createHandler } from "./create-handler";
import { createJsonLogger, parseLogLevel } from "./logger";

const config = readRuntimeConfig();
const client = createGoogleClient(config);

export const handler = createHandler({
  config,
  request: googleRequestFor(client),
  logger: createJsonLogger({
    level: parseLogLevel(config.logLevel),
    attributes: { service: config.functionName ?? "wif-bridge" },
  }),
});

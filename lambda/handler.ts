/**
 * Entry point (`index.handler`): SQS batches (or `{ records: [...] }`) into BigQuery through
 * the keyless client. Config, client and logger are built once per container, at module
 * scope, so a warm invocation reuses the cached Google token.
 */
import { createGoogleClient, googleRequestFor } from "./google-client";
import { readRuntimeConfig } from "./runtime-config";
import { createHandler } from "./create-handler";
import { createJsonLogger, parseLogLevel } from "./logger";
import { createEmfMetrics } from "./metrics";
import { timeGoogleCalls } from "./google-call-timing";
import { LAMBDA_ENV } from "../stacks/federation/lambda-environment";

const config = readRuntimeConfig();
const client = createGoogleClient(config);
// The stack sets the namespace (wif-bridge/<environment>); the fallback keeps metrics apart.
const metrics = createEmfMetrics({
  namespace: process.env[LAMBDA_ENV.metricsNamespace] || "wif-bridge",
  serviceName: config.functionName ?? "wif-bridge",
});
timeGoogleCalls((call, ms) => metrics.googleCallLatency(call, ms));
client.on("tokens", () => metrics.tokenRefreshed());

export const handler = createHandler({
  config,
  request: googleRequestFor(client),
  metrics,
  logger: createJsonLogger({
    level: parseLogLevel(config.logLevel),
    attributes: { service: config.functionName ?? "wif-bridge" },
  }),
});

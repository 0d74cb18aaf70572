/** Shared pieces of the Lambda tests: config, clock, captured logs, events. */
import { Gaxios } from "gaxios";
import type { RuntimeConfig } from "../../lambda/runtime-config";
import type { Clock } from "../../lambda/clock";
import type { GoogleRequest } from "../../lambda/google-request";
import { createJsonLogger, type LogLevel } from "../../lambda/logger";
import type { TableField } from "../../stacks/schema/table-schema";
import { externalAccountConfig } from "../../stacks/federation/credential-config";
import { LAMBDA_ENV } from "../../stacks/federation/lambda-environment";

export const TABLE_SCHEMA: TableField[] = [
  { name: "event_id", type: "STRING", mode: "REQUIRED" },
  { name: "event_time", type: "TIMESTAMP", mode: "REQUIRED" },
  { name: "source", type: "STRING", mode: "REQUIRED" },
  { name: "amount", type: "NUMERIC" },
  { name: "tags", type: "STRING", mode: "REPEATED" },
  {
    name: "attributes",
    type: "RECORD",
    fields: [
      { name: "key", type: "STRING", mode: "REQUIRED" },
      { name: "value", type: "STRING" },
    ],
  },
];

export const EXPECTED_ROLE_ARN = "arn:aws:sts::111122223333:assumed-role/wif-bridge-test-exec";

export function runtimeConfig(endpoint: string, patch: Partial<RuntimeConfig> = {}): RuntimeConfig {
  return {
    credentialConfig: externalAccountConfig({
      audience:
        "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool-test/providers/aws-test",
      awsPartition: "aws",
      serviceAccountEmail: "wif-test@proj-test.iam.gserviceaccount.com",
      tokenUrl: `${endpoint}/v1/token`,
      iamCredentialsEndpoint: endpoint,
    }),
    projectId: "proj-test",
    datasetId: "ds_test",
    tableId: "events",
    expectedRoleArn: EXPECTED_ROLE_ARN,
    bigqueryEndpoint: endpoint,
    storageEndpoint: endpoint,
    tableSchema: TABLE_SCHEMA,
    functionName: "wif-bridge-test",
    ...patch,
  };
}

/** The table the tests write to, as the fake of Google knows it. */
export const TEST_TABLE = { projectId: "proj-test", datasetId: "ds_test", tableId: "events" };

/** What Lambda sets for the function's AWS identity (fake values, in the shapes AWS uses). */
export const AWS_TEST_ENV = {
  AWS_ACCESS_KEY_ID: "ASIAEXAMPLEEXAMPLE12",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN",
  AWS_REGION: "eu-west-1",
  AWS_LAMBDA_FUNCTION_NAME: "wif-bridge-test",
};

/** The environment the stack sets on the function, pointed at a local fake of Google. */
export function functionEnvironment(endpoint: string): Record<string, string> {
  const config = runtimeConfig(endpoint);
  return {
    ...AWS_TEST_ENV,
    [LAMBDA_ENV.credentialConfig]: JSON.stringify(config.credentialConfig),
    [LAMBDA_ENV.projectId]: config.projectId,
    [LAMBDA_ENV.datasetId]: config.datasetId,
    [LAMBDA_ENV.tableId]: config.tableId,
    [LAMBDA_ENV.expectedRoleArn]: config.expectedRoleArn!,
    [LAMBDA_ENV.bigqueryEndpoint]: endpoint,
    [LAMBDA_ENV.storageEndpoint]: endpoint,
  };
}

/** A clock that never waits: sleeping advances time (and the Lambda's remaining time with it). */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(
    public time = Date.UTC(2026, 4, 17, 10, 0, 0),
    private readonly randoms: number[] = [],
  ) {}
  now = () => this.time;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.time += ms;
  };
  random = () => this.randoms.shift() ?? 0.5;
}

/** A Lambda context whose remaining time follows the fake clock. */
export function lambdaContext(clock: FakeClock, timeoutMs = 60_000, awsRequestId = "req-1") {
  const deadline = clock.time + timeoutMs;
  return { awsRequestId, getRemainingTimeInMillis: () => deadline - clock.time };
}

export function capturedLogger(level: LogLevel = "INFO") {
  const lines: string[] = [];
  const logger = createJsonLogger({ level, write: (line) => lines.push(line), now: () => 0 });
  return {
    logger,
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A request function that is plain gaxios (real error shapes) with a fixed token, no STS. */
export function plainRequest(token = "ya29.sa-token-secret"): GoogleRequest {
  const gaxios = new Gaxios({ fetchImplementation: fetch });
  return async <T>(options: Parameters<GoogleRequest>[0]) => {
    const response = await gaxios.request<T>({
      ...options,
      headers: { ...options.headers, authorization: `Bearer ${token}` },
    });
    return { status: response.status, data: response.data };
  };
}

export function validRecord(n: number): Record<string, unknown> {
  return {
    event_id: `e-${n}`,
    event_time: "2026-05-17T10:00:00Z",
    source: "test",
    amount: "12.50",
    tags: ["a"],
  };
}

export function sqsEvent(bodies: { id: string; body: string }[]) {
  return {
    Records: bodies.map(({ id, body }) => ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body,
      attributes: {},
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:111122223333:wif-bridge-test",
      awsRegion: "eu-west-1",
    })),
  };
}

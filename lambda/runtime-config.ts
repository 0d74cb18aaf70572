/** The Lambda's configuration, read once from its environment at cold start. */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAMBDA_ENV, TABLE_SCHEMA_FILE } from "../stacks/federation/lambda-environment";
import type { ExternalAccountConfig } from "../stacks/federation/credential-config";
import type { TableField } from "../stacks/schema/table-schema";

export interface RuntimeConfig {
  readonly credentialConfig: ExternalAccountConfig;
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
  readonly archiveBucket?: string;
  /** Object prefix the pipeline may create under ("" = the bucket root). */
  readonly archivePrefix?: string;
  readonly expectedRoleArn?: string;
  readonly bigqueryEndpoint: string;
  readonly storageEndpoint: string;
  readonly tableSchema: readonly TableField[];
  /** Lambda's function name (AWS_LAMBDA_FUNCTION_NAME), named in error messages. */
  readonly functionName?: string;
  /** AWS_LAMBDA_LOG_LEVEL (Lambda's application log level) or LOG_LEVEL. @default "INFO" */
  readonly logLevel?: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set; the stack sets it on the function`);
  return value;
}

export function readRuntimeConfig(
  env: NodeJS.ProcessEnv = process.env,
  schemaDir: string = __dirname,
): RuntimeConfig {
  let credentialConfig: ExternalAccountConfig;
  try {
    credentialConfig = JSON.parse(
      required(env, LAMBDA_ENV.credentialConfig),
    ) as ExternalAccountConfig;
  } catch (err) {
    throw new Error(`${LAMBDA_ENV.credentialConfig} is not valid JSON: ${(err as Error).message}`);
  }
  const schemaFile = path.join(schemaDir, TABLE_SCHEMA_FILE);
  return {
    credentialConfig,
    projectId: required(env, LAMBDA_ENV.projectId),
    datasetId: required(env, LAMBDA_ENV.datasetId),
    tableId: required(env, LAMBDA_ENV.tableId),
    archiveBucket: env[LAMBDA_ENV.archiveBucket] || undefined,
    archivePrefix: env[LAMBDA_ENV.archivePrefix] ?? "",
    expectedRoleArn: env[LAMBDA_ENV.expectedRoleArn] || undefined,
    bigqueryEndpoint: (
      env[LAMBDA_ENV.bigqueryEndpoint] || "https://bigquery.googleapis.com"
    ).replace(/\/$/, ""),
    storageEndpoint: (env[LAMBDA_ENV.storageEndpoint] || "https://storage.googleapis.com").replace(
      /\/$/,
      "",
    ),
    tableSchema: readTableSchema(schemaFile),
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || undefined,
    logLevel: env.AWS_LAMBDA_LOG_LEVEL || env.LOG_LEVEL || undefined,
  };
}

function readTableSchema(file: string): TableField[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(
      `cannot read the table schema ${file} (${(err as Error).message}); the bundle ships it next to index.js`,
    );
  }
  const schema = JSON.parse(text) as unknown;
  if (!Array.isArray(schema) || schema.length === 0)
    throw new Error(`${file} must be a non-empty JSON array of table fields`);
  return schema as TableField[];
}

/**
 * One environment's configuration: the schema, the loader and the messages a user sees when a
 * file is wrong. Every check that Google or AWS would otherwise only make at apply time (ids,
 * lengths, the 127-byte google.subject) is made here, before synth, and all problems of a file
 * are reported together.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { googleSubject, GOOGLE_SUBJECT_MAX_BYTES } from "./federation/attribute-mapping";
import {
  FIELD_MODES,
  FIELD_TYPES,
  isRecordType,
  PARTITIONABLE_TYPES,
  type TableField,
} from "./schema/table-schema";
import { minimumLambdaTimeoutSeconds } from "../lambda/retry";

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

export const LAMBDA_RUNTIMES = ["nodejs20.x", "nodejs22.x", "nodejs24.x"] as const;

const poolOrProviderId = (what: string) =>
  z
    .string()
    .regex(
      /^[a-z0-9-]{4,32}$/,
      `expected a ${what} id of 4-32 characters from [a-z0-9-], e.g. "aws-lambda-dev"`,
    )
    .refine((id) => !id.startsWith("gcp-"), {
      message: `the prefix "gcp-" is reserved by Google; choose a ${what} id that does not start with it`,
    });

const tableField: z.ZodType<TableField> = z.lazy(() =>
  z
    .strictObject({
      name: z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_]{0,299}$/,
          "expected a column name of letters, digits and underscores, not starting with a digit (max 300)",
        ),
      type: z.enum(FIELD_TYPES, {
        error: `expected a BigQuery type: one of ${FIELD_TYPES.join(", ")}`,
      }),
      mode: z
        .enum(FIELD_MODES, { error: `expected a mode: one of ${FIELD_MODES.join(", ")}` })
        .optional(),
      description: z
        .string()
        .max(1024, "expected a description of at most 1024 characters")
        .optional(),
      fields: z.array(tableField).min(1, "a RECORD needs at least one sub-field").optional(),
    })
    .superRefine((field, ctx) => {
      if (isRecordType(field.type) && !field.fields) {
        ctx.addIssue({
          code: "custom",
          path: ["fields"],
          input: field.fields,
          message: `column "${field.name}" is a ${field.type}: list its sub-fields in "fields"`,
        });
      }
      if (!isRecordType(field.type) && field.fields) {
        ctx.addIssue({
          code: "custom",
          path: ["fields"],
          input: field.fields,
          message: `column "${field.name}" is a ${field.type}: only RECORD/STRUCT columns have "fields"; remove it or change the type`,
        });
      }
      if (field.fields) checkUniqueNames(field.fields, ctx, ["fields"]);
    }),
);

function checkUniqueNames(
  fields: readonly TableField[],
  ctx: z.RefinementCtx,
  base: (string | number)[],
): void {
  const seen = new Map<string, number>();
  fields.forEach((field, index) => {
    const key = field.name.toLowerCase();
    if (seen.has(key)) {
      ctx.addIssue({
        code: "custom",
        path: [...base, index, "name"],
        input: field.name,
        message: `column names are case-insensitive in BigQuery: "${field.name}" repeats column ${seen.get(key)}; rename one`,
      });
    } else {
      seen.set(key, index);
    }
  });
}

const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region, e.g. "eu-west-1"');

/** A state object path: Terraform refuses a leading or trailing "/" and empty segments. */
const statePath = (what: string, example: string) =>
  z
    .string()
    .min(1, `expected a non-empty ${what}, e.g. "${example}"`)
    .refine((p) => !p.startsWith("/") && !p.endsWith("/") && !p.includes("//"), {
      message: `expected a ${what} without a leading or trailing "/" or "//", e.g. "${example}"`,
    });

/**
 * Where Terraform keeps this environment's state. Local (the default) suits one operator;
 * a team uses S3 (locked by a lock file next to the state) or GCS (locked natively).
 */
export const stateSchema = z.discriminatedUnion(
  "backend",
  [
    z.strictObject({
      backend: z.literal("local"),
      /** Relative to cdktf.out/stacks/<environment>/. @default "../../../terraform.<environment>.tfstate" (the project root) */
      path: z
        .string()
        .min(1, 'expected a relative path, e.g. "../../../terraform.dev.tfstate"')
        .refine((p) => !path.isAbsolute(p), {
          message:
            "expected a relative path (from cdktf.out/stacks/<environment>/) so the synthesized JSON is the same on every machine",
        })
        .optional(),
    }),
    z.strictObject({
      backend: z.literal("s3"),
      bucket: z
        .string({
          error: 'expected the name of the S3 bucket that holds state, e.g. "acme-terraform-state"',
        })
        .regex(
          /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
          'expected an S3 bucket name of 3-63 characters from [a-z0-9.-], starting and ending with a letter or digit, e.g. "acme-terraform-state"',
        )
        .refine((name) => !name.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(name), {
          message: 'expected an S3 bucket name without ".." that is not an IP address',
        }),
      /** @default "wif-bridge/<environment>.tfstate" */
      key: statePath("state key", "wif-bridge/prod.tfstate").optional(),
      /** Region of the state bucket. @default aws.region */
      region: awsRegion.optional(),
      /** Server-side encryption of the state object. @default true */
      encrypt: z.boolean().default(true),
      /** S3-native locking (a .tflock object; Terraform >= 1.10, OpenTofu >= 1.8). @default true */
      useLockfile: z.boolean().default(true),
    }),
    z.strictObject({
      backend: z.literal("gcs"),
      bucket: z
        .string({
          error:
            'expected the name of the GCS bucket that holds state, e.g. "acme-terraform-state"',
        })
        .regex(
          /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/,
          'expected a GCS bucket name of 3-63 characters from [a-z0-9._-], starting and ending with a letter or digit, e.g. "acme-terraform-state"',
        )
        .refine((name) => !name.includes("goog"), {
          message: 'bucket names may not contain "goog"; choose another name',
        }),
      /** @default "wif-bridge/<environment>" */
      prefix: statePath("state prefix", "wif-bridge/dev").optional(),
    }),
  ],
  { error: 'expected state.backend to be "local" (default), "s3" or "gcs"' },
);

/** With idSuffix "random", Google ids get "-" plus 4 hex characters of a random_id. */
export const RANDOM_ID_SUFFIX_LENGTH = 5;
const POOL_OR_PROVIDER_ID_MAX = 32;

const labels = z
  .record(
    z
      .string()
      .regex(
        /^[a-z][a-z0-9_-]{0,62}$/,
        "expected a label key of 1-63 characters from [a-z0-9_-], starting with a letter",
      ),
    z
      .string()
      .regex(
        /^[a-z0-9_-]{0,63}$/,
        "expected a label value of at most 63 characters from [a-z0-9_-]",
      ),
  )
  .default({});

export const bridgeConfigSchema = z
  .strictObject({
    /** JSON-schema pointer for editors; ignored. */
    $schema: z.string().optional(),
    environment: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,19}$/,
        'expected an environment name of 1-20 characters from [a-z0-9-], starting with a letter, e.g. "dev"',
      ),
    aws: z.strictObject({
      accountId: z
        .string({
          error: 'expected the AWS account id as a string of 12 digits, e.g. "123456789012"',
        })
        .regex(/^\d{12}$/, 'expected a 12-digit AWS account id, e.g. "123456789012"'),
      region: awsRegion,
    }),
    gcp: z.strictObject({
      projectId: z
        .string()
        .regex(
          /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
          'expected a GCP project id: 6-30 characters from [a-z0-9-], starting with a letter, e.g. "acme-data-dev"',
        ),
      projectNumber: z
        .string({ error: 'expected the project number as a string of digits, e.g. "123456789012"' })
        .regex(/^\d{6,20}$/, 'expected a GCP project number (digits only), e.g. "123456789012"')
        .optional(),
      region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'expected a GCP region, e.g. "europe-west1"'),
    }),
    federation: z.strictObject({
      poolId: poolOrProviderId("pool"),
      providerId: poolOrProviderId("provider"),
      accessMode: z
        .enum(["impersonation", "direct"], {
          error:
            'expected "impersonation" (a service account; default) or "direct" (roles on the federated principal)',
        })
        .default("impersonation"),
      /** @default "wif-<environment>" (impersonation mode only) */
      serviceAccountId: z
        .string()
        .regex(
          /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
          "expected a service account id of 6-30 characters from [a-z0-9-], starting with a letter",
        )
        .optional(),
      /**
       * Appended as "-<suffix>" to the pool and provider ids, so an environment can be destroyed
       * and deployed again while Google still holds the old ids (soft delete, ~30 days).
       * "random": a random_id kept in state; any other value is used as is (bump it to recreate).
       * @default none (stable ids, for long-lived environments)
       */
      idSuffix: z
        .string()
        .regex(
          /^[a-z0-9]{1,8}$/,
          'expected "random" or a fixed suffix of 1-8 characters from [a-z0-9], e.g. "r2"',
        )
        .optional(),
    }),
    lambda: z
      .strictObject({
        /** @default "wif-bridge-<environment>" */
        functionName: z
          .string()
          .regex(
            /^[A-Za-z0-9_-]{1,64}$/,
            "expected a Lambda function name of 1-64 characters from [A-Za-z0-9_-]",
          )
          .optional(),
        /** @default "<functionName>-exec" */
        roleName: z
          .string()
          .regex(
            /^[\w+=,.@-]{1,64}$/,
            "expected an IAM role name of 1-64 characters from [A-Za-z0-9_+=,.@-]",
          )
          .optional(),
        memoryMb: z
          .number()
          .int("expected a whole number of MB")
          .min(128, "expected at least 128 MB")
          .max(10240, "expected at most 10240 MB")
          .default(256),
        timeoutSeconds: z
          .number()
          .int("expected a whole number of seconds")
          // The runtime keeps a safety margin for reporting; below this no attempt would fit.
          .min(
            minimumLambdaTimeoutSeconds(),
            `expected at least ${minimumLambdaTimeoutSeconds()} seconds: the runtime keeps a safety margin to report failures, and below this no Google call fits (lambda/retry.ts)`,
          )
          .max(900, "expected at most 900 seconds (Lambda's limit)")
          .default(60),
        runtime: z
          .enum(LAMBDA_RUNTIMES, { error: `expected one of ${LAMBDA_RUNTIMES.join(", ")}` })
          .default("nodejs22.x"),
        architecture: z
          .enum(["arm64", "x86_64"], { error: 'expected "arm64" or "x86_64"' })
          .default("arm64"),
        logRetentionDays: z
          .number()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
            message: `expected a CloudWatch retention: one of ${LOG_RETENTION_DAYS.join(", ")}`,
          })
          .default(30),
      })
      .prefault({}),
    queue: z
      .strictObject({
        /** Records per Lambda invocation. @default 100 */
        batchSize: z
          .number()
          .int("expected a whole number")
          .min(1, "expected at least 1")
          .max(10000, "expected at most 10000 (SQS's limit)")
          .default(100),
        /** Seconds SQS may wait to fill a batch. @default 5 */
        maxBatchingWindowSeconds: z
          .number()
          .int("expected a whole number of seconds")
          .min(0, "expected 0 or more")
          .max(300, "expected at most 300 seconds (SQS's limit)")
          .default(5),
        /** Receives before a message moves to the dead-letter queue. @default 5 */
        maxReceiveCount: z
          .number()
          .int("expected a whole number")
          .min(1, "expected at least 1")
          .max(1000, "expected at most 1000")
          .default(5),
      })
      .prefault({}),
    bigquery: z.strictObject({
      location: z.string().min(2, 'expected a BigQuery location, e.g. "EU" or "europe-west1"'),
      datasetId: z
        .string()
        .regex(
          /^[A-Za-z0-9_]{1,1024}$/,
          'expected a dataset id of letters, digits and underscores, e.g. "wif_bridge_dev"',
        ),
      tableId: z
        .string()
        .regex(
          /^[A-Za-z0-9_]{1,1024}$/,
          'expected a table id of letters, digits and underscores, e.g. "events"',
        ),
      schema: z.array(tableField).min(1, "expected at least one column"),
      partitioning: z
        .strictObject({
          field: z.string(),
          type: z
            .enum(["HOUR", "DAY", "MONTH", "YEAR"], {
              error: 'expected "HOUR", "DAY", "MONTH" or "YEAR"',
            })
            .default("DAY"),
          expirationDays: z
            .number()
            .int()
            .positive("expected a positive number of days")
            .optional(),
        })
        .optional(),
      /** @default true */
      deletionProtection: z.boolean().default(true),
    }),
    archive: z
      .strictObject({
        bucketName: z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/,
            "expected a bucket name of 3-63 characters from [a-z0-9._-], starting and ending with a letter or digit",
          )
          .refine((name) => !name.includes("goog"), {
            message: 'bucket names may not contain "goog"; choose another name',
          }),
        /** @default the BigQuery location */
        location: z.string().min(2).optional(),
        /** Days before archived batches are deleted; unset keeps them. */
        retentionDays: z.number().int().positive("expected a positive number of days").optional(),
      })
      .optional(),
    labels,
    state: stateSchema.prefault({ backend: "local" }),
  })
  .superRefine((config, ctx) => {
    const names = resolveNames(config);
    const subject = googleSubject(config.aws.accountId, names.roleName, names.functionName);
    const bytes = Buffer.byteLength(subject, "utf8");
    if (bytes > GOOGLE_SUBJECT_MAX_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: ["lambda", "roleName"],
        input: subject,
        message: `google.subject "${subject}" is ${bytes} bytes; Google refuses more than ${GOOGLE_SUBJECT_MAX_BYTES}. Shorten lambda.roleName or lambda.functionName by ${bytes - GOOGLE_SUBJECT_MAX_BYTES}`,
      });
    }
    if (config.queue.batchSize > 10 && config.queue.maxBatchingWindowSeconds < 1) {
      ctx.addIssue({
        code: "custom",
        path: ["queue", "maxBatchingWindowSeconds"],
        input: config.queue.maxBatchingWindowSeconds,
        message: `AWS refuses a batch size above 10 (queue.batchSize is ${config.queue.batchSize}) without a batching window; set it to at least 1, or queue.batchSize to 10 or less`,
      });
    }
    checkUniqueNames(config.bigquery.schema, ctx, ["bigquery", "schema"]);
    const partitioning = config.bigquery.partitioning;
    if (partitioning && config.bigquery.schema.length > 0) {
      const column = config.bigquery.schema.find((f) => f.name === partitioning.field);
      if (!column) {
        ctx.addIssue({
          code: "custom",
          path: ["bigquery", "partitioning", "field"],
          input: partitioning.field,
          message: `no top-level column named "${partitioning.field}"; use one of: ${config.bigquery.schema.map((f) => f.name).join(", ")}`,
        });
      } else if (!PARTITIONABLE_TYPES.includes(column.type) || column.mode === "REPEATED") {
        ctx.addIssue({
          code: "custom",
          path: ["bigquery", "partitioning", "field"],
          input: partitioning.field,
          message: `column "${column.name}" is ${column.mode ?? "NULLABLE"} ${column.type}; partition on a non-repeated ${PARTITIONABLE_TYPES.join(", ")} column`,
        });
      }
    }
    const suffix = config.federation.idSuffix;
    if (suffix) {
      const added = suffix === "random" ? RANDOM_ID_SUFFIX_LENGTH : suffix.length + 1;
      for (const field of ["poolId", "providerId"] as const) {
        const id = config.federation[field];
        if (id.length + added > POOL_OR_PROVIDER_ID_MAX) {
          ctx.addIssue({
            code: "custom",
            path: ["federation", field],
            input: id,
            message: `with idSuffix "${suffix}" (${added} more characters) this id would be ${id.length + added} characters; Google allows ${POOL_OR_PROVIDER_ID_MAX}. Shorten federation.${field} to at most ${POOL_OR_PROVIDER_ID_MAX - added}`,
          });
        }
      }
    }
    if (config.federation.accessMode === "direct" && config.federation.serviceAccountId) {
      ctx.addIssue({
        code: "custom",
        path: ["federation", "serviceAccountId"],
        input: config.federation.serviceAccountId,
        message:
          'direct access mode uses no service account; remove serviceAccountId or set accessMode to "impersonation"',
      });
    }
  });

type ParsedConfig = z.output<typeof bridgeConfigSchema>;

/** Names derived from the config once, so the stack, the Lambda and the tools agree. */
export interface ResolvedNames {
  readonly functionName: string;
  readonly roleName: string;
  readonly logGroupName: string;
  /** Service account id (impersonation mode), else undefined. */
  readonly serviceAccountId?: string;
}

function resolveNames(
  config: Pick<ParsedConfig, "environment" | "lambda" | "federation">,
): ResolvedNames {
  const functionName = config.lambda.functionName ?? `wif-bridge-${config.environment}`;
  return {
    functionName,
    roleName: config.lambda.roleName ?? `${functionName}-exec`,
    logGroupName: `/aws/lambda/${functionName}`,
    serviceAccountId:
      config.federation.accessMode === "impersonation"
        ? (config.federation.serviceAccountId ?? `wif-${config.environment}`)
        : undefined,
  };
}

/** A validated environment configuration with every default and derived name filled in. */
export type BridgeConfig = ParsedConfig & {
  readonly names: ResolvedNames;
  readonly source: string;
};

export interface ConfigProblem {
  /** Dotted path of the field, e.g. "aws.accountId". */
  readonly field: string;
  /** The value found there (undefined when missing). */
  readonly value: unknown;
  /** What is wrong and the expected form. */
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${source} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems
          .map((p) => `  - ${p.field || "(root)"}: ${describeValue(p.value)} ${p.message}`)
          .join("\n"),
    );
    this.name = "ConfigError";
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return "missing;";
  const text = JSON.stringify(value);
  return `got ${text.length > 80 ? `${text.slice(0, 77)}...` : text};`;
}

function formatPath(pathParts: readonly PropertyKey[]): string {
  return pathParts
    .map((part, i) =>
      typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""}: remove ${issue.keys.map((k) => `"${k}"`).join(", ")} or check the spelling`;
    case "invalid_key":
      // A record key failed its own check: its message says what a key must look like.
      return issue.issues.map((inner) => inner.message).join("; ");
    default:
      return issue.message;
  }
}

/** Validates a parsed JSON value; `source` names the file in messages. */
export function parseConfig(raw: unknown, source: string): BridgeConfig {
  const result = bridgeConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => ({
        field: formatPath(issue.path),
        value: issue.code === "unrecognized_keys" ? issue.keys : issue.input,
        message: issueMessage(issue),
      })),
    );
  }
  return { ...result.data, names: resolveNames(result.data), source };
}

/** Reads and validates one environment file, e.g. `config/dev.json`. */
export function loadConfig(file: string): BridgeConfig {
  const source = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read config ${source}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, [
      {
        field: "",
        value: undefined,
        message: `not valid JSON (${(err as Error).message}); fix the syntax`,
      },
    ]);
  }
  return parseConfig(raw, source);
}

/** Every `*.json` in a config directory, sorted, as validated configs. */
export function loadConfigDir(dir: string): BridgeConfig[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => loadConfig(path.join(dir, f)));
}

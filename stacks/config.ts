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
  findAwsPartition,
  unsupportedRegionReason,
  type AwsPartition,
} from "./federation/partition";
import {
  FIELD_MODES,
  FIELD_TYPES,
  isRecordType,
  PARTITIONABLE_TYPES,
  type TableField,
} from "./schema/table-schema";
import { readStrictJson } from "./config-json";
import {
  GOOGLE_CLOUD_REGIONS,
  isGoogleCloudRegion,
  isStorageLocation,
  STORAGE_DUAL_REGIONS,
  STORAGE_MULTI_REGIONS,
} from "./schema/google-locations";
import { MIN_LAMBDA_TIMEOUT_SECONDS, minimumTimeoutReason } from "./aws/lambda-timeout";
import {
  BIGQUERY_LOCATIONS,
  MAX_COLUMNS,
  MAX_PARTITION_EXPIRATION_DAYS,
  MAX_RECORD_NESTING,
  partitionTypesFor,
  recordNestingDepth,
  reservedColumnNameRule,
  countColumns,
  canonicalBigQueryLocation,
} from "./schema/bigquery-limits";
import {
  ingestionQueueNames,
  oldestMessageAgeThresholdSeconds,
  SOURCE_QUEUE_RETENTION_SECONDS,
} from "./aws/ingestion-queue-settings";

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
        )
        .superRefine((name, ctx) => {
          const rule = reservedColumnNameRule(name);
          if (rule) {
            ctx.addIssue({
              code: "custom",
              input: name,
              message: `BigQuery reserves ${rule} for its own pseudo-columns; rename the column (e.g. "${name.replace(/^_+/, "")}")`,
            });
          }
        }),
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

/** Nesting depth and column count, which BigQuery checks only when it creates the table. */
function checkSchemaShape(
  schema: readonly TableField[],
  ctx: z.RefinementCtx,
  base: readonly (string | number)[],
): void {
  schema.forEach((field, index) => {
    const depth = recordNestingDepth(field);
    if (depth > MAX_RECORD_NESTING) {
      ctx.addIssue({
        code: "custom",
        path: [...base, "bigquery", "schema", index, "fields"],
        input: field.name,
        message: `column "${field.name}" nests RECORDs ${depth} levels deep; BigQuery allows ${MAX_RECORD_NESTING}. Flatten the inner levels or store them in a JSON column`,
      });
    }
  });
  const columns = countColumns(schema);
  if (columns > MAX_COLUMNS) {
    ctx.addIssue({
      code: "custom",
      path: [...base, "bigquery", "schema"],
      input: columns,
      message: `the schema has ${columns} columns (nested fields included); BigQuery allows ${MAX_COLUMNS}. Remove some or store them in a JSON column`,
    });
  }
}

const awsRegion = z
  .string()
  // abort: a malformed name gets this one message, not also the partition check below.
  .regex(/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/, {
    message: 'expected an AWS region, e.g. "eu-west-1"',
    abort: true,
  });

/** An IAM role ARN of any partition: (1) the partition, (2) the account; checked against the region and the map key by checkDeployRoleArn. */
const IAM_ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/[\w+=,.@/-]{1,64}$/;

/** A state object path: Terraform refuses a leading or trailing "/" and empty segments. */
const statePath = (what: string, example: string) =>
  z
    .string()
    .min(1, `expected a non-empty ${what}, e.g. "${example}"`)
    .refine((p) => !p.startsWith("/") && !p.endsWith("/") && !p.includes("//"), {
      message: `expected a ${what} without a leading or trailing "/" or "//", e.g. "${example}"`,
    })
    // S3 and Cloud Storage object names are at most 1024 bytes (the .tflock suffix included).
    .refine((p) => Buffer.byteLength(p, "utf8") <= 1024 - ".tflock".length, {
      message: `expected a ${what} of at most ${1024 - ".tflock".length} bytes (object names are limited to 1024)`,
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
      /** S3-native locking (a .tflock object; Terraform >= 1.11, OpenTofu >= 1.11: sets required_version). @default true */
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
        .refine((name) => !name.includes("goog") && !/^\d+\.\d+\.\d+\.\d+$/.test(name), {
          message: 'bucket names may not contain "goog" or be an IP address; choose another name',
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

/** Labels the stack sets itself on every resource; a config may not set them. */
export const RESERVED_LABELS = ["app", "environment"] as const;
/** Google allows 64 labels on a resource, AWS 50 tags; the stack adds RESERVED_LABELS. */
export const MAX_CONFIG_LABELS = 50 - RESERVED_LABELS.length;

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Labels on Google resources, tags on AWS ones. Keys are checked in a refinement of the whole
 * record rather than by a key schema: a failing key schema makes zod stop there, and the
 * config's cross-field checks (service account id, RECORD depth, ...) would go unreported.
 */
const labels = z
  .record(
    z.string(),
    z
      .string()
      .regex(
        /^[a-z0-9_-]{0,63}$/,
        "expected a label value of at most 63 characters from [a-z0-9_-]",
      ),
  )
  .superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const message = !LABEL_KEY.test(key)
        ? "expected a label key of 1-63 characters from [a-z0-9_-], starting with a letter"
        : (RESERVED_LABELS as readonly string[]).includes(key)
          ? `the stack sets the labels ${RESERVED_LABELS.map((l) => `"${l}"`).join(" and ")} itself (app: "wif-bridge", environment: the environment name); remove it or use another key`
          : undefined;
      if (message) ctx.addIssue({ code: "custom", path: [key], input: key, message });
    }
    if (Object.keys(record).length > MAX_CONFIG_LABELS) {
      ctx.addIssue({
        code: "custom",
        input: Object.keys(record).length,
        message: `expected at most ${MAX_CONFIG_LABELS} labels (AWS allows 50 tags per resource and the stack adds ${RESERVED_LABELS.length}); remove some`,
      });
    }
  })
  .default({});

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;
/** Lambda allows 64 characters in a function name. */
const FUNCTION_NAME_MAX = 64;
/** SQS allows 80 characters in a queue name. */
const QUEUE_NAME_MAX = 80;
/** IAM allows 64 characters in a role name. */
const ROLE_NAME_MAX = 64;
/** Google's service account id rule (6-30 characters, no trailing hyphen). */
const SERVICE_ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
/** The default added to a function name to make its role name. */
const ROLE_NAME_SUFFIX = "-exec";
/** Google's documented IAM propagation: "typically 2 minutes, potentially 7 minutes or longer". */
export const DEFAULT_IAM_PROPAGATION_WAIT_SECONDS = 420;
/** Upper bound of the wait: beyond an hour a deploy is better re-run than held. */
export const MAX_IAM_PROPAGATION_WAIT_SECONDS = 3600;
// --- alarms (issue 13): one block, so it merges apart from the rest of the schema. ---

/** Who the alarm topic notifies: an email (confirmed by its owner) or an https endpoint. */
const alarmSubscription = z.discriminatedUnion(
  "protocol",
  [
    z.strictObject({
      protocol: z.literal("email"),
      endpoint: z.email('expected an email address, e.g. "oncall@example.com"'),
    }),
    z.strictObject({
      protocol: z.literal("https"),
      endpoint: z.url({
        protocol: /^https$/,
        hostname: z.regexes.domain,
        error:
          'expected an https:// URL with a DNS host name, e.g. "https://hooks.example.com/alarms"',
      }),
    }),
  ],
  { error: 'expected alarms.subscriptions[].protocol to be "email" or "https"' },
);

export const alarmsSchema = z
  .strictObject({
    /**
     * Age (seconds) of the source queue's oldest message that raises the alarm.
     * @default maxReceiveCount x visibility timeout + 60 (older than any retry explains)
     */
    oldestMessageAgeSeconds: z
      .number()
      .int("expected a whole number of seconds")
      .min(60, "expected at least 60 seconds (SQS reports the age once a minute)")
      .max(
        SOURCE_QUEUE_RETENTION_SECONDS - 1,
        `expected less than ${SOURCE_QUEUE_RETENTION_SECONDS} seconds: the queue keeps messages 4 days, so a later alarm would fire after they are gone`,
      )
      .optional(),
    /** Notified on ALARM and OK. @default none (subscribe to the topic yourself) */
    subscriptions: z.array(alarmSubscription).default([]),
  })
  .superRefine((alarms, ctx) => {
    const seen = new Map<string, number>();
    alarms.subscriptions.forEach((s, index) => {
      const key = `${s.protocol}:${s.endpoint.toLowerCase()}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["subscriptions", index, "endpoint"],
          input: s.endpoint,
          message: `repeats subscription ${seen.get(key)}; list each endpoint once`,
        });
      } else seen.set(key, index);
    });
  });

/** Without an override, the queue's timings must let a failing message reach the DLQ in time. */
function checkAlarmTimings(
  alarms: z.output<typeof alarmsSchema>,
  pipeline: Pipeline,
  ctx: z.RefinementCtx,
): void {
  if (alarms.oldestMessageAgeSeconds !== undefined) return;
  const derived = oldestMessageAgeThresholdSeconds({
    lambdaTimeoutSeconds: pipeline.lambda.timeoutSeconds,
    maxBatchingWindowSeconds: pipeline.queue.maxBatchingWindowSeconds,
    maxReceiveCount: pipeline.queue.maxReceiveCount,
  });
  if (derived >= SOURCE_QUEUE_RETENTION_SECONDS) {
    ctx.addIssue({
      code: "custom",
      path: [...pipeline.configPath, "queue", "maxReceiveCount"],
      input: pipeline.queue.maxReceiveCount,
      message: `${pipeline.queue.maxReceiveCount} receives take up to ${derived} s, longer than the queue's ${SOURCE_QUEUE_RETENTION_SECONDS} s retention: a failing message would expire before it reaches the dead-letter queue. Lower queue.maxReceiveCount or lambda.timeoutSeconds`,
    });
  }
}
// --- end of alarms ---

/** A Lambda function name; the queue takes it too and its DLQ adds "-dlq" (SQS allows 80). */
const LAMBDA_NAME_FIELDS = {
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
};

/** The function's settings, shared by the environment (with defaults) and its pipelines (inherited). */
const LAMBDA_SETTING_FIELDS = {
  memoryMb: z
    .number()
    .int("expected a whole number of MB")
    .min(128, "expected at least 128 MB")
    .max(10240, "expected at most 10240 MB"),
  timeoutSeconds: z
    .number()
    .int("expected a whole number of seconds")
    .min(MIN_LAMBDA_TIMEOUT_SECONDS, minimumTimeoutReason())
    .max(900, "expected at most 900 seconds (Lambda's limit)"),
  runtime: z.enum(LAMBDA_RUNTIMES, { error: `expected one of ${LAMBDA_RUNTIMES.join(", ")}` }),
  architecture: z.enum(["arm64", "x86_64"], { error: 'expected "arm64" or "x86_64"' }),
  logRetentionDays: z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `expected a CloudWatch retention: one of ${LOG_RETENTION_DAYS.join(", ")}`,
    }),
};

/** How SQS feeds the function; the environment sets defaults, a pipeline may override each. */
const QUEUE_SETTING_FIELDS = {
  /** Records per Lambda invocation. @default 100 */
  batchSize: z
    .number()
    .int("expected a whole number")
    .min(1, "expected at least 1")
    .max(10000, "expected at most 10000 (SQS's limit)"),
  /** Seconds SQS may wait to fill a batch. @default 5 */
  maxBatchingWindowSeconds: z
    .number()
    .int("expected a whole number of seconds")
    .min(0, "expected 0 or more")
    .max(300, "expected at most 300 seconds (SQS's limit)"),
  /** Receives before a message moves to the dead-letter queue. @default 5 */
  maxReceiveCount: z
    .number()
    .int("expected a whole number")
    .min(1, "expected at least 1")
    .max(1000, "expected at most 1000"),
};

const datasetIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_]{1,1024}$/,
    'expected a dataset id of letters, digits and underscores, e.g. "wif_bridge_dev"',
  );

/** A table and how it is laid out: the single pipeline's at the top level, or each pipeline's own. */
const TABLE_FIELDS = {
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
        .int("expected a whole number of days")
        .positive("expected a positive number of days")
        .max(
          MAX_PARTITION_EXPIRATION_DAYS,
          `expected at most ${MAX_PARTITION_EXPIRATION_DAYS} days: BigQuery keeps the expiration in milliseconds as an int64, and the synthesized number must be exact; remove it to keep partitions forever`,
        )
        .optional(),
    })
    .optional(),
};

const awsAccountId = z
  .string({
    error: 'expected the AWS account id as a string of 12 digits, e.g. "123456789012"',
  })
  .regex(/^\d{12}$/, 'expected a 12-digit AWS account id, e.g. "123456789012"');

const PIPELINE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * One producer of an environment: its own function, role, queue and table, in its own AWS
 * account or the environment's, sharing the environment's pool (one provider per account).
 */
const pipelineSchema = z.strictObject({
  name: z
    .string()
    .regex(
      PIPELINE_NAME,
      'expected a pipeline name of 1-20 characters from [a-z0-9-], starting with a letter, e.g. "orders"',
    ),
  /** @default the environment's aws.accountId */
  aws: z.strictObject({ accountId: awsAccountId }).optional(),
  /** Names default to "wif-bridge-<environment>-<name>" and "<functionName>-exec"; settings to the environment's lambda. */
  lambda: z
    .strictObject({
      ...LAMBDA_NAME_FIELDS,
      memoryMb: LAMBDA_SETTING_FIELDS.memoryMb.optional(),
      timeoutSeconds: LAMBDA_SETTING_FIELDS.timeoutSeconds.optional(),
      runtime: LAMBDA_SETTING_FIELDS.runtime.optional(),
      architecture: LAMBDA_SETTING_FIELDS.architecture.optional(),
      logRetentionDays: LAMBDA_SETTING_FIELDS.logRetentionDays.optional(),
    })
    .prefault({}),
  /** @default the environment's queue settings */
  queue: z
    .strictObject({
      batchSize: QUEUE_SETTING_FIELDS.batchSize.optional(),
      maxBatchingWindowSeconds: QUEUE_SETTING_FIELDS.maxBatchingWindowSeconds.optional(),
      maxReceiveCount: QUEUE_SETTING_FIELDS.maxReceiveCount.optional(),
    })
    .prefault({}),
  /** Impersonation mode only. @default "wif-<environment>-<name>" */
  serviceAccountId: z
    .string()
    .regex(
      SERVICE_ACCOUNT_ID,
      'expected a service account id of 6-30 characters from [a-z0-9-], starting with a letter and not ending with "-", e.g. "wif-dev-orders"',
    )
    .optional(),
  bigquery: z.strictObject({
    /** Its own dataset, created by the stack. @default the environment's bigquery.datasetId */
    datasetId: datasetIdSchema.optional(),
    ...TABLE_FIELDS,
  }),
  /**
   * Where in the environment's archive bucket this pipeline's raw batches go; it may create
   * objects under it and nowhere else. Only with "archive". @default "<name>/"
   */
  archivePrefix: z
    .string()
    .regex(
      /^(?:[a-z0-9][a-z0-9._=-]*\/){1,8}$/,
      'expected an object prefix of 1-8 segments from [a-z0-9._=-], each ending with "/", e.g. "orders/"',
    )
    .max(256, "expected a prefix of at most 256 characters")
    .optional(),
});

export const bridgeConfigSchema = z
  .strictObject({
    /** JSON-schema pointer for editors; ignored. */
    $schema: z.string().optional(),
    environment: z
      .string()
      .regex(
        ENVIRONMENT_NAME,
        'expected an environment name of 1-20 characters from [a-z0-9-], starting with a letter, e.g. "dev"',
      ),
    aws: z.strictObject({
      accountId: awsAccountId,
      /**
       * For every AWS account of a pipeline other than aws.accountId: the role Terraform assumes
       * to deploy that account's resources (the environment's own account uses the ambient
       * credentials, as before). @default none (every pipeline in aws.accountId)
       */
      deployRoleArns: z
        .record(
          z.string(),
          z
            .string()
            .regex(
              IAM_ROLE_ARN,
              'expected an IAM role ARN, e.g. "arn:aws:iam::444455556666:role/wif-bridge-deployer"',
            ),
        )
        .optional(),
      /** Its partition spells every ARN; only partitions Google documents are accepted. */
      region: awsRegion.superRefine((region, ctx) => {
        const reason = unsupportedRegionReason(region);
        if (reason) ctx.addIssue({ code: "custom", input: region, message: reason });
      }),
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
      region: z.string().refine(isGoogleCloudRegion, {
        message: `expected a Google Cloud region such as "europe-west1", in lower case (Google's regions: ${GOOGLE_CLOUD_REGIONS.join(", ")})`,
      }),
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
          SERVICE_ACCOUNT_ID,
          'expected a service account id of 6-30 characters from [a-z0-9-], starting with a letter and not ending with "-", e.g. "wif-bridge-dev"',
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
        ...LAMBDA_NAME_FIELDS,
        memoryMb: LAMBDA_SETTING_FIELDS.memoryMb.default(256),
        timeoutSeconds: LAMBDA_SETTING_FIELDS.timeoutSeconds.default(60),
        runtime: LAMBDA_SETTING_FIELDS.runtime.default("nodejs22.x"),
        architecture: LAMBDA_SETTING_FIELDS.architecture.default("arm64"),
        logRetentionDays: LAMBDA_SETTING_FIELDS.logRetentionDays.default(30),
      })
      .prefault({}),
    queue: z
      .strictObject({
        /** Records per Lambda invocation. @default 100 */
        batchSize: QUEUE_SETTING_FIELDS.batchSize.default(100),
        /** Seconds SQS may wait to fill a batch. @default 5 */
        maxBatchingWindowSeconds: QUEUE_SETTING_FIELDS.maxBatchingWindowSeconds.default(5),
        /** Receives before a message moves to the dead-letter queue. @default 5 */
        maxReceiveCount: QUEUE_SETTING_FIELDS.maxReceiveCount.default(5),
      })
      .prefault({}),
    bigquery: z.strictObject({
      location: z.string().refine((l) => canonicalBigQueryLocation(l) !== undefined, {
        message: `expected a BigQuery location: "US", "EU" or a region such as "europe-west1" (Google's list: ${BIGQUERY_LOCATIONS.join(", ")})`,
      }),
      datasetId: datasetIdSchema,
      /** The single pipeline's table (a file without "pipelines"); each pipeline names its own. */
      tableId: TABLE_FIELDS.tableId.optional(),
      schema: TABLE_FIELDS.schema.optional(),
      partitioning: TABLE_FIELDS.partitioning,
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
          .refine((name) => !name.includes("goog") && !/^\d+\.\d+\.\d+\.\d+$/.test(name), {
            message: 'bucket names may not contain "goog" or be an IP address; choose another name',
          }),
        /** @default the BigQuery location */
        location: z
          .string()
          .refine(isStorageLocation, {
            message: `expected a Cloud Storage location: a multi-region (${STORAGE_MULTI_REGIONS.join(", ")}), a dual-region (${STORAGE_DUAL_REGIONS.join(", ")}) or a region such as "europe-west1" (Google's regions: ${GOOGLE_CLOUD_REGIONS.join(", ")})`,
          })
          .optional(),
        /** Days before archived batches are deleted; unset keeps them. */
        retentionDays: z.number().int().positive("expected a positive number of days").optional(),
      })
      .optional(),
    /**
     * Several producers in one environment, each with its own function, role, queue and table
     * (see docs/configuration.md). @default none: the file is one pipeline named after the
     * environment, described by its top-level lambda, queue and bigquery
     */
    pipelines: z
      .array(pipelineSchema)
      .min(1, 'expected at least one pipeline, or remove "pipelines"')
      .optional(),
    /** How a deploy is sequenced. */
    deploy: z
      .strictObject({
        /**
         * Seconds between the Google IAM grants and the SQS trigger (time_sleep), so the first
         * batches do not meet 403 while the grants propagate. 0 turns the wait off.
         * @default 420 (Google: "typically 2 minutes, potentially 7 minutes or longer")
         */
        iamPropagationWaitSeconds: z
          .number()
          .int("expected a whole number of seconds")
          .min(0, "expected 0 (no wait) or more")
          .max(
            MAX_IAM_PROPAGATION_WAIT_SECONDS,
            `expected at most ${MAX_IAM_PROPAGATION_WAIT_SECONDS} seconds; Google documents 2-7 minutes`,
          )
          .default(DEFAULT_IAM_PROPAGATION_WAIT_SECONDS),
      })
      .prefault({}),
    labels,
    state: stateSchema.prefault({ backend: "local" }),
    alarms: alarmsSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const pipelines = resolvePipelines(config);
    checkPipelinesShape(config, ctx);
    for (const pipeline of pipelines) checkPipeline(config, pipeline, ctx);
    checkAcrossPipelines(config, pipelines, ctx);
    const suffix = config.federation.idSuffix;
    if (suffix) {
      const added = suffix === "random" ? RANDOM_ID_SUFFIX_LENGTH : suffix.length + 1;
      const ids: [string[], string][] = [
        [["federation", "poolId"], config.federation.poolId],
        [["federation", "providerId"], config.federation.providerId],
        ...resolveAwsAccounts(config, pipelines)
          .filter((a) => a.accountId !== config.aws.accountId)
          .map((a): [string[], string] => [["aws", "deployRoleArns", a.accountId], a.providerId]),
      ];
      for (const [path, id] of ids) {
        if (id.length + added > POOL_OR_PROVIDER_ID_MAX) {
          ctx.addIssue({
            code: "custom",
            path,
            input: id,
            message: `with idSuffix "${suffix}" (${added} more characters) this id would be ${id.length + added} characters; Google allows ${POOL_OR_PROVIDER_ID_MAX}. Shorten ${path.join(".")} to at most ${POOL_OR_PROVIDER_ID_MAX - added}`,
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
  /** The partition of aws.region: every AWS ARN the stack writes is spelled with it. */
  readonly awsPartition: AwsPartition;
}

/**
 * One producer: a function and role in one AWS account, its queue, and the one table (and
 * archive prefix) its Google identity may write. A file without "pipelines" is one pipeline
 * named after the environment, whose settings are the file's top-level ones.
 */
export interface Pipeline {
  readonly name: string;
  /** Where it is in the file, for messages: [] for a single-pipeline file, else ["pipelines", i]. */
  readonly configPath: readonly (string | number)[];
  readonly accountId: string;
  readonly names: ResolvedNames;
  readonly lambda: {
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly runtime: (typeof LAMBDA_RUNTIMES)[number];
    readonly architecture: "arm64" | "x86_64";
    readonly logRetentionDays: number;
  };
  readonly queue: {
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly maxReceiveCount: number;
  };
  readonly bigquery: {
    readonly datasetId: string;
    /** The pipeline names its own dataset, which the stack creates for it alone. */
    readonly ownDataset: boolean;
    readonly tableId: string;
    readonly schema: readonly TableField[];
    readonly partitioning?: ParsedConfig["bigquery"]["partitioning"];
  };
  /** Object prefix in the archive bucket it alone may create under; unset without an archive or in a single-pipeline file (the whole bucket). */
  readonly archivePrefix?: string;
}

/** An AWS account some pipeline runs in: one pool provider, one Terraform AWS provider. */
export interface AwsAccount {
  readonly accountId: string;
  /** The pool provider id (before idSuffix): federation.providerId for aws.accountId, else "aws-<account>". */
  readonly providerId: string;
  /** Role Terraform assumes there; unset for aws.accountId (ambient credentials). */
  readonly deployRoleArn?: string;
  /** Names of the pipelines it runs, in file order. */
  readonly pipelines: readonly string[];
}

type RawConfig = Omit<ParsedConfig, never>;

function resolvePipelines(config: RawConfig): Pipeline[] {
  const awsPartition = findAwsPartition(config.aws.region) ?? "aws";
  const impersonation = config.federation.accessMode === "impersonation";
  if (!config.pipelines) {
    const functionName = config.lambda.functionName ?? `wif-bridge-${config.environment}`;
    return [
      {
        name: config.environment,
        configPath: [],
        accountId: config.aws.accountId,
        names: {
          // An unknown region is already an issue on aws.region; "aws" keeps the other checks going.
          awsPartition,
          functionName,
          roleName: config.lambda.roleName ?? `${functionName}-exec`,
          logGroupName: `/aws/lambda/${functionName}`,
          serviceAccountId: impersonation
            ? (config.federation.serviceAccountId ?? `wif-${config.environment}`)
            : undefined,
        },
        lambda: config.lambda,
        queue: config.queue,
        bigquery: {
          datasetId: config.bigquery.datasetId,
          ownDataset: false,
          // A missing table or schema is reported by checkPipelinesShape.
          tableId: config.bigquery.tableId ?? "",
          schema: config.bigquery.schema ?? [],
          partitioning: config.bigquery.partitioning,
        },
      },
    ];
  }
  return config.pipelines.map((p, index) => {
    const functionName = p.lambda.functionName ?? `wif-bridge-${config.environment}-${p.name}`;
    const setting = <T>(own: T | undefined, environment: T): T => own ?? environment;
    return {
      name: p.name,
      configPath: ["pipelines", index],
      accountId: p.aws?.accountId ?? config.aws.accountId,
      names: {
        awsPartition,
        functionName,
        roleName: p.lambda.roleName ?? `${functionName}-exec`,
        logGroupName: `/aws/lambda/${functionName}`,
        serviceAccountId: impersonation
          ? (p.serviceAccountId ?? `wif-${config.environment}-${p.name}`)
          : undefined,
      },
      lambda: {
        memoryMb: setting(p.lambda.memoryMb, config.lambda.memoryMb),
        timeoutSeconds: setting(p.lambda.timeoutSeconds, config.lambda.timeoutSeconds),
        runtime: setting(p.lambda.runtime, config.lambda.runtime),
        architecture: setting(p.lambda.architecture, config.lambda.architecture),
        logRetentionDays: setting(p.lambda.logRetentionDays, config.lambda.logRetentionDays),
      },
      queue: {
        batchSize: setting(p.queue.batchSize, config.queue.batchSize),
        maxBatchingWindowSeconds: setting(
          p.queue.maxBatchingWindowSeconds,
          config.queue.maxBatchingWindowSeconds,
        ),
        maxReceiveCount: setting(p.queue.maxReceiveCount, config.queue.maxReceiveCount),
      },
      bigquery: {
        datasetId: p.bigquery.datasetId ?? config.bigquery.datasetId,
        ownDataset: p.bigquery.datasetId !== undefined,
        tableId: p.bigquery.tableId,
        schema: p.bigquery.schema,
        partitioning: p.bigquery.partitioning,
      },
      archivePrefix: config.archive ? (p.archivePrefix ?? `${p.name}/`) : undefined,
    };
  });
}

/** The provider id of an AWS account other than the environment's: 16 characters, always valid. */
export function derivedProviderId(accountId: string): string {
  return `aws-${accountId}`;
}

function resolveAwsAccounts(config: RawConfig, pipelines: readonly Pipeline[]): AwsAccount[] {
  const accounts = [...new Set([config.aws.accountId, ...pipelines.map((p) => p.accountId)])];
  return accounts
    .map((accountId) => ({
      accountId,
      providerId:
        accountId === config.aws.accountId
          ? config.federation.providerId
          : derivedProviderId(accountId),
      deployRoleArn:
        accountId === config.aws.accountId ? undefined : config.aws.deployRoleArns?.[accountId],
      pipelines: pipelines.filter((p) => p.accountId === accountId).map((p) => p.name),
    }))
    .filter((a) => a.pipelines.length > 0 || a.accountId === config.aws.accountId);
}

/** Which fields belong where: a single-pipeline file names its table, a pipelines file does not. */
function checkPipelinesShape(config: RawConfig, ctx: z.RefinementCtx): void {
  if (!config.pipelines) {
    if (config.bigquery.tableId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["bigquery", "tableId"],
        input: undefined,
        message:
          'expected a table id of letters, digits and underscores, e.g. "events" (or list "pipelines", each with its own table)',
      });
    }
    if (config.bigquery.schema === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["bigquery", "schema"],
        input: undefined,
        message: 'expected the table\'s columns (or list "pipelines", each with its own table)',
      });
    }
    for (const account of Object.keys(config.aws.deployRoleArns ?? {})) {
      ctx.addIssue({
        code: "custom",
        path: ["aws", "deployRoleArns", account],
        input: account,
        message:
          'deploy roles are for the AWS accounts of "pipelines"; this file has none: remove it',
      });
    }
    return;
  }
  const misplaced: [string[], unknown, string][] = [
    [["bigquery", "tableId"], config.bigquery.tableId, "pipelines[].bigquery.tableId"],
    [["bigquery", "schema"], config.bigquery.schema, "pipelines[].bigquery.schema"],
    [
      ["bigquery", "partitioning"],
      config.bigquery.partitioning,
      "pipelines[].bigquery.partitioning",
    ],
    [["lambda", "functionName"], config.lambda.functionName, "pipelines[].lambda.functionName"],
    [["lambda", "roleName"], config.lambda.roleName, "pipelines[].lambda.roleName"],
    [
      ["federation", "serviceAccountId"],
      config.federation.serviceAccountId,
      "pipelines[].serviceAccountId",
    ],
  ];
  for (const [path, value, instead] of misplaced) {
    if (value === undefined) continue;
    ctx.addIssue({
      code: "custom",
      path,
      input: value,
      message: `with "pipelines", each pipeline has its own; move it to ${instead}`,
    });
  }
}

/** Every apply-time rule of one pipeline's names, queue and table. */
function checkPipeline(config: RawConfig, pipeline: Pipeline, ctx: z.RefinementCtx): void {
  const base = pipeline.configPath;
  const declared = base.length > 0;
  const own = declared ? config.pipelines![base[1] as number] : undefined;
  const explicit = {
    functionName: own ? own.lambda.functionName : config.lambda.functionName,
    roleName: own ? own.lambda.roleName : config.lambda.roleName,
    serviceAccountId: own ? own.serviceAccountId : config.federation.serviceAccountId,
  };
  const { names } = pipeline;
  checkAlarmTimings(config.alarms, pipeline, ctx);
  const subject = googleSubject(
    names.awsPartition,
    pipeline.accountId,
    names.roleName,
    names.functionName,
  );
  const bytes = Buffer.byteLength(subject, "utf8");
  if (bytes > GOOGLE_SUBJECT_MAX_BYTES) {
    ctx.addIssue({
      code: "custom",
      path: [...base, "lambda", "roleName"],
      input: subject,
      message: `google.subject "${subject}" is ${bytes} bytes; Google refuses more than ${GOOGLE_SUBJECT_MAX_BYTES}. Shorten ${formatPath([...base, "lambda", "roleName"])} or ${formatPath([...base, "lambda", "functionName"])} by ${bytes - GOOGLE_SUBJECT_MAX_BYTES}`,
    });
  }
  if (pipeline.queue.batchSize > 10 && pipeline.queue.maxBatchingWindowSeconds < 1) {
    ctx.addIssue({
      code: "custom",
      path: [...base, "queue", "maxBatchingWindowSeconds"],
      input: pipeline.queue.maxBatchingWindowSeconds,
      message: `AWS refuses a batch size above 10 (queue.batchSize is ${pipeline.queue.batchSize}) without a batching window; set it to at least 1, or queue.batchSize to 10 or less`,
    });
  }
  // A malformed environment or pipeline name has its own problem already.
  const namesWellFormed =
    ENVIRONMENT_NAME.test(config.environment) && PIPELINE_NAME.test(pipeline.name);
  const sa = names.serviceAccountId;
  if (sa !== undefined && explicit.serviceAccountId === undefined && namesWellFormed) {
    if (!SERVICE_ACCOUNT_ID.test(sa)) {
      ctx.addIssue({
        code: "custom",
        path: declared ? [...base, "name"] : ["environment"],
        input: declared ? pipeline.name : config.environment,
        message: declared
          ? `the derived service account id "${sa}" (wif-<environment>-<pipeline>) is ${sa.length} characters; Google needs 6-30 characters from [a-z0-9-], starting with a letter and not ending with "-". Set ${formatPath([...base, "serviceAccountId"])} (e.g. "wif-${pipeline.name}") or use shorter names`
          : `the derived service account id "${sa}" (wif-<environment>) is ${sa.length} characters; Google needs 6-30 characters from [a-z0-9-], starting with a letter and not ending with "-". Set federation.serviceAccountId (e.g. "wif-bridge-${config.environment}") or use a longer environment name`,
      });
    }
  }
  const functionNameField = formatPath([...base, "lambda", "functionName"]);
  const roleNameField = formatPath([...base, "lambda", "roleName"]);
  // A derived function name comes from the environment (and pipeline) name: a problem of it is
  // reported there, with the value that is in the file, never as a "missing" functionName.
  const functionNameSource =
    explicit.functionName !== undefined
      ? { path: [...base, "lambda", "functionName"], input: explicit.functionName }
      : declared
        ? { path: [...base, "name"], input: pipeline.name }
        : { path: ["environment"], input: config.environment };
  if (
    explicit.functionName === undefined &&
    namesWellFormed &&
    names.functionName.length > FUNCTION_NAME_MAX
  ) {
    ctx.addIssue({
      code: "custom",
      ...functionNameSource,
      message: `the derived function name "${names.functionName}" is ${names.functionName.length} characters; Lambda allows ${FUNCTION_NAME_MAX}. Set ${functionNameField}`,
    });
  }
  // A malformed environment or pipeline name has its own problem; what it derives is not checked.
  const functionNameChecked = explicit.functionName !== undefined || namesWellFormed;
  if (functionNameChecked && !explicit.roleName && names.roleName.length > ROLE_NAME_MAX) {
    const maxFunctionName = ROLE_NAME_MAX - ROLE_NAME_SUFFIX.length;
    ctx.addIssue({
      code: "custom",
      ...functionNameSource,
      message:
        explicit.functionName !== undefined
          ? `the derived IAM role name "${names.roleName}" is ${names.roleName.length} characters; IAM allows ${ROLE_NAME_MAX}. Set ${roleNameField}, or shorten ${functionNameField} to at most ${maxFunctionName}`
          : `the derived IAM role name "${names.roleName}" (from the derived function name "${names.functionName}") is ${names.roleName.length} characters; IAM allows ${ROLE_NAME_MAX}. Set ${roleNameField}, or set ${functionNameField} of at most ${maxFunctionName} characters`,
    });
  }
  const { deadLetterQueueName } = ingestionQueueNames(names.functionName);
  if (functionNameChecked && deadLetterQueueName.length > QUEUE_NAME_MAX) {
    ctx.addIssue({
      code: "custom",
      ...functionNameSource,
      message: `the dead-letter queue "${deadLetterQueueName}" would be ${deadLetterQueueName.length} characters; SQS allows ${QUEUE_NAME_MAX}. ${explicit.functionName !== undefined ? "Shorten" : "Set"} ${functionNameField} to at most ${QUEUE_NAME_MAX - (deadLetterQueueName.length - names.functionName.length)} characters`,
    });
  }
  const { schema, partitioning } = pipeline.bigquery;
  checkUniqueNames(schema, ctx, [...base, "bigquery", "schema"]);
  checkSchemaShape(schema, ctx, base);
  if (partitioning && schema.length > 0) {
    const at = [...base, "bigquery", "partitioning"];
    const column = schema.find((f) => f.name === partitioning.field);
    if (!column) {
      ctx.addIssue({
        code: "custom",
        path: [...at, "field"],
        input: partitioning.field,
        message: `no top-level column named "${partitioning.field}"; use one of: ${schema.map((f) => f.name).join(", ")}`,
      });
    } else if (!PARTITIONABLE_TYPES.includes(column.type) || column.mode === "REPEATED") {
      ctx.addIssue({
        code: "custom",
        path: [...at, "field"],
        input: partitioning.field,
        message: `column "${column.name}" is ${column.mode ?? "NULLABLE"} ${column.type}; partition on a non-repeated ${PARTITIONABLE_TYPES.join(", ")} column`,
      });
    } else if (!partitionTypesFor(column.type).includes(partitioning.type)) {
      ctx.addIssue({
        code: "custom",
        path: [...at, "type"],
        input: partitioning.type,
        message: `BigQuery partitions a ${column.type} column ("${column.name}") by ${partitionTypesFor(column.type).join(", ")} only; use one of those, or a TIMESTAMP/DATETIME column for ${partitioning.type}`,
      });
    }
  }
  if (own?.archivePrefix !== undefined && !config.archive) {
    ctx.addIssue({
      code: "custom",
      path: [...base, "archivePrefix"],
      input: own.archivePrefix,
      message:
        'an archive prefix needs the environment\'s "archive" bucket; add "archive" or remove the prefix',
    });
  }
}

/** What pipelines may not share: names, AWS names, service accounts, tables, datasets, prefixes. */
function checkAcrossPipelines(
  config: RawConfig,
  pipelines: readonly Pipeline[],
  ctx: z.RefinementCtx,
): void {
  if (pipelines.length < 2 && !config.pipelines) return;
  const unique = (
    what: string,
    key: (p: Pipeline) => string | undefined,
    field: (string | number)[],
    fix: string,
  ) => {
    const seen = new Map<string, Pipeline>();
    for (const p of pipelines) {
      const value = key(p);
      if (value === undefined) continue;
      const first = seen.get(value.toLowerCase());
      if (first) {
        ctx.addIssue({
          code: "custom",
          path: [...p.configPath, ...field],
          input: value,
          message: `pipelines "${first.name}" and "${p.name}" share the ${what} "${value}"; ${fix}`,
        });
      } else seen.set(value.toLowerCase(), p);
    }
  };
  unique("name", (p) => p.name, ["name"], "give each pipeline its own name");
  // Unique across accounts too: the trust model and the report find a role or function by name.
  // The queue takes the function's name.
  unique(
    "function (and queue)",
    (p) => p.names.functionName,
    ["lambda", "functionName"],
    "set a distinct lambda.functionName",
  );
  unique(
    "IAM role",
    (p) => p.names.roleName,
    ["lambda", "roleName"],
    "each pipeline needs its own role: set a distinct lambda.roleName",
  );
  unique(
    "service account",
    (p) => p.names.serviceAccountId,
    ["serviceAccountId"],
    "each pipeline needs its own service account: set a distinct serviceAccountId",
  );
  unique(
    "table",
    (p) => `${p.bigquery.datasetId}.${p.bigquery.tableId}`,
    ["bigquery", "tableId"],
    "each pipeline writes its own table: rename one",
  );
  const owned = new Map<string, Pipeline>();
  for (const p of pipelines.filter((x) => x.bigquery.ownDataset)) {
    const id = p.bigquery.datasetId;
    const clash =
      id === config.bigquery.datasetId
        ? "the environment's bigquery.datasetId"
        : owned.get(id) && `pipeline "${owned.get(id)!.name}"`;
    if (clash) {
      ctx.addIssue({
        code: "custom",
        path: [...p.configPath, "bigquery", "datasetId"],
        input: id,
        message: `an own dataset is the pipeline's alone, but ${clash} uses "${id}" too; choose another id, or remove it to use the environment's dataset`,
      });
    } else owned.set(id, p);
  }
  const prefixed = pipelines.filter((p) => p.archivePrefix !== undefined);
  prefixed.forEach((p, i) => {
    for (const q of prefixed.slice(0, i)) {
      if (
        p.archivePrefix!.startsWith(q.archivePrefix!) ||
        q.archivePrefix!.startsWith(p.archivePrefix!)
      ) {
        ctx.addIssue({
          code: "custom",
          path: [...p.configPath, "archivePrefix"],
          input: p.archivePrefix,
          message: `the archive prefix "${p.archivePrefix}" overlaps pipeline "${q.name}"'s "${q.archivePrefix}": one could write the other's objects. Give each a prefix that does not start with the other`,
        });
      }
    }
  });
  const accounts = resolveAwsAccounts(config, pipelines);
  if (!pipelines.some((p) => p.accountId === config.aws.accountId)) {
    ctx.addIssue({
      code: "custom",
      path: ["aws", "accountId"],
      input: config.aws.accountId,
      message:
        "no pipeline runs in the environment's own AWS account; the pool's first provider is that account's. Set aws.accountId to the account of one of the pipelines",
    });
  }
  for (const a of accounts) {
    if (a.accountId === config.aws.accountId) continue;
    if (a.deployRoleArn === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["aws", "deployRoleArns"],
        input: a.accountId,
        message: `pipeline${a.pipelines.length > 1 ? "s" : ""} ${a.pipelines.map((n) => `"${n}"`).join(", ")} run${a.pipelines.length > 1 ? "" : "s"} in AWS account ${a.accountId}: name the role Terraform assumes there, e.g. "${a.accountId}": "arn:aws:iam::${a.accountId}:role/wif-bridge-deployer"`,
      });
    } else {
      checkDeployRoleArn(config, a.accountId, a.deployRoleArn, ctx);
    }
    if (a.providerId === config.federation.providerId) {
      ctx.addIssue({
        code: "custom",
        path: ["federation", "providerId"],
        input: a.providerId,
        message: `is also the derived provider id of AWS account ${a.accountId}; choose another federation.providerId`,
      });
    }
  }
  for (const account of Object.keys(config.aws.deployRoleArns ?? {})) {
    if (!accounts.some((a) => a.accountId === account && account !== config.aws.accountId)) {
      ctx.addIssue({
        code: "custom",
        path: ["aws", "deployRoleArns", account],
        input: account,
        message: `no pipeline runs in AWS account ${account} other than the environment's own; remove it`,
      });
    }
  }
}

/**
 * A deploy role is a role of the account it is listed under, spelled in aws.region's partition:
 * Terraform assumes it with the environment's credentials, which live in that one partition.
 */
function checkDeployRoleArn(
  config: RawConfig,
  accountId: string,
  roleArn: string,
  ctx: z.RefinementCtx,
): void {
  const parsed = IAM_ROLE_ARN.exec(roleArn);
  if (!parsed) return; // malformed: the field's own problem already says so
  const [, partition, roleAccount] = parsed;
  const path = ["aws", "deployRoleArns", accountId];
  const expected = findAwsPartition(config.aws.region);
  if (expected !== undefined && partition !== expected) {
    ctx.addIssue({
      code: "custom",
      path,
      input: roleArn,
      message: `is an ARN of partition ${partition}, but aws.region "${config.aws.region}" is in partition ${expected}; write "arn:${expected}:iam::${accountId}:role/…"`,
    });
  }
  if (roleAccount !== accountId) {
    ctx.addIssue({
      code: "custom",
      path,
      input: roleArn,
      message: `is a role of AWS account ${roleAccount}, but it is listed under account ${accountId}; the deploy role of account ${accountId} must be a role in that account ("arn:${expected ?? partition}:iam::${accountId}:role/…")`,
    });
  }
}

/** A validated environment configuration with every default and derived name filled in. */
export type BridgeConfig = Omit<ParsedConfig, "pipelines"> & {
  /** The first pipeline's names (the only one in a single-pipeline file). */
  readonly names: ResolvedNames;
  /** Every pipeline, in file order; one for a file without "pipelines". */
  readonly pipelines: readonly Pipeline[];
  /** Whether the file lists "pipelines" (constructs then live under one scope per pipeline). */
  readonly pipelinesDeclared: boolean;
  /** The AWS accounts the pipelines run in, the environment's first. */
  readonly awsAccounts: readonly AwsAccount[];
  readonly source: string;
};

export interface ConfigProblem {
  /** Dotted path of the field, e.g. "aws.accountId". */
  readonly field: string;
  /** The value found there (undefined when missing). */
  readonly value: unknown;
  /** What is wrong and the expected form. */
  readonly message: string;
  /** 1-based line in the file, when known (syntax errors, duplicate keys). */
  readonly line?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${source} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems
          .map(
            (p) =>
              `  - ${p.field || "(root)"}${p.line === undefined ? "" : ` (line ${p.line})`}: ${p.line !== undefined && p.value === undefined ? "" : `${describeValue(p.value)} `}${p.message}`,
          )
          .join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Several files of a config directory are invalid: every one is reported, not only the first. */
export class ConfigDirectoryError extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(
      `${errors.length} config file${errors.length === 1 ? " is" : "s are"} invalid:\n\n` +
        errors.map((e) => e.message).join("\n\n"),
    );
    this.name = "ConfigDirectoryError";
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
  const pipelines = resolvePipelines(result.data);
  return {
    ...result.data,
    names: pipelines[0].names,
    pipelines,
    pipelinesDeclared: result.data.pipelines !== undefined,
    awsAccounts: resolveAwsAccounts(result.data, pipelines),
    source,
  };
}

/** Reads and validates one environment file, e.g. `config/dev.json`. */
export function loadConfig(file: string): BridgeConfig {
  const source = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(source, [
      {
        field: "",
        value: undefined,
        message: `cannot read the file (${(err as Error).message}); check the path and its permissions`,
      },
    ]);
  }
  const json = readStrictJson(text);
  if (!json.ok) {
    throw new ConfigError(
      source,
      json.problems.map((p) => ({
        field: p.field,
        value: p.value,
        message: p.message,
        line: p.line,
      })),
    );
  }
  return parseConfig(json.value, source);
}

/**
 * Every `*.json` in a config directory, sorted, as validated configs. When files are invalid,
 * all of them are reported together (ConfigDirectoryError), so one run shows every fix.
 */
export function loadConfigDir(dir: string): BridgeConfig[] {
  const configs: BridgeConfig[] = [];
  const errors: ConfigError[] = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    try {
      configs.push(loadConfig(path.join(dir, file)));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new ConfigDirectoryError(errors);
  return configs;
}

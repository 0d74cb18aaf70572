/**
 * What the stack is meant to trust, derived once from config: the region and access mode, and
 * per pipeline its AWS account, role and function, its table and its archive prefix. At synth
 * the aspect judges the stack against the intent built from config (never read back from the
 * JSON) and records it in the stack's `//` comment; the review report rebuilds it from
 * config/<env>.json when it can and reports a recorded intent that differs, and otherwise reads
 * the record. JSON with neither (a hand-made or test stack) gets the intent read from its own
 * resources, and what cannot be read is unresolvable.
 */
import type { Json, StackJson } from "../terraform-json";

export interface TrustIntent {
  /** The environment's AWS account (its default AWS provider's). */
  readonly accountId: string;
  readonly awsRegion: string;
  readonly accessMode: "impersonation" | "direct";
  /** Config's gcp.projectId (read from the Google provider when the intent comes from the JSON). */
  readonly gcpProjectId?: string;
  /** Config's gcp.projectNumber: a literal pool name is this stack's only in this project. */
  readonly gcpProjectNumber?: string;
  /** One for a single-pipeline environment. The closed world is the union of their grants. */
  readonly pipelines: readonly PipelineIntent[];
}

/** One pipeline: the only identity that may write its table and its archive prefix. */
export interface PipelineIntent {
  readonly name: string;
  readonly accountId: string;
  readonly roleName: string;
  readonly functionName: string;
  /** account_id of the service account the Lambda impersonates (impersonation mode). */
  readonly serviceAccountId?: string;
  readonly datasetId: string;
  readonly tableId: string;
  /** Unset when the archive is off. */
  readonly archiveBucket?: string;
  /** The object prefix it alone may create under; unset: the whole bucket (one pipeline). */
  readonly archivePrefix?: string;
}

/** Key of the intent inside the stack-level `//` comment. */
export const INTENT_COMMENT_KEY = "wif-bridge-trust-intent";

export function recordedIntent(json: Json): TrustIntent | undefined {
  const intent = json?.["//"]?.[INTENT_COMMENT_KEY];
  return intent && typeof intent === "object" && Array.isArray(intent.pipelines)
    ? (intent as TrustIntent)
    : undefined;
}

/** The intent as the JSON itself states it; `problems` says what it does not state. */
export function intentFromJson(stack: StackJson): { intent?: TrustIntent; problems: string[] } {
  const problems: string[] = [];
  const providers = ([] as Json[]).concat(stack.json.provider?.aws ?? []);
  const accounts = [...new Set(providers.flatMap((p) => p.allowed_account_ids ?? []))].map(String);
  const regions = [...new Set(providers.map((p) => p.region))];
  const functions = stack.resources("aws_lambda_function");
  const datasets = stack.resources("google_bigquery_dataset");
  const tables = stack.resources("google_bigquery_table");
  const buckets = stack.resources("google_storage_bucket");
  if (accounts.length !== 1) {
    problems.push(
      `the AWS provider allows ${accounts.length} accounts (allowed_account_ids); the stack must name exactly one`,
    );
  }
  if (regions.length !== 1 || typeof regions[0] !== "string" || regions[0].includes("${")) {
    problems.push("the AWS provider's region is not one literal region");
  }
  if (functions.length !== 1)
    problems.push(`the stack has ${functions.length} aws_lambda_function, not one`);
  if (datasets.length !== 1)
    problems.push(`the stack has ${datasets.length} google_bigquery_dataset, not one`);
  if (tables.length !== 1)
    problems.push(`the stack has ${tables.length} google_bigquery_table, not one`);
  if (buckets.length > 1)
    problems.push(`the stack has ${buckets.length} google_storage_bucket, at most one is intended`);
  const fn = functions[0];
  const roleRef = fn ? /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(String(fn.config.role)) : null;
  const role = roleRef ? stack.find(`aws_iam_role.${roleRef[1]}`) : undefined;
  if (fn && !role) problems.push(`${fn.address} does not run as an aws_iam_role of this stack`);
  if (problems.length > 0) return { problems };
  return {
    problems,
    intent: {
      accountId: accounts[0],
      awsRegion: regions[0],
      accessMode: stack.resources("google_service_account").length > 0 ? "impersonation" : "direct",
      ...googleProjectOf(stack),
      pipelines: [
        {
          name: "(read from the JSON)",
          accountId: accounts[0],
          roleName: String(role!.config.name),
          functionName: String(fn.config.function_name),
          serviceAccountId:
            stack.resources("google_service_account").length === 1
              ? String(stack.resources("google_service_account")[0].config.account_id)
              : undefined,
          datasetId: String(datasets[0].config.dataset_id),
          tableId: String(tables[0].config.table_id),
          archiveBucket: buckets[0] ? String(buckets[0].config.name) : undefined,
        },
      ],
    },
  };
}

/** Whether two intents state the same (key order aside). */
export function sameIntent(a: TrustIntent, b: TrustIntent | undefined): boolean {
  return b !== undefined && canonical(a) === canonical(b);
}

/** The first fields in which `recorded` differs from `expected`, for a message. */
export function intentDifference(expected: TrustIntent, recorded: TrustIntent): string {
  const out: string[] = [];
  const walk = (a: Json, b: Json, at: string) => {
    if (canonical(a) === canonical(b)) return;
    if (a && b && typeof a === "object" && typeof b === "object") {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
        walk(a[k], b[k], at ? `${at}.${k}` : k);
    } else
      out.push(`${at}: config ${JSON.stringify(a ?? null)}, recorded ${JSON.stringify(b ?? null)}`);
  };
  walk(expected, recorded, "");
  return out.slice(0, 3).join("; ") + (out.length > 3 ? `; and ${out.length - 3} more` : "");
}

function canonical(value: Json): string {
  return JSON.stringify(value, (_k, v: Json) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .filter((k) => v[k] !== undefined)
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/** The default Google provider's literal project (the JSON states no project number). */
function googleProjectOf(stack: StackJson): { gcpProjectId?: string } {
  const google = ([] as Json[]).concat(stack.json.provider?.google ?? []).find((p) => !p?.alias);
  const project = google?.project;
  return typeof project === "string" && !project.includes("${") ? { gcpProjectId: project } : {};
}

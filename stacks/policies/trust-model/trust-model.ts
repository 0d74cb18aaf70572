/**
 * The trust model of one synthesized stack: every Google grant, custom role, stored key and
 * pool provider, the Lambda's AWS role with its trust policy, policies and users, and the
 * intent they are judged against. Pure, built from the JSON alone (no cdktf), once per stack;
 * the rule pack and the review report both read it.
 */
import { awsPartitionOf } from "../../federation/partition";
import {
  parseReference,
  type Json,
  type StackJson,
  type TerraformResource,
} from "../terraform-json";
import type { LambdaIdentity } from "./aws-identities";
import {
  readGoogleAccess,
  type CustomRole,
  type GoogleGrant,
  type StoredKey,
  type Unresolvable,
} from "./google-access";
import {
  INTENT_COMMENT_KEY,
  intentDifference,
  intentFromJson,
  recordedIntent,
  sameIntent,
  type PipelineIntent,
  type TrustIntent,
} from "./intent";
import { readLambdaRole, type LambdaRoleModel } from "./aws-lambda-role";
import { readPoolProviders, type PoolProvider } from "./pool-providers";
import { unreadableBlocks } from "./unreadable-blocks";
import { effectiveProject } from "./resource-identity";
import { UnresolvableValue } from "./terraform-values";

export interface TrustModel {
  /** Undefined when neither config nor the JSON states what to trust (then `unresolvable` says why). */
  readonly intent?: TrustIntent;
  /** Whether the intent came from config (recorded at synth) or was read from the JSON. */
  readonly intentSource: "config" | "json";
  readonly lambda?: LambdaIdentity;
  readonly grants: readonly GoogleGrant[];
  readonly customRoles: readonly CustomRole[];
  readonly keys: readonly StoredKey[];
  readonly providers: readonly PoolProvider[];
  /** One per pipeline of the intent, in its order (empty without an intent). */
  readonly pipelines: readonly PipelineModel[];
  /** Address of the archive bucket the intent names (one per environment). */
  readonly bucket?: string;
  readonly unresolvable: readonly Unresolvable[];
}

/** One pipeline as the JSON has it: its Lambda's identity, AWS role and Google resources. */
export interface PipelineModel {
  readonly intent: PipelineIntent;
  readonly lambda: LambdaIdentity;
  readonly awsRole?: LambdaRoleModel;
  /** Addresses of its service account (impersonation mode), table and the table's dataset. */
  readonly serviceAccount?: string;
  readonly table?: string;
  readonly dataset?: string;
}

const cache = new WeakMap<StackJson, TrustModel>();
const givenIntents = new WeakMap<StackJson, TrustIntent>();

/**
 * Judges `stack` against this intent, built from config by the caller (the synth-time aspect,
 * the review tool), never against what the JSON's mutable `//` comment says: the comment is
 * only a record, and one that differs from the given intent is unresolvable. Call before the
 * stack is first evaluated.
 */
export function judgeAgainstIntent(stack: StackJson, intent: TrustIntent): StackJson {
  if (cache.has(stack)) throw new Error("judgeAgainstIntent: the stack was already evaluated");
  givenIntents.set(stack, intent);
  return stack;
}

export function trustModelOf(stack: StackJson): TrustModel {
  let model = cache.get(stack);
  if (!model) {
    model = buildTrustModel(stack);
    cache.set(stack, model);
  }
  return model;
}

function buildTrustModel(stack: StackJson): TrustModel {
  const unresolvable: Unresolvable[] = [];
  const given = givenIntents.get(stack);
  const inJson = recordedIntent(stack.json);
  if (given && !sameIntent(given, inJson)) {
    unresolvable.push({
      address: "//",
      reason: inJson
        ? `the trust intent recorded in the stack's \`//\` comment (${INTENT_COMMENT_KEY}) differs from the one config states (${intentDifference(given, inJson)}); it was edited after it was recorded, and readers of the JSON would judge against it`
        : `the stack records no trust intent in its \`//\` comment (${INTENT_COMMENT_KEY}), though config states one; it was removed after it was recorded`,
    });
  }
  const recorded = given ?? inJson;
  let intent = recorded;
  if (intent && intent.pipelines.length === 0) {
    unresolvable.push({
      address: "//",
      reason:
        "the trust intent lists no pipeline, so no grant, identity or role can be judged against it",
    });
  }
  if (!intent) {
    const derived = intentFromJson(stack);
    intent = derived.intent;
    for (const p of derived.problems) {
      unresolvable.push({
        address: "provider.aws",
        reason: `the intent cannot be read from the JSON: ${p}`,
      });
    }
  }
  // Where the stack really deploys is the AWS provider's region, not what config meant: a region
  // changed in code (or an override) moves the Lambda to another partition, whose session ARN the
  // condition written for config would not admit.
  const deployedRegion = recorded ? deployedAwsRegion(stack) : undefined;
  if (recorded && deployedRegion !== recorded.awsRegion) {
    unresolvable.push({
      address: "provider.aws",
      reason: `the AWS provider deploys to region ${deployedRegion ?? "(not one literal region)"}, but config says ${recorded.awsRegion}; set the region in config (aws.region), not in code`,
    });
  }
  for (const name of Object.keys(stack.json.module ?? {}).sort()) {
    unresolvable.push({
      address: `module.${name}`,
      reason:
        "a Terraform module's resources are not in this JSON, so the grants, keys and identities it creates are invisible to the model",
    });
  }
  for (const r of stack.allResources()) {
    if (r.config.provisioner !== undefined) {
      unresolvable.push({
        address: r.address,
        reason:
          "a provisioner runs commands whose effects (e.g. a gcloud grant) are invisible to the model",
      });
    }
  }
  unresolvable.push(...unreadableBlocks(stack));
  const access = readGoogleAccess(stack, {
    projectId: intent?.gcpProjectId,
    projectNumber: intent?.gcpProjectNumber,
  });
  const pools = readPoolProviders(stack);
  unresolvable.push(...access.unresolvable, ...pools.unresolvable);
  // One Terraform resource per Google resource: a twin makes "which one is the pipeline's" a guess.
  const one = (matches: readonly TerraformResource[], what: string) => {
    if (matches.length > 1) {
      unresolvable.push({
        address: matches[1].address,
        reason: `${matches.map((m) => m.address).join(" and ")} all declare the ${what}; a Google resource is declared once`,
      });
    }
    return matches[0]?.address;
  };
  const find = (type: string, key: string, value: string | undefined) =>
    value === undefined
      ? undefined
      : one(
          stack.resources(type).filter((r) => r.config[key] === value),
          `${type} ${value}`,
        );
  const partition = intent && awsPartitionOf(deployedRegion ?? intent.awsRegion);
  const pipelines = (intent?.pipelines ?? []).map((p): PipelineModel => {
    const role = readLambdaRole(stack, p.roleName);
    unresolvable.push(...role.unresolvable);
    const serviceAccount =
      intent!.accessMode === "impersonation"
        ? (find("google_service_account", "account_id", p.serviceAccountId) ??
          (p.serviceAccountId === undefined
            ? stack.resources("google_service_account")[0]?.address
            : undefined))
        : undefined;
    if (intent!.accessMode === "impersonation" && !serviceAccount) {
      unresolvable.push({
        address: "google_service_account",
        reason: `the service account ${p.serviceAccountId ?? ""} pipeline ${p.name}'s Lambda impersonates is not in the stack`,
      });
    }
    const dataset = find("google_bigquery_dataset", "dataset_id", p.datasetId);
    if (!dataset) {
      unresolvable.push({
        address: "google_bigquery_dataset",
        reason: `the dataset ${p.datasetId} pipeline ${p.name}'s Lambda writes to is not in the stack (dataset_id must be a literal)`,
      });
    }
    const table = one(
      stack
        .resources("google_bigquery_table")
        .filter(
          (t) =>
            t.config.table_id === p.tableId &&
            datasetOf(stack, t.config.dataset_id) === p.datasetId,
        ),
      `table ${p.datasetId}.${p.tableId}`,
    );
    if (!table) {
      unresolvable.push({
        address: "google_bigquery_table",
        reason: `the table ${p.datasetId}.${p.tableId} pipeline ${p.name}'s Lambda writes to is not in the stack (table_id and dataset_id must be literals or references to the dataset)`,
      });
    }
    return {
      intent: p,
      lambda: {
        partition: partition!,
        accountId: p.accountId,
        roleName: p.roleName,
        functionName: p.functionName,
      },
      awsRole: role.model,
      serviceAccount,
      table,
      dataset,
    };
  });
  const archiveBucket = intent?.pipelines.find((p) => p.archiveBucket)?.archiveBucket;
  const bucket = find("google_storage_bucket", "name", archiveBucket);
  if (archiveBucket && !bucket) {
    unresolvable.push({
      address: "google_storage_bucket",
      reason: `the archive bucket ${archiveBucket} is not in the stack (name must be a literal)`,
    });
  }
  // The identities and data the trust is about live in config's project: a pool, service account,
  // dataset, table or bucket moved to another project is under that project owner's IAM too.
  const projectId = intent?.gcpProjectId;
  if (projectId !== undefined) {
    const addresses = new Set([
      ...pipelines.flatMap((p) => [p.serviceAccount, p.dataset, p.table]),
      bucket,
      ...stack.resources("google_iam_workload_identity_pool").map((p) => p.address),
    ]);
    for (const address of addresses) {
      const resource = address === undefined ? undefined : stack.find(address);
      if (!resource) continue;
      try {
        const project = effectiveProject(resource, stack);
        if (project !== projectId) {
          unresolvable.push({
            address: resource.address,
            reason: `is in project ${project}, not config's gcp.projectId ${projectId}: whoever administers that project could grant or federate it outside this stack; keep it in ${projectId}`,
          });
        }
      } catch (err) {
        if (!(err instanceof UnresolvableValue)) throw err;
        unresolvable.push({ address: resource.address, reason: err.message });
      }
    }
  }
  return {
    intent,
    intentSource: recorded ? "config" : "json",
    grants: access.grants,
    customRoles: access.customRoles,
    keys: access.keys,
    providers: pools.providers,
    pipelines,
    bucket,
    unresolvable,
  };
}

/** The dataset id a table's dataset_id names: a literal, or a reference to a dataset of the stack. */
function datasetOf(stack: StackJson, value: Json): string | undefined {
  const ref = parseReference(value);
  if (ref) {
    const dataset = stack.find(ref);
    return ref.type === "google_bigquery_dataset" && dataset
      ? String(dataset.config.dataset_id)
      : undefined;
  }
  return typeof value === "string" && !value.includes("${") ? value : undefined;
}

/** The one literal region every AWS provider of the stack names, or undefined. */
function deployedAwsRegion(stack: StackJson): string | undefined {
  const providers = ([] as Json[]).concat(stack.json.provider?.aws ?? []);
  const regions = [...new Set(providers.map((p) => p?.region))];
  return regions.length === 1 && typeof regions[0] === "string" && !regions[0].includes("${")
    ? regions[0]
    : undefined;
}

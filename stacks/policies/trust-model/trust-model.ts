/**
 * The trust model of one synthesized stack: every Google grant, custom role, stored key and
 * pool provider, the Lambda's AWS role with its trust policy, policies and users, and the
 * intent they are judged against. Pure, built from the JSON alone (no cdktf), once per stack;
 * the rule pack and the review report both read it.
 */
import { awsPartitionOf } from "../../federation/partition";
import type { Json, StackJson } from "../terraform-json";
import type { LambdaIdentity } from "./aws-identities";
import {
  readGoogleAccess,
  type CustomRole,
  type GoogleGrant,
  type StoredKey,
  type Unresolvable,
} from "./google-access";
import { intentFromJson, recordedIntent, type TrustIntent } from "./intent";
import { readLambdaRole, type LambdaRoleModel } from "./aws-lambda-role";
import { readPoolProviders, type PoolProvider } from "./pool-providers";

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
  readonly awsRole?: LambdaRoleModel;
  /** Addresses of the stack's service account, dataset and archive bucket the intent names. */
  readonly serviceAccount?: string;
  readonly dataset?: string;
  readonly bucket?: string;
  readonly unresolvable: readonly Unresolvable[];
}

const cache = new WeakMap<StackJson, TrustModel>();

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
  const recorded = recordedIntent(stack.json);
  let intent = recorded;
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
  const access = readGoogleAccess(stack);
  const pools = readPoolProviders(stack);
  unresolvable.push(...access.unresolvable, ...pools.unresolvable);
  let awsRole: LambdaRoleModel | undefined;
  if (intent) {
    const role = readLambdaRole(stack, intent.roleName);
    awsRole = role.model;
    unresolvable.push(...role.unresolvable);
  }
  const find = (type: string, key: string, value: string | undefined) =>
    value === undefined
      ? undefined
      : stack.resources(type).find((r) => r.config[key] === value)?.address;
  const serviceAccount =
    intent?.accessMode === "impersonation"
      ? (find("google_service_account", "account_id", intent.serviceAccountId) ??
        (intent.serviceAccountId === undefined
          ? stack.resources("google_service_account")[0]?.address
          : undefined))
      : undefined;
  if (intent?.accessMode === "impersonation" && !serviceAccount) {
    unresolvable.push({
      address: "google_service_account",
      reason: `the service account ${intent.serviceAccountId ?? ""} the Lambda impersonates is not in the stack`,
    });
  }
  const dataset = find("google_bigquery_dataset", "dataset_id", intent?.datasetId);
  if (intent && !dataset) {
    unresolvable.push({
      address: "google_bigquery_dataset",
      reason: `the dataset ${intent.datasetId} the Lambda writes to is not in the stack (dataset_id must be a literal)`,
    });
  }
  const bucket = find("google_storage_bucket", "name", intent?.archiveBucket);
  if (intent?.archiveBucket && !bucket) {
    unresolvable.push({
      address: "google_storage_bucket",
      reason: `the archive bucket ${intent.archiveBucket} is not in the stack (name must be a literal)`,
    });
  }
  return {
    intent,
    intentSource: recorded ? "config" : "json",
    lambda: intent && {
      partition: awsPartitionOf(deployedRegion ?? intent.awsRegion),
      accountId: intent.accountId,
      roleName: intent.roleName,
      functionName: intent.functionName,
    },
    grants: access.grants,
    customRoles: access.customRoles,
    keys: access.keys,
    providers: pools.providers,
    awsRole,
    serviceAccount,
    dataset,
    bucket,
    unresolvable,
  };
}

/** The one literal region every AWS provider of the stack names, or undefined. */
function deployedAwsRegion(stack: StackJson): string | undefined {
  const providers = ([] as Json[]).concat(stack.json.provider?.aws ?? []);
  const regions = [...new Set(providers.map((p) => p?.region))];
  return regions.length === 1 && typeof regions[0] === "string" && !regions[0].includes("${")
    ? regions[0]
    : undefined;
}

/**
 * GCS1: every bucket has uniform bucket-level access and public access prevention enforced.
 * Reads the synthesized JSON: `uniform_bucket_level_access` and `public_access_prevention` of
 * google_storage_bucket.
 */
import { outcomeOf, resourceTypes, type SecurityRule } from "../rule";

export const BucketUniformAndPrivate: SecurityRule = {
  id: "GCS1",
  name: "BucketUniformAndPrivate",
  info: 'Buckets set uniform_bucket_level_access = true and public_access_prevention = "enforced".',
  explanation:
    "Uniform access turns off per-object ACLs (the way objects usually become public by accident); public access prevention refuses any public grant even if one is attempted later.",
  level: "error",
  fix: 'set uniformBucketLevelAccess: true and publicAccessPrevention: "enforced" (as StorageArchive does)',
  appliesTo: resourceTypes("google_storage_bucket"),
  evaluate(resource) {
    const { config } = resource;
    const problems: string[] = [];
    if (config.uniform_bucket_level_access !== true) {
      problems.push(
        `uniform_bucket_level_access is ${JSON.stringify(config.uniform_bucket_level_access ?? null)}, so object ACLs still apply`,
      );
    }
    if (config.public_access_prevention !== "enforced") {
      problems.push(
        `public_access_prevention is ${JSON.stringify(config.public_access_prevention ?? null)}, not "enforced"`,
      );
    }
    return outcomeOf(problems);
  },
};

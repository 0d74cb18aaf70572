/**
 * DATA1: no BigQuery dataset, table or Cloud Storage bucket is open to allUsers or
 * allAuthenticatedUsers.
 * Reads the synthesized JSON: IAM resources on datasets, tables and buckets, the dataset's
 * `access` blocks, google_bigquery_dataset_access, and the bucket/object ACL resources.
 */
import { blocks } from "../terraform-json";
import { grantsWrittenBy } from "../iam-resource-types";
import { outcomeOf, type SecurityRule } from "../rule";

const DATA_IAM =
  /^google_(bigquery_dataset|bigquery_table|storage_bucket)_iam_(member|binding|policy)$/;
const ACL_TYPES = new Set([
  "google_storage_bucket_access_control",
  "google_storage_default_object_access_control",
  "google_storage_object_access_control",
  "google_storage_bucket_acl",
  "google_storage_default_object_acl",
  "google_storage_object_acl",
]);
const PUBLIC_ENTITY = /\b(allUsers|allAuthenticatedUsers)\b/;

export const NoPublicDataAccess: SecurityRule = {
  id: "DATA1",
  name: "NoPublicDataAccess",
  info: "No dataset, table or bucket grants anything to allUsers or allAuthenticatedUsers.",
  explanation:
    "allUsers is anyone on the internet and allAuthenticatedUsers is anyone with any Google account; either makes the data public.",
  level: "error",
  fix: "grant to the Lambda's identity only (FederatedIdentity.member), on its table (google_bigquery_table_iam_member) or on the archive bucket",
  appliesTo: (type) =>
    DATA_IAM.test(type) ||
    ACL_TYPES.has(type) ||
    type === "google_bigquery_dataset" ||
    type === "google_bigquery_dataset_access",
  evaluate(resource, stack) {
    const problems: string[] = [];
    const { type, config } = resource;
    if (DATA_IAM.test(type)) {
      for (const g of grantsWrittenBy(resource, stack)) {
        if (g.member.kind === "public") problems.push(`grants ${g.role} to ${g.member.text}`);
      }
    } else if (ACL_TYPES.has(type)) {
      const entities = [config.entity, ...(config.role_entity ?? [])].filter(Boolean).map(String);
      for (const e of entities.filter((e) => PUBLIC_ENTITY.test(e))) {
        problems.push(`gives ACL entity "${e}" access`);
      }
    } else {
      const entries = type === "google_bigquery_dataset" ? blocks(config.access) : [config];
      for (const a of entries) {
        for (const who of [a.special_group, a.iam_member].filter(Boolean).map(String)) {
          if (PUBLIC_ENTITY.test(who)) problems.push(`gives ${who} ${a.role ?? "access"}`);
        }
      }
    }
    return outcomeOf(problems);
  },
};

/**
 * IAM3: BigQuery and Cloud Storage roles, and the roles that let a member act as a service
 * account, are never granted on a whole project, folder or organization.
 * Reads the trust model's grants of google_project_iam_* / google_folder_iam_* /
 * google_organization_iam_* resources (members, bindings, policies).
 */
import { grantsWrittenBy, isHierarchyLevelIam } from "../iam-resource-types";
import { outcomeOf, type SecurityRule } from "../rule";

const DATA_ROLE = /^roles\/(bigquery|storage)\./;
const IMPERSONATION_ROLES = [
  "roles/iam.workloadIdentityUser",
  "roles/iam.serviceAccountTokenCreator",
  "roles/iam.serviceAccountUser",
];

export const NoProjectLevelDataRoles: SecurityRule = {
  id: "IAM3",
  name: "NoProjectLevelDataRoles",
  info: "Data roles (bigquery.*, storage.*) and impersonation roles are granted on a table, dataset, bucket or service account, never project-wide.",
  explanation:
    "A project-level data role reaches every dataset and bucket in the project, including ones created later; a project-level impersonation role reaches every service account.",
  level: "error",
  fix: "grant on the resource instead: google_bigquery_dataset_iam_member, google_storage_bucket_iam_member or google_service_account_iam_member",
  appliesTo: isHierarchyLevelIam,
  evaluate(resource, stack) {
    const scope = resource.type.split("_")[1];
    const problems: string[] = [];
    for (const g of grantsWrittenBy(resource, stack)) {
      if (DATA_ROLE.test(g.role)) {
        problems.push(`grants the data role ${g.role} to ${g.member.text} on the whole ${scope}`);
      } else if (IMPERSONATION_ROLES.includes(g.role)) {
        problems.push(
          `grants ${g.role} to ${g.member.text} on the whole ${scope}, i.e. over every service account in it`,
        );
      }
    }
    return outcomeOf(problems);
  },
};

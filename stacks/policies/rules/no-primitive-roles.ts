/**
 * IAM2: no primitive role (roles/owner, roles/editor, roles/viewer) is granted at any level.
 * Reads the trust model's grants of every google_*_iam_member / _binding / _policy (policy_data as
 * JSON, jsonencode or data.google_iam_policy).
 */
import { grantsWrittenBy, isGoogleIamResource } from "../iam-resource-types";
import { outcomeOf, type SecurityRule } from "../rule";

export const PRIMITIVE_ROLES = ["roles/owner", "roles/editor", "roles/viewer"];

export const NoPrimitiveRoles: SecurityRule = {
  id: "IAM2",
  name: "NoPrimitiveRoles",
  info: "No owner, editor or viewer (primitive) role is granted.",
  explanation:
    "Primitive roles carry thousands of permissions across every service of the project; a bridge that inserts rows needs one predefined role on one table.",
  level: "error",
  fix: "grant a predefined role on the one resource instead, e.g. roles/bigquery.dataEditor on its table (google_bigquery_table_iam_member, BigQueryDestination.grantInsert)",
  appliesTo: isGoogleIamResource,
  evaluate(resource, stack) {
    return outcomeOf(
      grantsWrittenBy(resource, stack)
        .filter((g) => PRIMITIVE_ROLES.includes(g.role))
        .map((g) => `grants the primitive role ${g.role} to ${g.member.text}`),
    );
  },
};

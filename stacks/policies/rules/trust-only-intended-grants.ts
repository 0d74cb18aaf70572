/**
 * TRUST4: The stack holds no data grant beyond the intended ones: roles/bigquery.dataEditor on its table (google_bigquery_table_iam_member) and roles/storage.objectCreator on the archive bucket (conditioned on the pipeline's archive prefix when it has one), to each pipeline's Lambda identity.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const OnlyIntendedGrants = trustRule({
  id: "TRUST4",
  name: "OnlyIntendedGrants",
  info: "The stack holds no data grant beyond the intended ones: roles/bigquery.dataEditor on its table (google_bigquery_table_iam_member) and roles/storage.objectCreator on the archive bucket (conditioned on the pipeline's archive prefix when it has one), to each pipeline's Lambda identity.",
  explanation:
    "A closed world: any other grant (another member, role, dataset access entry, table or project) widens who can read or write the data, and nothing in the bridge needs it.",
  fix: "remove the grant, or grant through BigQueryDestination.grantInsert / StorageArchive.grantObjectCreate",
  suppressible: true,
});

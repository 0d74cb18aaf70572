/**
 * TRUST4: The stack holds no data grant beyond the intended ones: roles/bigquery.dataEditor on the dataset and roles/storage.objectCreator on the archive bucket, to the Lambda's identity.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustEvaluationOf } from "../trust-model/trust-evaluation";
import { NOT_APPLICABLE, type SecurityRule } from "../rule";

export const OnlyIntendedGrants: SecurityRule = {
  id: "TRUST4",
  name: "OnlyIntendedGrants",
  info: "The stack holds no data grant beyond the intended ones: roles/bigquery.dataEditor on the dataset and roles/storage.objectCreator on the archive bucket, to the Lambda's identity.",
  explanation:
    "A closed world: any other grant (another member, role, dataset access entry, table or project) widens who can read or write the data, and nothing in the bridge needs it.",
  level: "error",
  fix: "remove the grant, or grant through BigQueryDestination.grantInsert / StorageArchive.grantObjectCreate",
  suppressible: true,
  appliesTo: () => false,
  evaluate: () => NOT_APPLICABLE,
  evaluateStack: (stack) => trustEvaluationOf(stack).findings.filter((f) => f.rule === "TRUST4"),
};

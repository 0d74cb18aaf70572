/**
 * TRUST9: No pipeline reaches another pipeline's data: for every pair (A, B), A's Lambda session, put through every provider, condition, grant and service account, holds no grant on B's table, its dataset, B's archive prefix, B's service account or the project around them.
 * Reads the trust model and its evaluation (stacks/policies/trust-model), not the text of any
 * one resource.
 */
import { trustRule } from "./trust-rule";

export const PipelinesIsolated = trustRule({
  id: "TRUST9",
  name: "PipelinesIsolated",
  info: "No pipeline reaches another pipeline's data: for every pair (A, B), A's Lambda session, put through every provider, condition, grant and service account, holds no grant on B's table, its dataset, B's archive prefix, B's service account or the project around them.",
  explanation:
    "Pipelines of one environment share a pool, and maybe a dataset and an archive bucket; a grant widened to the dataset or bucket, a condition admitting another account's role or a shared service account would let one producer write, read or list another's data.",
  fix: "grant each pipeline's identity its own table (google_bigquery_table_iam_member) and its own archive prefix (a resource.name.startsWith condition) only, each to its own service account or principalSet",
  suppressible: false,
});

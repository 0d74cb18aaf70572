/**
 * The cross-pipeline matrix: what each pipeline's real Lambda session reaches of every other
 * pipeline's data. Read from the reaches the evaluation computed (through every provider,
 * condition, grant and service account); an empty cell is the proof of isolation for that pair.
 */
import type { GoogleGrant } from "./google-access";
import { objectPrefixOf, prefixesOverlap } from "./object-prefix-condition";
import type { MatrixCell, PipelineEvaluation } from "./trust-evaluation";
import type { TrustModel } from "./trust-model";

/**
 * For every ordered pair of pipelines (A, B), A != B: the grants A's real Lambda session reaches
 * (through every provider, condition, grant and service account) that touch B's data: B's
 * table, its dataset, B's archive prefix, B's service account, or the project around them.
 */
export function crossPipelineMatrix(
  model: TrustModel,
  pipelines: readonly PipelineEvaluation[],
): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const a of pipelines) {
    for (const b of pipelines) {
      if (a === b) continue;
      const target = b.pipeline;
      const touches = (g: GoogleGrant): string | undefined => {
        if (g.scope === "table" && g.target === target.table) return "table";
        if (g.scope === "dataset" && g.target === target.dataset)
          return "table (through its dataset)";
        if (g.scope === "service account" && g.target === target.serviceAccount)
          return "service account";
        if (["project", "folder", "organization"].includes(g.scope))
          return `table and objects (through the ${g.scope})`;
        const prefix = target.intent.archivePrefix;
        const bucket = target.intent.archiveBucket;
        if (g.scope === "bucket" && bucket !== undefined && g.target === model.bucket) {
          if (prefix === undefined) return "archive bucket";
          const granted = objectPrefixOf(g.condition, bucket);
          if (granted === undefined || prefixesOverlap(granted, prefix))
            return `archive objects under ${prefix}`;
        }
        return undefined;
      };
      const reaches = a.lambda.reaches.filter((r) => touches(r.grant) !== undefined);
      cells.push({
        from: a.pipeline.intent.name,
        to: b.pipeline.intent.name,
        what: [...new Set(reaches.map((r) => touches(r.grant)!))].join(", ") || "data",
        reaches,
      });
    }
  }
  return cells;
}

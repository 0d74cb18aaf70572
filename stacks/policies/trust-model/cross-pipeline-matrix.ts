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
 * (through every provider, condition, grant and service account) that may touch B's data.
 * Closed-world: a reached grant is isolated from B only when proven disjoint from B's data (a
 * grant on another resource of this stack, or on the archive under a prefix that does not
 * overlap B's); B's table, dataset, service account or prefix, the project around them, a
 * resource the model cannot prove is not B's, or a kind of resource it does not model, all touch.
 */
export function crossPipelineMatrix(
  model: TrustModel,
  pipelines: readonly PipelineEvaluation[],
): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const a of pipelines) {
    for (const b of pipelines) {
      if (a === b) continue;
      const touches = (g: GoogleGrant) => touchesData(g, b, model);
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

/** Which of pipeline `b`'s data a grant may touch, or undefined when proven disjoint from it. */
function touchesData(g: GoogleGrant, b: PipelineEvaluation, model: TrustModel): string | undefined {
  const target = b.pipeline;
  const unproven = `data (through ${g.scope} ${g.target}, which the model cannot prove is disjoint from it)`;
  switch (g.scope) {
    case "table":
      if (!g.targetInStack) return unproven;
      return g.target === target.table ? "table" : undefined;
    case "dataset":
      if (!g.targetInStack) return unproven;
      return g.target === target.dataset ? "table (through its dataset)" : undefined;
    case "service account":
      if (!g.targetInStack) return unproven;
      return g.target === target.serviceAccount ? "service account" : undefined;
    case "bucket": {
      const prefix = target.intent.archivePrefix;
      const bucket = target.intent.archiveBucket;
      // Without an archive, none of b's data is in any bucket.
      if (bucket === undefined) return undefined;
      if (!g.targetInStack) return unproven;
      if (g.target !== model.bucket) return undefined;
      if (prefix === undefined) return "archive bucket";
      const granted = objectPrefixOf(g.condition, bucket);
      return granted === undefined || prefixesOverlap(granted, prefix)
        ? `archive objects under ${prefix}`
        : undefined;
    }
    case "project":
    case "folder":
    case "organization":
      return `table and objects (through the ${g.scope})`;
    default:
      // The pool (its providers decide who is admitted) and every resource the model does not
      // model (a managed folder, a routine, ...): nothing proves them disjoint from b's data.
      return unproven;
  }
}

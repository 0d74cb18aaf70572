/**
 * The one IAM condition form the trust model proves rather than reads as unconditional: a
 * Cloud Storage grant narrowed to object names under a prefix,
 * `resource.name.startsWith("projects/_/buckets/BUCKET/objects/PREFIX")`. The expression is
 * parsed (CEL, as IAM evaluates it) and must be exactly that call on `resource.name` with one
 * string literal naming this bucket; any other expression, however it reads, is not a prefix
 * (the wider reading: the grant covers the whole bucket).
 */
import { parse } from "@bufbuild/cel";

/** The object prefix the condition admits in `bucket`, or undefined when it is not that form. */
export function objectPrefixOf(expression: string | undefined, bucket: string): string | undefined {
  if (expression === undefined) return undefined;
  let root;
  try {
    root = parse(expression).expr;
  } catch {
    return undefined;
  }
  if (root?.exprKind.case !== "callExpr") return undefined;
  const call = root.exprKind.value;
  if (call.function !== "startsWith" || call.args.length !== 1) return undefined;
  const target = call.target?.exprKind;
  if (
    target?.case !== "selectExpr" ||
    target.value.field !== "name" ||
    target.value.testOnly ||
    target.value.operand?.exprKind.case !== "identExpr" ||
    target.value.operand.exprKind.value.name !== "resource"
  ) {
    return undefined;
  }
  const arg = call.args[0].exprKind;
  if (arg.case !== "constExpr" || arg.value.constantKind.case !== "stringValue") return undefined;
  const objects = `projects/_/buckets/${bucket}/objects/`;
  const literal = arg.value.constantKind.value;
  // A prefix that stops inside "objects/" (or names another bucket) is not an object prefix here.
  if (!literal.startsWith(objects)) return undefined;
  return literal.slice(objects.length);
}

/** Whether an object under `a` can also be under `b` (one prefix starts with the other). */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

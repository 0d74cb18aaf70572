/**
 * IAM conditions on grants, as Google evaluates them at request time: the condition is CEL over
 * the `resource` attributes of the request (`resource.name`, `resource.type`,
 * `resource.service`), run by the same CEL implementation synth's trust model uses. A
 * condition that does not evaluate to `true` (false, an error, a non-boolean) grants nothing.
 */
import { evaluateCel } from "../stacks/policies/trust-model/cel";

export interface IamCondition {
  readonly expression: string;
  readonly title?: string;
}

/** The resource a request is about, named as IAM conditions see it. */
export interface IamResource {
  /** e.g. `projects/_/buckets/BUCKET/objects/OBJECT`, `projects/P/datasets/D/tables/T` */
  readonly name: string;
  /** e.g. `storage.googleapis.com/Object`, `bigquery.googleapis.com/Table` */
  readonly type: string;
  /** e.g. `storage.googleapis.com` */
  readonly service: string;
}

export type ConditionOutcome =
  { readonly holds: true } | { readonly holds: false; readonly reason: string };

export function evaluateIamCondition(
  condition: IamCondition,
  resource: IamResource,
): ConditionOutcome {
  const outcome = evaluateCel(condition.expression, {
    resource: { name: resource.name, type: resource.type, service: resource.service },
  });
  if (!outcome.ok) return { holds: false, reason: `the condition errs: ${outcome.error}` };
  if (outcome.value === true) return { holds: true };
  return {
    holds: false,
    reason: `the condition "${condition.expression}" is ${String(outcome.value)} for ${resource.name}`,
  };
}

/** Reads a Terraform `condition` block (an object, or a one-element list) if there is one. */
export function readCondition(block: unknown): IamCondition | undefined {
  const first = ([] as unknown[]).concat(block ?? [])[0] as
    { expression?: unknown; title?: unknown } | undefined;
  if (!first || typeof first.expression !== "string") return undefined;
  return {
    expression: first.expression,
    ...(typeof first.title === "string" ? { title: first.title } : {}),
  };
}

export const bigqueryTableResource = (project: string, dataset: string, table: string) => ({
  name: `projects/${project}/datasets/${dataset}/tables/${table}`,
  type: "bigquery.googleapis.com/Table",
  service: "bigquery.googleapis.com",
});

export const bigqueryDatasetResource = (project: string, dataset: string) => ({
  name: `projects/${project}/datasets/${dataset}`,
  type: "bigquery.googleapis.com/Dataset",
  service: "bigquery.googleapis.com",
});

export const storageObjectResource = (bucket: string, object: string) => ({
  name: `projects/_/buckets/${bucket}/objects/${object}`,
  type: "storage.googleapis.com/Object",
  service: "storage.googleapis.com",
});

/** objects.list is checked on the bucket: an object-prefix condition is false for it. */
export const storageBucketResource = (bucket: string) => ({
  name: `projects/_/buckets/${bucket}`,
  type: "storage.googleapis.com/Bucket",
  service: "storage.googleapis.com",
});

export const serviceAccountResource = (project: string, email: string) => ({
  name: `projects/${project}/serviceAccounts/${email}`,
  type: "iam.googleapis.com/ServiceAccount",
  service: "iam.googleapis.com",
});

/**
 * Which Google resource an argument names, by meaning and closed-world: a resource is this
 * stack's own only when every argument that identifies it (project, dataset, table, bucket,
 * service account, pool) is a literal equal to the stack resource's own value, or a reference
 * that resolves to it. A literal the model cannot prove equal (another project, a full resource
 * path, another spelling) is another resource; a reference it cannot follow to a literal of
 * this stack (a data source, a variable, a computed attribute) is unresolvable.
 */
import {
  isExpression,
  parseReference,
  type Json,
  type StackJson,
  type TerraformResource,
} from "../terraform-json";
import { UnresolvableValue } from "./terraform-values";

/**
 * A resource's project: its literal `project`, or the project of the Google provider it uses.
 * When that provider states no literal project, the provider itself stands for it: two resources
 * on one provider configuration are in one project, and no literal is proven equal to it.
 */
export function effectiveProject(resource: TerraformResource, stack: StackJson): string {
  if (resource.config.project !== undefined) {
    return literalOf(resource.config.project, stack, `the project of ${resource.address}`);
  }
  return providerProject(stack, resource.config.provider);
}

function providerProject(stack: StackJson, providerRef: Json): string {
  // `provider` is "google", "google.<alias>", or another provider's ("google-beta.<alias>").
  const [name, alias = ""] =
    providerRef === undefined ? ["google"] : String(providerRef).split(/\.(.*)/s, 2);
  const providers = ([] as Json[]).concat(stack.json.provider?.[name] ?? []);
  const provider = providers.find((p) => (p?.alias ?? "") === alias);
  const project = provider?.project;
  return typeof project === "string" && !isExpression(project)
    ? project
    : `(the project of provider ${name}${alias ? `.${alias}` : ""})`;
}

/**
 * The literal a value stands for: itself when it is plain text, else the argument of this
 * stack's resource it references (followed through further references; `project` defaults
 * to the resource's provider's project). Anything else cannot be known at synth.
 */
export function literalOf(value: Json, stack: StackJson, what: string, depth = 0): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string" && !isExpression(value)) return value;
  const ref = parseReference(value);
  const target = ref && !ref.isData && depth < 8 ? stack.find(ref) : undefined;
  if (!ref || !target) {
    throw new UnresolvableValue(
      `${what} is ${JSON.stringify(value ?? null)}, which the model cannot follow to a literal of this stack's resources`,
    );
  }
  if (ref.attribute === "project") return effectiveProject(target, stack);
  if (target.config[ref.attribute] === undefined) {
    throw new UnresolvableValue(
      `${what} is ${value}, an attribute known only at apply; reference the argument that names the resource (e.g. its id or name argument) or write the literal`,
    );
  }
  return literalOf(target.config[ref.attribute], stack, what, depth + 1);
}

/** The email of one of this stack's service accounts, when its project is a literal. */
export function serviceAccountEmail(sa: TerraformResource, stack: StackJson): string | undefined {
  const accountId = sa.config.account_id;
  const project = effectiveProject(sa, stack);
  if (typeof accountId !== "string" || isExpression(accountId) || project.startsWith("("))
    return undefined;
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** The table a table grant names: this stack's table, or undefined for any other. */
export function ownTable(
  args: { project: Json; dataset_id: Json; table_id: Json },
  grant: TerraformResource,
  stack: StackJson,
): TerraformResource | undefined {
  const what = (arg: string) => `the ${arg} of the table ${grant.address} grants on`;
  const project =
    args.project === undefined
      ? effectiveProject(grant, stack)
      : literalOf(args.project, stack, what("project"));
  const dataset = literalOf(args.dataset_id, stack, what("dataset_id"));
  const table = literalOf(args.table_id, stack, what("table_id"));
  return single(
    stack.resources("google_bigquery_table").filter((t) => {
      try {
        return (
          literalOf(t.config.table_id, stack, t.address) === table &&
          literalOf(t.config.dataset_id, stack, t.address) === dataset &&
          effectiveProject(t, stack) === project
        );
      } catch {
        return false;
      }
    }),
    `table ${project}:${dataset}.${table}`,
  );
}

/** The dataset a dataset grant (or dataset access) names: this stack's, or undefined. */
export function ownDataset(
  args: { project: Json; dataset_id: Json },
  grant: TerraformResource,
  stack: StackJson,
): TerraformResource | undefined {
  const what = (arg: string) => `the ${arg} of the dataset ${grant.address} grants on`;
  const project =
    args.project === undefined
      ? effectiveProject(grant, stack)
      : literalOf(args.project, stack, what("project"));
  const dataset = literalOf(args.dataset_id, stack, what("dataset_id"));
  return single(
    stack.resources("google_bigquery_dataset").filter((d) => {
      try {
        return (
          literalOf(d.config.dataset_id, stack, d.address) === dataset &&
          effectiveProject(d, stack) === project
        );
      } catch {
        return false;
      }
    }),
    `dataset ${project}:${dataset}`,
  );
}

/** The bucket a bucket grant names (bucket names are global): this stack's, or undefined. */
export function ownBucket(
  bucket: Json,
  grant: TerraformResource,
  stack: StackJson,
): TerraformResource | undefined {
  const name = literalOf(bucket, stack, `the bucket ${grant.address} grants on`);
  return single(
    stack.resources("google_storage_bucket").filter((b) => {
      try {
        return literalOf(b.config.name, stack, b.address) === name;
      } catch {
        return false;
      }
    }),
    `bucket ${name}`,
  );
}

/**
 * The service account a service-account grant names: a reference to the `name` or `id` of one
 * of this stack's (both are `projects/<project>/serviceAccounts/<email>`), or that literal
 * (`projects/-/` lets Google read the project from the email). Anything else is another's.
 */
export function ownServiceAccount(
  value: Json,
  grant: TerraformResource,
  stack: StackJson,
): TerraformResource | undefined {
  const ref = parseReference(value);
  if (ref && !ref.isData && ref.type === "google_service_account") {
    const sa = stack.find(ref);
    if (sa && (ref.attribute === "name" || ref.attribute === "id")) return sa;
  }
  const text = literalOf(value, stack, `the service account ${grant.address} grants on`);
  const m = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/.exec(text);
  if (!m) return undefined;
  return single(
    stack.resources("google_service_account").filter((sa) => {
      const email = serviceAccountEmail(sa, stack);
      return (
        email !== undefined &&
        m[2] === email &&
        (m[1] === "-" || m[1] === effectiveProject(sa, stack))
      );
    }),
    `service account ${m[2]}`,
  );
}

/** The pool a pool grant names: this stack's pool (its id and project both equal), or undefined. */
export function ownPool(
  args: { project: Json; workload_identity_pool_id: Json },
  grant: TerraformResource,
  stack: StackJson,
): TerraformResource | undefined {
  const what = (arg: string) => `the ${arg} of the pool ${grant.address} grants on`;
  const project =
    args.project === undefined
      ? effectiveProject(grant, stack)
      : literalOf(args.project, stack, what("project"));
  const id = literalOf(args.workload_identity_pool_id, stack, what("workload_identity_pool_id"));
  return single(
    stack.resources("google_iam_workload_identity_pool").filter((p) => {
      try {
        return (
          literalOf(p.config.workload_identity_pool_id, stack, p.address) === id &&
          effectiveProject(p, stack) === project
        );
      } catch {
        return false;
      }
    }),
    `pool ${project}/${id}`,
  );
}

/**
 * The one stack resource that is a given Google resource. Two Terraform resources for one Google
 * resource (a twin) make "which of the stack's is it" unanswerable: unresolvable, never a guess.
 */
export function single(
  matches: readonly TerraformResource[],
  what: string,
): TerraformResource | undefined {
  if (matches.length > 1) {
    throw new UnresolvableValue(
      `${matches.map((m) => m.address).join(" and ")} are all the ${what}; a Google resource is declared once`,
    );
  }
  return matches[0];
}

/**
 * Forms of Terraform JSON whose content the model does not read, so whatever they grant or
 * admit would pass unseen; each is unresolvable (TRUST8), never skipped:
 * - a `dynamic` block anywhere in any resource or data source (`dynamic "access"` on a dataset,
 *   `dynamic "binding"` in data.google_iam_policy, `dynamic "statement"` in a policy document
 *   generate blocks from an expression known only at apply);
 * - source/override documents of data.aws_iam_policy_document (merged into its statements by
 *   Terraform, at apply);
 * - a nested block the model reads given as anything but an object or a list of objects.
 * The model reads every resource (users of the Lambda's role, provisioners), so `dynamic` is
 * refused wherever it is.
 */
import type { Json, StackJson } from "../terraform-json";
import type { Unresolvable } from "./google-access";

/** data.aws_iam_policy_document arguments whose documents Terraform merges into the statements. */
const MERGED_DOCUMENTS = [
  "source_policy_documents",
  "override_policy_documents",
  "source_json",
  "override_json",
];

/** Per type (data sources prefixed `data.`): the nested blocks the model reads, by path. */
const READ_BLOCKS: Readonly<Record<string, readonly string[][]>> = {
  "data.aws_iam_policy_document": [
    ["statement"],
    ["statement", "principals"],
    ["statement", "not_principals"],
    ["statement", "condition"],
  ],
  "data.google_iam_policy": [["binding"], ["binding", "condition"]],
  google_bigquery_dataset: [["access"]],
  google_iam_workload_identity_pool_provider: [["aws"], ["oidc"], ["saml"], ["x509"]],
  aws_iam_role: [["inline_policy"]],
};

export function unreadableBlocks(stack: StackJson): Unresolvable[] {
  const out: Unresolvable[] = [];
  const each = (
    root: Json,
    prefix: string,
    visit: (address: string, type: string, config: Json) => void,
  ) => {
    for (const [type, byName] of Object.entries(root ?? {})) {
      for (const [name, config] of Object.entries((byName as Json) ?? {}))
        visit(`${prefix}${type}.${name}`, `${prefix}${type}`, config);
    }
  };
  const visit = (address: string, type: string, config: Json) => {
    for (const path of dynamicPaths(config, [])) {
      out.push({
        address,
        reason: `has a dynamic block (${path.join(".")}): the blocks it generates come from an expression known only at apply, so the grants or statements they hold cannot be read; write each block literally`,
      });
    }
    if (type === "data.aws_iam_policy_document") {
      for (const key of MERGED_DOCUMENTS) {
        if (config?.[key] !== undefined) {
          out.push({
            address,
            reason: `sets ${key}: Terraform merges those documents' statements (a Principal "*" among them) into this one at apply, and the model reads only its statement blocks; write every statement as a statement block`,
          });
        }
      }
    }
    const malformed = new Set(
      (READ_BLOCKS[type] ?? []).flatMap((p) => malformedBlocks(config, p, [])),
    );
    for (const bad of malformed) {
      out.push({
        address,
        reason: `its ${bad} is not a block (an object or a list of objects) but an expression or a scalar, which the model cannot read`,
      });
    }
  };
  each(stack.json?.resource, "", visit);
  each(stack.json?.data, "data.", visit);
  return out;
}

/** Paths of every `dynamic` key in a configuration (the `//` comment aside). */
function dynamicPaths(value: Json, path: string[]): string[][] {
  if (!value || typeof value !== "object") return [];
  const out: string[][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === "//") continue;
    if (key === "dynamic") {
      const names = v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : ["?"];
      for (const name of names) out.push([...path, `dynamic "${name}"`]);
    } else out.push(...dynamicPaths(v, Array.isArray(value) ? path : [...path, key]));
  }
  return out;
}

/** The block paths under `config` whose value is set but is not an object or list of objects. */
function malformedBlocks(config: Json, path: readonly string[], at: string[]): string[] {
  if (path.length === 0 || !config || typeof config !== "object") return [];
  const [key, ...rest] = path;
  const value = config[key];
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const here = [...at, key].join(".");
  if (
    typeof value !== "object" ||
    items.some((i) => !i || typeof i !== "object" || Array.isArray(i))
  )
    return [here];
  return items.flatMap((i) => malformedBlocks(i, rest, [...at, key]));
}

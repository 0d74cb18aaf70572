/**
 * Plain-words names for what the synthesized JSON says in Terraform terms: IAM members,
 * references and the resources grants are made on. Every reference is shown with the
 * Terraform address it points at, so a reviewer can find it in `cdktf diff`.
 */
import { parseReference, type StackJson } from "../../stacks/policies/terraform-json";

const FEDERATED = /^(?:iamMember:)?(principalSet|principal):\/\/iam\.googleapis\.com\/(.+)$/;

/** `text` as inline Markdown code (backticks inside are doubled-up safely). */
export function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A value that may be a `${type.name.attr}` reference: its literal when known, else the reference. */
export function valueOf(value: unknown, stack: StackJson): string {
  const literal = stack.literal(value);
  if (literal !== undefined) return code(literal);
  const ref = parseReference(value);
  if (ref) return `${ref.attribute} of ${code(ref.address)} (known at apply)`;
  return code(String(value));
}

/** Pool id from a pool name (`projects/N/locations/global/workloadIdentityPools/POOL`) or reference. */
function poolLabel(poolName: string, stack: StackJson): string {
  const ref = parseReference(poolName);
  if (ref) {
    const pool = stack.find(ref);
    const id = pool?.config.workload_identity_pool_id;
    return id ? `pool ${code(String(id))}` : `pool ${code(ref.address)}`;
  }
  const id = /workloadIdentityPools\/([^/]+)$/.exec(poolName)?.[1];
  return `pool ${code(id ?? poolName)}`;
}

/** An IAM member in words, e.g. "every session of AWS role `arn:...` (via pool `p`)". */
export function describeMember(member: string, stack: StackJson): string {
  const sa = /^serviceAccount:(.+)$/.exec(member);
  if (sa) {
    const ref = parseReference(sa[1]);
    const account = ref && stack.find(ref);
    if (account) {
      return `service account ${code(String(account.config.account_id))} (${code(account.address)})`;
    }
    return `service account ${code(sa[1])}`;
  }
  const fed = FEDERATED.exec(member);
  if (fed) {
    const rest = fed[2];
    const cut = rest.search(/\/(attribute\.[^/]+|group|subject|\*)(\/|$)/);
    const pool = cut >= 0 ? rest.slice(0, cut) : rest;
    const tail = cut >= 0 ? rest.slice(cut + 1) : "";
    const via = `(via ${poolLabel(pool, stack)})`;
    if (tail === "*") return `**every identity the pool admits** ${via}`;
    const role = /^attribute\.aws_role\/(.+)$/.exec(tail);
    if (role) return `every session of AWS role ${code(role[1])} ${via}`;
    const subject = /^subject\/(.+)$/.exec(tail);
    if (subject) return `the one identity with subject ${code(subject[1])} ${via}`;
    const attr = /^(attribute\.[^/]+|group)\/(.+)$/.exec(tail);
    if (attr) return `every identity whose ${attr[1]} is ${code(attr[2])} ${via}`;
  }
  if (member === "allUsers" || member === "iamMember:allUsers")
    return "**anyone on the internet** (allUsers)";
  if (member.endsWith("allAuthenticatedUsers")) {
    return "**anyone with a Google account** (allAuthenticatedUsers)";
  }
  return code(member);
}

/**
 * An IAM member string read for what it grants to: a service account of the stack, a
 * federated principal (set) of a pool, the public, or anyone else. References are followed
 * to the resource they name; a reference the model cannot follow is unresolvable.
 */
import { parseReference, type StackJson } from "../terraform-json";
import { effectiveProject, serviceAccountEmail, single } from "./resource-identity";
import { UnresolvableValue } from "./terraform-values";

/**
 * What config says of the stack's Google project. A literal pool name is this stack's pool only
 * when its project number is config's gcp.projectNumber (and its pool id and project the pool's).
 */
export interface OwnProject {
  readonly projectId?: string;
  readonly projectNumber?: string;
}

export type IamMember =
  /** A service account: `address` when it is one of this stack's. */
  | { readonly kind: "serviceAccount"; readonly text: string; readonly address?: string }
  /**
   * A federated principal set or principal. `pool` is the stack's pool address, or the pool's
   * literal name when it is not this stack's. `attribute`: "*" (every identity), "subject",
   * "group" or an attribute name (without "attribute.").
   */
  | {
      readonly kind: "federated";
      readonly text: string;
      readonly pool: string;
      readonly poolInStack: boolean;
      readonly attribute: string;
      readonly value: string;
    }
  | { readonly kind: "public"; readonly text: string }
  /** user:, group:, domain:, projectOwner:, a BigQuery special group or view: never intended. */
  | { readonly kind: "other"; readonly text: string };

const FEDERATED =
  /^(principalSet|principal):\/\/iam\.googleapis\.com\/(.+?)\/(\*|subject\/.+|group\/.+|attribute\.[^/]+\/.+)$/;
const POOL_NAME = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([^/]+)$/;

/**
 * Reads one member; throws UnresolvableValue when it holds a reference the model cannot follow.
 * Closed-world: a member is this stack's service account or pool only when proven so (a
 * reference to it, or its full literal name); any other spelling is someone else.
 */
export function readMember(raw: string, stack: StackJson, own: OwnProject = {}): IamMember {
  const text = raw.replace(/^iamMember:/, "");
  if (text === "allUsers" || text === "allAuthenticatedUsers") return { kind: "public", text };
  // `${google_service_account.X.member}` is "serviceAccount:<its email>".
  const whole = parseReference(text);
  if (whole && whole.type === "google_service_account" && whole.attribute === "member") {
    if (whole.isData || !stack.find(whole)) {
      throw new UnresolvableValue(
        `member "${raw}" refers to ${whole.address}, not a service account of this stack`,
      );
    }
    return { kind: "serviceAccount", text, address: whole.address };
  }
  const sa = /^serviceAccount:(.+)$/.exec(text);
  if (sa) {
    const ref = parseReference(sa[1]);
    if (ref) {
      if (
        ref.type !== "google_service_account" ||
        ref.attribute !== "email" ||
        ref.isData ||
        !stack.find(ref)
      ) {
        throw new UnresolvableValue(
          `member "${raw}" refers to ${ref.address}.${ref.attribute}, not the email of a service account of this stack`,
        );
      }
      return { kind: "serviceAccount", text, address: ref.address };
    }
    noExpression(raw, sa[1]);
    // The whole email, domain and all: the same account id in another project is another account.
    const mine = single(
      stack
        .resources("google_service_account")
        .filter((a) => serviceAccountEmail(a, stack) === sa[1]),
      `service account ${sa[1]}`,
    );
    return { kind: "serviceAccount", text, address: mine?.address };
  }
  const fed = FEDERATED.exec(text);
  if (fed) {
    const [, , poolText, tail] = fed;
    const ref = parseReference(poolText);
    let pool = poolText;
    let poolInStack = false;
    if (ref) {
      // awsRolePrincipalSet writes `${google_iam_workload_identity_pool.X.name}`; nothing else
      // of a pool (its description, display name, ...) is its name.
      if (
        ref.type !== "google_iam_workload_identity_pool" ||
        ref.attribute !== "name" ||
        ref.isData ||
        !stack.find(ref)
      ) {
        throw new UnresolvableValue(
          `member "${raw}" names the pool ${ref.address}.${ref.attribute}, which is not the name of a pool of this stack`,
        );
      }
      pool = ref.address;
      poolInStack = true;
    } else {
      noExpression(raw, poolText);
      // A literal pool name is this stack's pool only when its project number is config's (a pool
      // of the same id in another project is someone else's, who may map any attribute).
      const name = POOL_NAME.exec(poolText);
      const mine = stack
        .resources("google_iam_workload_identity_pool")
        .find(
          (p) =>
            name !== null &&
            own.projectNumber !== undefined &&
            name[1] === own.projectNumber &&
            own.projectId !== undefined &&
            safeProject(p, stack) === own.projectId &&
            p.config.workload_identity_pool_id === name[2],
        );
      if (mine) {
        pool = mine.address;
        poolInStack = true;
      }
    }
    const slash = tail.indexOf("/");
    const attribute = tail === "*" ? "*" : tail.slice(0, slash).replace(/^attribute\./, "");
    const value = tail === "*" ? "" : tail.slice(slash + 1);
    noExpression(raw, value);
    return { kind: "federated", text, pool, poolInStack, attribute, value };
  }
  noExpression(raw, text);
  return { kind: "other", text };
}

function safeProject(
  resource: Parameters<typeof effectiveProject>[0],
  stack: StackJson,
): string | undefined {
  try {
    return effectiveProject(resource, stack);
  } catch {
    return undefined;
  }
}

function noExpression(raw: string, part: string): void {
  if (part.includes("${")) {
    throw new UnresolvableValue(
      `member "${raw}" holds a Terraform expression the model cannot resolve at synth`,
    );
  }
}

/** Does a federated member cover an identity that was mapped to `subject` and `attributes`? */
export function federatedMemberCovers(
  member: Extract<IamMember, { kind: "federated" }>,
  mapped: { readonly subject?: string; readonly attributes?: Readonly<Record<string, string>> },
): boolean {
  if (member.attribute === "*") return true;
  if (member.attribute === "subject") return mapped.subject === member.value;
  // google.groups is a list the model does not map; a group grant is assumed to cover anyone.
  if (member.attribute === "group") return true;
  return mapped.attributes?.[member.attribute] === member.value;
}

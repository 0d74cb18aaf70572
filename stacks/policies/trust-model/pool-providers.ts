/**
 * Every workload identity pool provider of the stack, of every kind (aws, oidc, saml, x509),
 * with the pool it belongs to, its attribute mapping and its condition as literal CEL. A
 * mapping or condition that is a Terraform expression is unresolvable: it cannot be evaluated.
 */
import { block, parseReference, type StackJson } from "../terraform-json";
import type { Unresolvable } from "./google-access";
import { GOOGLE_DEFAULT_AWS_MAPPING } from "../../federation/attribute-mapping";

export type ProviderKind = "aws" | "oidc" | "saml" | "x509" | "unknown";

export interface PoolProvider {
  readonly address: string;
  readonly kind: ProviderKind;
  /** The stack's pool address, or the literal pool id when it is not this stack's. */
  readonly pool: string;
  readonly disabled: boolean;
  /** aws.account_id, for an AWS provider. */
  readonly awsAccountId?: string;
  /** Google's default AWS mapping applies when the provider sets none. */
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
  /** Issuer or other origin of a non-AWS provider, for messages. */
  readonly origin?: string;
}

export function readPoolProviders(stack: StackJson): {
  providers: PoolProvider[];
  unresolvable: Unresolvable[];
} {
  const unresolvable: Unresolvable[] = [];
  const providers: PoolProvider[] = [];
  for (const r of stack.resources("google_iam_workload_identity_pool_provider")) {
    const c = r.config;
    const problems: string[] = [];
    const kind: ProviderKind = c.aws
      ? "aws"
      : c.oidc
        ? "oidc"
        : c.saml
          ? "saml"
          : c.x509
            ? "x509"
            : "unknown";
    const poolRef = parseReference(c.workload_identity_pool_id);
    let pool = String(c.workload_identity_pool_id);
    if (poolRef && poolRef.type === "google_iam_workload_identity_pool" && stack.find(poolRef))
      pool = poolRef.address;
    else if (poolRef) problems.push(`its pool ${pool} is not a pool of this stack`);
    else {
      const own = stack
        .resources("google_iam_workload_identity_pool")
        .find((p) => p.config.workload_identity_pool_id === pool);
      if (own) pool = own.address;
    }
    const mapping: Record<string, string> = {};
    const rawMapping = c.attribute_mapping;
    if (rawMapping !== undefined && (typeof rawMapping !== "object" || rawMapping === null)) {
      problems.push(
        "attribute_mapping is a Terraform expression, not a literal map of CEL expressions",
      );
    }
    for (const [k, v] of Object.entries(rawMapping ?? {})) {
      if (typeof v !== "string" || v.includes("${"))
        problems.push(`attribute_mapping ${k} is ${JSON.stringify(v)}, not literal CEL`);
      else mapping[k] = v;
    }
    const condition = c.attribute_condition;
    if (condition !== undefined && (typeof condition !== "string" || condition.includes("${"))) {
      problems.push(
        `attribute_condition ${JSON.stringify(condition)} is a Terraform expression known only at apply, not literal CEL`,
      );
    }
    if (c.disabled !== undefined && typeof c.disabled !== "boolean")
      problems.push("disabled is not a literal boolean");
    const aws = block(c.aws);
    const account = aws?.account_id;
    if (kind === "aws" && (typeof account !== "string" || !/^\d{12}$/.test(account))) {
      problems.push(
        `aws.account_id is ${JSON.stringify(account ?? null)}, not a literal 12-digit account`,
      );
    }
    for (const p of problems) unresolvable.push({ address: r.address, reason: p });
    const oidc = block(c.oidc);
    providers.push({
      address: r.address,
      kind,
      pool,
      disabled: c.disabled === true,
      awsAccountId: typeof account === "string" ? account : undefined,
      attributeMapping:
        kind === "aws" && rawMapping === undefined ? GOOGLE_DEFAULT_AWS_MAPPING : mapping,
      attributeCondition:
        typeof condition === "string" && condition.trim() !== "" ? condition : undefined,
      origin: oidc?.issuer_uri
        ? `issuer ${oidc.issuer_uri}`
        : kind === "saml"
          ? "a SAML identity provider"
          : kind === "x509"
            ? "X.509 certificates"
            : undefined,
    });
  }
  return { providers, unresolvable };
}

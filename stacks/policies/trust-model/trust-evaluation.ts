/**
 * The trust evaluated at synth, end to end and by meaning: each identity (this stack's Lambda
 * and the adversarial set) is put through every AWS pool provider as Google STS would (account
 * pin, mapping, condition, in CEL), then through every grant its mapped attributes match, then
 * through every service account it may act as. The Lambda must reach exactly its intended
 * roles; every adversary must be refused by the providers and reach nothing. Every grant not
 * intended by config, every key, every other provider, every other user of the AWS role and
 * every value that cannot be resolved is a finding. Cached per stack: the pack's rules and the
 * review report read the same evaluation.
 */
import type { StackJson } from "../terraform-json";
import {
  adversarialIdentities,
  namedIdentities,
  type AdversaryClass,
} from "./adversarial-identities";
import { lambdaCaller } from "./aws-identities";
import type { GoogleGrant } from "./google-access";
import { federatedMemberCovers, type IamMember } from "./iam-members";
import { letsActAs, touchesIdentity } from "./identity-roles";
import type { PoolProvider } from "./pool-providers";
import {
  admitAwsCaller,
  mapAttributes,
  type Admission,
  type CallerIdentity,
} from "./sts-admission";
import { trustModelOf, type TrustModel } from "./trust-model";
import { judgeLambdaRole } from "./lambda-role-trust";

/** The trust rules; see stacks/policies/rules/trust-*.ts for what each guards. */
export type TrustRuleId =
  "TRUST1" | "TRUST2" | "TRUST3" | "TRUST4" | "TRUST5" | "TRUST6" | "TRUST7" | "TRUST8";

export interface TrustFinding {
  readonly rule: TrustRuleId;
  readonly address: string;
  readonly reason: string;
}

export const THIS_LAMBDA = "this stack's Lambda";

export interface Reach {
  readonly grant: GoogleGrant;
  /** The service account the identity acts as to hold it; undefined for a direct grant. */
  readonly via?: string;
}

export interface IdentityResult {
  readonly class: AdversaryClass | typeof THIS_LAMBDA;
  readonly label: string;
  readonly caller: CallerIdentity;
  /** One admission per AWS provider of the stack, in provider order. */
  readonly admissions: readonly { provider: string; admission: Admission }[];
  readonly reaches: readonly Reach[];
}

export interface TrustEvaluation {
  readonly model: TrustModel;
  readonly lambda?: IdentityResult;
  readonly adversaries: readonly IdentityResult[];
  /** Grants the config intends (the rest are findings). */
  readonly intendedGrants: readonly GoogleGrant[];
  readonly findings: readonly TrustFinding[];
}

const cache = new WeakMap<StackJson, TrustEvaluation>();

export function trustEvaluationOf(stack: StackJson): TrustEvaluation {
  let evaluation = cache.get(stack);
  if (!evaluation) {
    evaluation = evaluateTrust(trustModelOf(stack), stack);
    cache.set(stack, evaluation);
  }
  return evaluation;
}

const DATA_WRITER_ROLE = "roles/bigquery.dataEditor";
const OBJECT_CREATOR_ROLE = "roles/storage.objectCreator";
const IMPERSONATION_ROLE = "roles/iam.workloadIdentityUser";

export function evaluateTrust(model: TrustModel, stack: StackJson): TrustEvaluation {
  const findings: TrustFinding[] = [];
  const add = (rule: TrustRuleId, address: string, reason: string) =>
    findings.push({ rule, address, reason });
  for (const u of model.unresolvable)
    add(
      "TRUST8",
      u.address,
      `${u.reason}; the model cannot resolve it at synth, so it cannot prove the trust`,
    );
  for (const k of model.keys)
    add(
      "TRUST5",
      k.address,
      `creates ${k.holder}; the bridge authenticates by federation only, with no stored secret`,
    );

  const awsProviders = model.providers.filter((p) => p.kind === "aws");
  judgeProviders(model, add);
  if (!model.lambda || !model.intent) {
    return { model, adversaries: [], intendedGrants: [], findings };
  }
  const evaluate = (
    cls: IdentityResult["class"],
    label: string,
    caller: CallerIdentity,
  ): IdentityResult => {
    const admissions = awsProviders.map((p) => ({
      provider: p.address,
      admission: admitAwsCaller(trustOf(p), caller),
    }));
    return {
      class: cls,
      label,
      caller,
      admissions,
      reaches: reachOf(model, awsProviders, admissions),
    };
  };
  const lambda = evaluate(
    THIS_LAMBDA,
    `${model.intent.functionName} as role ${model.intent.roleName}`,
    lambdaCaller(model.lambda),
  );
  const texts = awsProviders.flatMap((p) => [
    ...Object.values(p.attributeMapping),
    p.attributeCondition ?? "",
  ]);
  const adversaries = [
    ...adversarialIdentities(model.lambda),
    ...namedIdentities(model.lambda, texts),
  ].map((a) => evaluate(a.class, a.label, a.caller));

  // Which identities each federated member covers, judged on mapped attributes whether or not
  // the condition admits them: a grant must stay exact even if the provider is widened later.
  const mappedBy = (caller: CallerIdentity) =>
    awsProviders.map((p) => ({ pool: p.pool, mapped: mapAttributes(p.attributeMapping, caller) }));
  const lambdaMapped = mappedBy(lambdaCaller(model.lambda));
  const adversaryMapped = adversaries.map((a) => mappedBy(a.caller));
  const covers = (member: IamMember, mapped: ReturnType<typeof mappedBy>) =>
    member.kind === "federated" &&
    mapped.some(
      (m) =>
        m.pool === member.pool &&
        typeof m.mapped !== "string" &&
        federatedMemberCovers(member, m.mapped),
    );
  const exactlyTheLambdaRole = (member: IamMember) =>
    member.kind === "federated" &&
    member.poolInStack &&
    member.attribute !== "*" &&
    member.attribute !== "group" &&
    covers(member, lambdaMapped) &&
    !adversaryMapped.some((m) => covers(member, m));
  const isTheIdentity = (member: IamMember) =>
    model.intent!.accessMode === "impersonation"
      ? member.kind === "serviceAccount" && member.address === model.serviceAccount
      : exactlyTheLambdaRole(member);
  const intended = (g: GoogleGrant): boolean => {
    if (model.intent!.accessMode === "impersonation" && g.scope === "service account") {
      return (
        g.target === model.serviceAccount &&
        g.role === IMPERSONATION_ROLE &&
        !g.permissions &&
        exactlyTheLambdaRole(g.member)
      );
    }
    if (g.scope === "dataset")
      return g.target === model.dataset && g.role === DATA_WRITER_ROLE && isTheIdentity(g.member);
    if (g.scope === "bucket") {
      return (
        model.bucket !== undefined &&
        g.target === model.bucket &&
        g.role === OBJECT_CREATOR_ROLE &&
        isTheIdentity(g.member)
      );
    }
    return false;
  };
  const intendedGrants = model.grants.filter(intended);
  for (const g of model.grants.filter((g) => !intended(g))) {
    const what = `grants ${g.role}${g.permissions ? ` (custom: ${g.permissions.join(", ")})` : ""} on ${g.scope} ${g.target} to ${g.member.text}`;
    const identity =
      g.scope === "service account" ||
      g.scope === "workload identity pool" ||
      touchesIdentity(g.role, g.permissions);
    if (identity) {
      add(
        "TRUST3",
        g.address,
        `${what}: a grant on the identity, or of a role that lets a member act as, mint keys for or administer identities, which the config does not intend`,
      );
    } else {
      add(
        "TRUST4",
        g.address,
        `${what}, which the config does not intend (the stack grants only ${intendedSummary(model)})`,
      );
    }
  }

  judgeLambdaReach(model, lambda, intendedGrants, add);
  judgeAdversaries(adversaries, add);
  judgeLambdaRole(stack, model, add);
  return { model, lambda, adversaries, intendedGrants, findings };
}

function trustOf(p: PoolProvider) {
  return {
    awsAccountId: p.awsAccountId ?? "",
    attributeMapping: p.attributeMapping,
    attributeCondition: p.attributeCondition,
  };
}

function intendedSummary(model: TrustModel): string {
  const who =
    model.intent!.accessMode === "impersonation"
      ? "the service account"
      : "the Lambda role's principalSet";
  return [
    model.intent!.accessMode === "impersonation"
      ? `${IMPERSONATION_ROLE} on the service account to the Lambda role's principalSet`
      : undefined,
    `${DATA_WRITER_ROLE} on the dataset to ${who}`,
    model.intent!.archiveBucket
      ? `${OBJECT_CREATOR_ROLE} on the archive bucket to ${who}`
      : undefined,
  ]
    .filter(Boolean)
    .join("; ");
}

/** Grants an admitted identity holds directly, then through every service account it may act as. */
function reachOf(
  model: TrustModel,
  providers: readonly PoolProvider[],
  admissions: readonly { provider: string; admission: Admission }[],
): Reach[] {
  const reaches: Reach[] = [];
  for (const { provider, admission } of admissions) {
    if (!admission.admitted) continue;
    const pool = providers.find((p) => p.address === provider)!.pool;
    for (const g of model.grants) {
      if (
        g.member.kind === "federated" &&
        g.member.pool === pool &&
        federatedMemberCovers(g.member, admission)
      ) {
        if (!reaches.some((r) => r.grant === g && !r.via)) reaches.push({ grant: g });
      }
    }
  }
  const actingAs = new Set<string>();
  for (let i = 0; i < reaches.length; i++) {
    const g = reaches[i].grant;
    if (!letsActAs(g.role, g.permissions)) continue;
    const accounts =
      g.scope === "service account"
        ? [g.target]
        : ["project", "folder", "organization"].includes(g.scope)
          ? model.grants.flatMap((x) =>
              x.member.kind === "serviceAccount" && x.member.address ? [x.member.address] : [],
            )
          : [];
    for (const account of accounts) {
      if (actingAs.has(account)) continue;
      actingAs.add(account);
      for (const x of model.grants) {
        if (x.member.kind === "serviceAccount" && x.member.address === account)
          reaches.push({ grant: x, via: account });
      }
    }
  }
  return reaches;
}

function judgeProviders(
  model: TrustModel,
  add: (rule: TrustRuleId, address: string, reason: string) => void,
): void {
  const aws = model.providers.filter((p) => p.kind === "aws");
  for (const p of model.providers) {
    if (p.kind !== "aws") {
      add(
        "TRUST6",
        p.address,
        `is a${p.kind === "oidc" || p.kind === "x509" ? "n" : ""} ${p.kind} provider${p.origin ? ` trusting ${p.origin}` : ""}${p.attributeCondition ? "" : " with no condition"}: whoever holds such a credential is admitted, with attributes (attribute.aws_role included) taken from it, so the pool's grants reach them`,
      );
    }
    if (
      model.intent &&
      p.kind === "aws" &&
      p.awsAccountId !== undefined &&
      p.awsAccountId !== model.intent.accountId
    ) {
      add(
        "TRUST6",
        p.address,
        `pins AWS account ${p.awsAccountId}, but the stack trusts only ${model.intent.accountId}`,
      );
    }
  }
  const pools = [...new Set(model.providers.map((p) => p.pool))];
  if (aws.length > 1) {
    for (const p of aws.slice(1))
      add(
        "TRUST6",
        p.address,
        `is a second AWS provider (pools ${pools.join(", ")}); the stack admits through exactly one`,
      );
  }
}

function judgeLambdaReach(
  model: TrustModel,
  lambda: IdentityResult,
  intendedGrants: readonly GoogleGrant[],
  add: (rule: TrustRuleId, address: string, reason: string) => void,
): void {
  const intent = model.intent!;
  const arn = lambda.caller.arn;
  const lockout = "the deploy would lock the Lambda out";
  const aws = lambda.admissions;
  const anchor =
    aws[0]?.provider ?? model.providers[0]?.address ?? "google_iam_workload_identity_pool_provider";
  if (aws.length === 0) {
    add(
      "TRUST1",
      anchor,
      `no AWS pool provider exists, so ${THIS_LAMBDA} ${arn} is never admitted: ${lockout}`,
    );
    return;
  }
  for (const { provider, admission } of aws) {
    const p = model.providers.find((x) => x.address === provider)!;
    if (p.disabled)
      add("TRUST1", provider, `is disabled, so ${THIS_LAMBDA} ${arn} is refused: ${lockout}`);
    else if (!admission.admitted) {
      add(
        "TRUST1",
        provider,
        `refuses ${THIS_LAMBDA} ${arn} at the ${admission.stage} (${admission.reason}): ${lockout}`,
      );
    }
  }
  const needed = [
    ...(intent.accessMode === "impersonation"
      ? [`${IMPERSONATION_ROLE} on service account ${model.serviceAccount}`]
      : []),
    `${DATA_WRITER_ROLE} on dataset ${model.dataset}`,
    ...(model.bucket ? [`${OBJECT_CREATOR_ROLE} on bucket ${model.bucket}`] : []),
  ];
  const reached = new Set(
    lambda.reaches
      .filter((r) => intendedGrants.includes(r.grant))
      .map((r) => `${r.grant.role} on ${r.grant.scope} ${r.grant.target}`),
  );
  const missing = needed.filter((n) => !reached.has(n));
  if (missing.length > 0 && lambda.admissions.some((a) => a.admission.admitted)) {
    add(
      "TRUST1",
      anchor,
      `${THIS_LAMBDA} ${arn} is admitted but does not reach ${missing.join(", ")} through the intended grants: ${lockout}`,
    );
  }
}

function judgeAdversaries(
  adversaries: readonly IdentityResult[],
  add: (rule: TrustRuleId, address: string, reason: string) => void,
): void {
  const byAddress = new Map<string, IdentityResult[]>();
  const note = (address: string, a: IdentityResult) => {
    const list = byAddress.get(address) ?? [];
    if (!list.includes(a)) list.push(a);
    byAddress.set(address, list);
  };
  for (const a of adversaries) {
    for (const { provider, admission } of a.admissions) if (admission.admitted) note(provider, a);
    for (const r of a.reaches) note(r.grant.address, a);
  }
  for (const [address, list] of byAddress) {
    const shown = list
      .slice(0, 4)
      .map((a) => `${a.class}: ${a.label} (${a.caller.arn || "empty ARN"})`);
    add(
      "TRUST2",
      address,
      `admits or grants to ${list.length} of the ${adversaries.length} adversarial identities, e.g. ${shown.join("; ")}`,
    );
  }
}

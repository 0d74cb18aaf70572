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
import { assumedRoleArn } from "../../federation/attribute-mapping";
import { objectPrefixOf } from "./object-prefix-condition";
import { crossPipelineMatrix } from "./cross-pipeline-matrix";
import type { GoogleGrant } from "./google-access";
import { federatedMemberCovers, type IamMember } from "./iam-members";
import { letsActAs, touchesIdentity } from "./identity-roles";
import type { PoolProvider } from "./pool-providers";
import { mappingDeviation } from "./provider-mapping";
import {
  admitAwsCaller,
  mapAttributes,
  type Admission,
  type CallerIdentity,
} from "./sts-admission";
import { trustModelOf, type PipelineModel, type TrustModel } from "./trust-model";
import { judgeLambdaRole } from "./lambda-role-trust";
import { judgeDeployAccount } from "./deploy-account";

/** The trust rules; see stacks/policies/rules/trust-*.ts for what each guards. */
export type TrustRuleId =
  "TRUST1" | "TRUST2" | "TRUST3" | "TRUST4" | "TRUST5" | "TRUST6" | "TRUST7" | "TRUST8" | "TRUST9";

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
  /** The first pipeline's Lambda (the only one in a single-pipeline stack). */
  readonly lambda?: IdentityResult;
  /** Per pipeline: its Lambda, its adversaries and the grants intended for it. */
  readonly pipelines: readonly PipelineEvaluation[];
  /** Every pipeline's adversaries. */
  readonly adversaries: readonly IdentityResult[];
  /** Grants the config intends, the union over the pipelines (the rest are findings). */
  readonly intendedGrants: readonly GoogleGrant[];
  /** The cross-pipeline matrix: one cell per ordered pair (A, B), A != B. */
  readonly matrix: readonly MatrixCell[];
  readonly findings: readonly TrustFinding[];
}

export interface PipelineEvaluation {
  readonly pipeline: PipelineModel;
  readonly lambda: IdentityResult;
  readonly adversaries: readonly IdentityResult[];
  readonly intendedGrants: readonly GoogleGrant[];
}

/** What pipeline `from`'s Lambda reaches of pipeline `to`'s data; empty `reaches` is the proof. */
export interface MatrixCell {
  readonly from: string;
  readonly to: string;
  /** Which of `to`'s data the reaches touch (or "data" when none). */
  readonly what: string;
  readonly reaches: readonly Reach[];
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
  if (!model.intent || model.pipelines.length === 0) {
    return { model, pipelines: [], adversaries: [], intendedGrants: [], matrix: [], findings };
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
  const texts = awsProviders.flatMap((p) => [
    ...Object.values(p.attributeMapping),
    p.attributeCondition ?? "",
  ]);
  // Another pipeline's role is no adversary of this one: it is admitted by design, and the
  // cross-pipeline matrix proves it reaches none of this pipeline's data.
  const pipelineRoles = new Set(
    model.pipelines.map((p) =>
      assumedRoleArn(p.lambda.partition, p.lambda.accountId, p.lambda.roleName),
    ),
  );
  const isAPipelineRole = (caller: CallerIdentity) =>
    [...pipelineRoles].some((role) => caller.arn.startsWith(`${role}/`));
  // Two pipelines of one account share their account-wide adversaries (root, ...): once is enough.
  const seenAdversaries = new Set<string>();
  const firstTime = (caller: CallerIdentity) => {
    const key = `${caller.account}|${caller.arn}|${caller.userid}`;
    if (seenAdversaries.has(key)) return false;
    seenAdversaries.add(key);
    return true;
  };
  const evaluations = model.pipelines.map((pipeline) => {
    const lambda = evaluate(
      THIS_LAMBDA,
      `${pipeline.intent.functionName} as role ${pipeline.intent.roleName}`,
      lambdaCaller(pipeline.lambda),
    );
    const adversaries = [
      ...adversarialIdentities(pipeline.lambda),
      ...namedIdentities(pipeline.lambda, texts),
    ]
      .filter((a) => !isAPipelineRole(a.caller) && firstTime(a.caller))
      .map((a) => evaluate(a.class, a.label, a.caller));
    return { pipeline, lambda, adversaries };
  });

  // Each provider's condition admits exactly its own account's pipeline roles: judged without
  // its account pin, a condition that would also let another account's pipeline in is a finding
  // even though the pin refuses it today (one edit of the pin away from a cross-account leak).
  for (const p of awsProviders) {
    for (const e of evaluations) {
      if (p.awsAccountId === undefined || e.pipeline.intent.accountId === p.awsAccountId) continue;
      const unpinned = admitAwsCaller(
        { ...trustOf(p), awsAccountId: e.pipeline.intent.accountId },
        e.lambda.caller,
      );
      if (unpinned.admitted) {
        add(
          "TRUST6",
          p.address,
          `its condition admits pipeline ${e.pipeline.intent.name}'s role session ${e.lambda.caller.arn} of account ${e.pipeline.intent.accountId}; only its account pin (${p.awsAccountId}) refuses it. A provider's condition admits exactly its own account's pipeline roles`,
        );
      }
    }
  }

  // Which identities each federated member covers, judged on mapped attributes whether or not
  // the condition admits them: a grant must stay exact even if the provider is widened later.
  const mappedBy = (caller: CallerIdentity) =>
    awsProviders.map((p) => ({ pool: p.pool, mapped: mapAttributes(p.attributeMapping, caller) }));
  const lambdaMapped = evaluations.map((e) => mappedBy(e.lambda.caller));
  const adversaryMapped = evaluations.flatMap((e) => e.adversaries.map((a) => mappedBy(a.caller)));
  const covers = (member: IamMember, mapped: ReturnType<typeof mappedBy>) =>
    member.kind === "federated" &&
    member.poolInStack &&
    mapped.some(
      (m) =>
        m.pool === member.pool &&
        typeof m.mapped !== "string" &&
        federatedMemberCovers(member, m.mapped),
    );
  const exactlyTheRoleOf = (i: number) => (member: IamMember) =>
    member.kind === "federated" &&
    member.poolInStack &&
    member.attribute !== "*" &&
    member.attribute !== "group" &&
    covers(member, lambdaMapped[i]) &&
    !lambdaMapped.some((m, j) => j !== i && covers(member, m)) &&
    !adversaryMapped.some((m) => covers(member, m));
  const accessMode = model.intent.accessMode;
  const intendedFor = model.pipelines.map((p, i) => {
    const exactlyTheLambdaRole = exactlyTheRoleOf(i);
    const isTheIdentity = (member: IamMember) =>
      accessMode === "impersonation"
        ? member.kind === "serviceAccount" && member.address === p.serviceAccount
        : exactlyTheLambdaRole(member);
    return (g: GoogleGrant): boolean => {
      if (accessMode === "impersonation" && g.scope === "service account") {
        return (
          g.targetInStack &&
          g.target === p.serviceAccount &&
          g.role === IMPERSONATION_ROLE &&
          !g.permissions &&
          exactlyTheLambdaRole(g.member)
        );
      }
      if (g.scope === "table")
        return (
          p.table !== undefined &&
          g.targetInStack &&
          g.target === p.table &&
          g.role === DATA_WRITER_ROLE &&
          !g.permissions &&
          isTheIdentity(g.member)
        );
      if (g.scope === "bucket") {
        const bucket = p.intent.archiveBucket;
        return (
          model.bucket !== undefined &&
          bucket !== undefined &&
          g.targetInStack &&
          g.target === model.bucket &&
          g.role === OBJECT_CREATOR_ROLE &&
          !g.permissions &&
          isTheIdentity(g.member) &&
          (p.intent.archivePrefix === undefined ||
            objectPrefixOf(g.condition, bucket) === p.intent.archivePrefix)
        );
      }
      return false;
    };
  });
  const intended = (g: GoogleGrant) => intendedFor.some((forPipeline) => forPipeline(g));
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

  const pipelines: PipelineEvaluation[] = evaluations.map((e, i) => ({
    ...e,
    intendedGrants: intendedGrants.filter((g) => intendedFor[i](g)),
  }));
  for (const p of pipelines) {
    judgeLambdaReach(model, p, add);
    judgeLambdaRole(stack, model, p.pipeline, add);
    judgeDeployAccount(stack, p.pipeline, add);
  }
  const adversaries = pipelines.flatMap((p) => p.adversaries);
  judgeAdversaries(adversaries, add);
  const matrix = crossPipelineMatrix(model, pipelines);
  for (const cell of matrix) {
    for (const r of cell.reaches) {
      add(
        "TRUST9",
        r.grant.address,
        `pipeline ${cell.from}'s Lambda ${pipelines.find((p) => p.pipeline.intent.name === cell.from)!.lambda.caller.arn} reaches pipeline ${cell.to}'s ${cell.what}: ${r.grant.role} on ${r.grant.scope} ${r.grant.target}${r.via ? ` (acting as ${r.via})` : ""}`,
      );
    }
  }
  return {
    model,
    lambda: pipelines[0].lambda,
    pipelines,
    adversaries,
    intendedGrants,
    matrix,
    findings,
  };
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
      ? "its own service account"
      : "its Lambda role's principalSet";
  const several = model.pipelines.length > 1 ? "to each pipeline: " : "";
  return (
    several +
    [
      model.intent!.accessMode === "impersonation"
        ? `${IMPERSONATION_ROLE} on its service account to its Lambda role's principalSet`
        : undefined,
      `${DATA_WRITER_ROLE} on its table to ${who}`,
      model.bucket
        ? `${OBJECT_CREATOR_ROLE} on the archive bucket${several ? ", under its prefix only," : ""} to ${who}`
        : undefined,
    ]
      .filter(Boolean)
      .join("; ")
  );
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
        g.member.poolInStack &&
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
        ? g.targetInStack
          ? [g.target]
          : []
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
  const accounts = [...new Set(model.pipelines.map((p) => p.intent.accountId))];
  for (const p of model.providers) {
    const deviation = p.kind === "aws" ? mappingDeviation(p.attributeMapping) : undefined;
    if (deviation) add("TRUST6", p.address, deviation);
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
      !accounts.includes(p.awsAccountId)
    ) {
      add(
        "TRUST6",
        p.address,
        `pins AWS account ${p.awsAccountId}, but the stack trusts only ${accounts.join(", ")}`,
      );
    }
  }
  // One provider per AWS account the pipelines run in, all in one pool.
  const pools = [...new Set(model.providers.map((p) => p.pool))];
  const seen = new Map<string, string>();
  for (const p of aws) {
    const key = p.awsAccountId ?? "(no account)";
    const first = seen.get(key);
    if (first !== undefined) {
      add(
        "TRUST6",
        p.address,
        `is a second AWS provider for account ${key} (after ${first}; pools ${pools.join(", ")}); the stack admits each account through exactly one`,
      );
    } else if (pools.length > 1 && p.pool !== aws[0].pool) {
      add(
        "TRUST6",
        p.address,
        `is in another pool (pools ${pools.join(", ")}); an environment has one pool`,
      );
    } else seen.set(key, p.address);
  }
}

function judgeLambdaReach(
  model: TrustModel,
  evaluation: PipelineEvaluation,
  add: (rule: TrustRuleId, address: string, reason: string) => void,
): void {
  const intent = model.intent!;
  const { pipeline, lambda, intendedGrants } = evaluation;
  const arn = lambda.caller.arn;
  const who =
    model.pipelines.length > 1 ? `pipeline ${pipeline.intent.name}'s Lambda` : THIS_LAMBDA;
  const lockout = "the deploy would lock the Lambda out";
  // Only its own account's provider is meant to admit it; the others refuse it by design.
  const own = lambda.admissions.filter(
    (a) =>
      model.providers.find((p) => p.address === a.provider)?.awsAccountId ===
      pipeline.intent.accountId,
  );
  const anchor =
    own[0]?.provider ??
    lambda.admissions[0]?.provider ??
    model.providers[0]?.address ??
    "google_iam_workload_identity_pool_provider";
  if (own.length === 0) {
    add(
      "TRUST1",
      anchor,
      `no AWS pool provider pins account ${pipeline.intent.accountId}, so ${who} ${arn} is never admitted: ${lockout}`,
    );
    return;
  }
  for (const { provider, admission } of own) {
    const p = model.providers.find((x) => x.address === provider)!;
    if (p.disabled) add("TRUST1", provider, `is disabled, so ${who} ${arn} is refused: ${lockout}`);
    else if (!admission.admitted) {
      add(
        "TRUST1",
        provider,
        `refuses ${who} ${arn} at the ${admission.stage} (${admission.reason}): ${lockout}`,
      );
    }
  }
  const needed = [
    ...(intent.accessMode === "impersonation"
      ? [`${IMPERSONATION_ROLE} on service account ${pipeline.serviceAccount}`]
      : []),
    `${DATA_WRITER_ROLE} on table ${pipeline.table}`,
    ...(model.bucket && pipeline.intent.archiveBucket
      ? [`${OBJECT_CREATOR_ROLE} on bucket ${model.bucket}`]
      : []),
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
      `${who} ${arn} is admitted but does not reach ${missing.join(", ")} through the intended grants: ${lockout}`,
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

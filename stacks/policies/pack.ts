/**
 * The wif-bridge security rule pack: the rules, and their evaluation over one synthesized stack.
 * Pure (JSON in, findings out), so the synth-time aspect and the review tool run the very same
 * code on the very same JSON.
 */
import type { RuleLevel, SecurityRule } from "./rule";
import { StackJson, type Json } from "./terraform-json";
import { WorkloadIdentityConditionPinsRole } from "./rules/workload-identity-condition-pins-role";
import { AwsProviderPinsAccount } from "./rules/aws-provider-pins-account";
import { NoPoolWideGrant } from "./rules/no-pool-wide-grant";
import { NoServiceAccountKey } from "./rules/no-service-account-key";
import { NoPrimitiveRoles } from "./rules/no-primitive-roles";
import { NoProjectLevelDataRoles } from "./rules/no-project-level-data-roles";
import { NoPublicDataAccess } from "./rules/no-public-data-access";
import { BucketUniformAndPrivate } from "./rules/bucket-uniform-and-private";
import { LambdaRoleNoWildcardAction } from "./rules/lambda-role-no-wildcard-action";
import { LambdaRoleNoWildcardResource } from "./rules/lambda-role-no-wildcard-resource";
import { LogGroupRetention } from "./rules/log-group-retention";
import { QueueEncrypted } from "./rules/queue-encrypted";
import { QueueHasDeadLetterQueue } from "./rules/queue-has-dead-letter-queue";
import { RequiredApisEnabled } from "./rules/required-apis-enabled";
import { DeadLetterQueueHasAlarm } from "./rules/dead-letter-queue-has-alarm";
import { AlarmHasActions } from "./rules/alarm-has-actions";
import { LambdaIdentityAdmitted } from "./rules/trust-lambda-admitted";
import { AdversarialIdentitiesDenied } from "./rules/trust-adversaries-denied";
import { OnlyIntendedIdentityGrants } from "./rules/trust-identity-grants";
import { OnlyIntendedGrants } from "./rules/trust-only-intended-grants";
import { NoStoredKeys } from "./rules/trust-no-stored-keys";
import { OnlyTheAwsProvider } from "./rules/trust-pool-providers";
import { LambdaRoleTrustedOnlyByLambda } from "./rules/trust-lambda-role";
import { TrustResolvableAtSynth } from "./rules/trust-resolvable";
import { PipelinesIsolated } from "./rules/trust-pipelines-isolated";
import { trustEvaluationOf } from "./trust-model/trust-evaluation";

export const SECURITY_RULES: readonly SecurityRule[] = [
  LambdaIdentityAdmitted,
  AdversarialIdentitiesDenied,
  OnlyIntendedIdentityGrants,
  OnlyIntendedGrants,
  NoStoredKeys,
  OnlyTheAwsProvider,
  LambdaRoleTrustedOnlyByLambda,
  TrustResolvableAtSynth,
  PipelinesIsolated,
  WorkloadIdentityConditionPinsRole,
  AwsProviderPinsAccount,
  NoPoolWideGrant,
  NoServiceAccountKey,
  NoPrimitiveRoles,
  NoProjectLevelDataRoles,
  NoPublicDataAccess,
  BucketUniformAndPrivate,
  LambdaRoleNoWildcardAction,
  LambdaRoleNoWildcardResource,
  LogGroupRetention,
  QueueEncrypted,
  QueueHasDeadLetterQueue,
  RequiredApisEnabled,
  DeadLetterQueueHasAlarm,
  AlarmHasActions,
];

export const RULE_IDS: readonly string[] = SECURITY_RULES.map((r) => r.id);

/** Ids of the rules that guard the trust itself: a suppression of one is refused. */
export const UNSUPPRESSIBLE_RULE_IDS: readonly string[] = SECURITY_RULES.filter(
  (r) => r.suppressible === false,
).map((r) => r.id);

/** Long enough to force a sentence, as cdk-nag does. */
export const MIN_REASON_LENGTH = 10;

/** The pseudo-rule under which a refused suppression is reported. */
export const SUPPRESSION_RULE = {
  id: "SUP1",
  name: "SuppressionsAreValid",
  fix: `give the suppression a reason of at least ${MIN_REASON_LENGTH} characters saying why the finding is acceptable; rules ${UNSUPPRESSIBLE_RULE_IDS.join(", ")} guard the trust itself and cannot be suppressed: change the stack instead`,
} as const;

export interface Finding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly level: RuleLevel;
  /** Terraform address, e.g. google_service_account_key.leak */
  readonly address: string;
  readonly constructPath?: string;
  /** What is wrong, naming the value. */
  readonly reason: string;
  readonly fix: string;
}

export interface SuppressedFinding extends Finding {
  readonly suppressionReason: string;
}

export interface UnusedSuppression {
  readonly ruleId: string;
  readonly address: string;
  readonly reason: string;
}

export interface PackResult {
  /** Findings that count, errors first, then by rule and address. */
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** Suppressions on resources the rule found nothing wrong with (candidates for removal). */
  readonly unusedSuppressions: UnusedSuppression[];
  /** How many (rule, resource) pairs were judged. */
  readonly evaluations: number;
  /** How many AWS identities the trust evaluation put through the providers and grants. */
  readonly identitiesEvaluated: number;
}

export function evaluateRulePack(
  json: Json | StackJson,
  rules: readonly SecurityRule[] = SECURITY_RULES,
): PackResult {
  const stack = json instanceof StackJson ? json : new StackJson(json);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const usedSuppressions = new Set<string>();
  let evaluations = 0;
  const resources = stack.allResources();
  const refused = refusedSuppressions(resources, rules);
  const record = (rule: SecurityRule, address: string, reason: string) => {
    const resource = stack.find(address);
    const finding: Finding = {
      ruleId: rule.id,
      ruleName: rule.name,
      level: rule.level,
      address,
      constructPath: resource?.constructPath,
      reason,
      fix: rule.fix,
    };
    const suppression = resource?.suppressions.find((s) => s.rule === rule.id);
    if (suppression && !refused.has(`${address}\n${rule.id}`)) {
      suppressed.push({ ...finding, suppressionReason: suppression.reason });
      usedSuppressions.add(`${address}\n${rule.id}`);
    } else {
      findings.push(finding);
    }
  };
  for (const rule of rules) {
    if (rule.evaluateStack) {
      evaluations++;
      for (const f of rule.evaluateStack(stack)) record(rule, f.address, f.reason);
    }
    for (const resource of resources) {
      if (!rule.appliesTo(resource.type)) continue;
      evaluations++;
      const outcome = rule.evaluate(resource, stack);
      if (outcome.status !== "non-compliant") continue;
      for (const reason of outcome.reasons) record(rule, resource.address, reason);
    }
  }
  for (const [key, reason] of refused) {
    const [address, ruleId] = key.split("\n");
    const resource = stack.find(address);
    findings.push({
      ruleId: SUPPRESSION_RULE.id,
      ruleName: SUPPRESSION_RULE.name,
      level: "error",
      address,
      constructPath: resource?.constructPath,
      reason: `the suppression of ${ruleId} is refused: ${reason}`,
      fix: SUPPRESSION_RULE.fix,
    });
    usedSuppressions.add(key);
  }
  const unusedSuppressions = resources.flatMap((r) =>
    r.suppressions
      .filter((s) => !usedSuppressions.has(`${r.address}\n${s.rule}`))
      .map((s) => ({ ruleId: s.rule, address: r.address, reason: s.reason })),
  );
  const levelOrder = (f: Finding) => (f.level === "error" ? 0 : 1);
  findings.sort((a, b) => levelOrder(a) - levelOrder(b));
  const trust = trustEvaluationOf(stack);
  const identitiesEvaluated = (trust.lambda ? 1 : 0) + trust.adversaries.length;
  return { findings, suppressed, unusedSuppressions, evaluations, identitiesEvaluated };
}

/**
 * Suppressions the pack refuses, as read from the JSON `//` comment (which anyone can write
 * directly): a reason shorter than MIN_REASON_LENGTH, an unknown rule, or a rule that guards
 * the trust. Keyed by `address\nruleId`.
 */
function refusedSuppressions(
  resources: readonly {
    address: string;
    suppressions: readonly { rule: string; reason: string }[];
  }[],
  rules: readonly SecurityRule[],
): Map<string, string> {
  const refused = new Map<string, string>();
  for (const r of resources) {
    for (const s of r.suppressions) {
      const rule =
        SECURITY_RULES.find((x) => x.id === s.rule) ?? rules.find((x) => x.id === s.rule);
      const reason = typeof s.reason === "string" ? s.reason.trim() : "";
      const key = `${r.address}\n${s.rule}`;
      if (!rule) refused.set(key, `no rule has the id "${s.rule}"`);
      else if (rule.suppressible === false) {
        refused.set(
          key,
          `${rule.id} ${rule.name} guards the trust itself and cannot be suppressed`,
        );
      } else if (reason.length < MIN_REASON_LENGTH) {
        refused.set(
          key,
          `its reason ${JSON.stringify(s.reason ?? null)} is shorter than ${MIN_REASON_LENGTH} characters`,
        );
      }
    }
  }
  return refused;
}

/** One finding as a message: level, rule, resource, what is wrong, and the fix. */
export function formatFinding(f: Finding): string {
  const where = f.constructPath ? ` (construct ${f.constructPath})` : "";
  const suppressible =
    !UNSUPPRESSIBLE_RULE_IDS.includes(f.ruleId) && f.ruleId !== SUPPRESSION_RULE.id;
  const orSuppress = suppressible
    ? `; or, if it is intended, suppressRule(construct, "${f.ruleId}", "<reason>")`
    : " (this rule guards the trust and cannot be suppressed)";
  return `${f.level} ${f.ruleId} ${f.ruleName} at ${f.address}${where}: ${f.reason}.\n    Fix: ${f.fix}${orSuppress}.`;
}

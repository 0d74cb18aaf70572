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

export const SECURITY_RULES: readonly SecurityRule[] = [
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
  for (const rule of rules) {
    for (const resource of resources) {
      if (!rule.appliesTo(resource.type)) continue;
      evaluations++;
      const outcome = rule.evaluate(resource, stack);
      if (outcome.status !== "non-compliant") continue;
      const suppression = resource.suppressions.find((s) => s.rule === rule.id);
      for (const reason of outcome.reasons) {
        const finding: Finding = {
          ruleId: rule.id,
          ruleName: rule.name,
          level: rule.level,
          address: resource.address,
          constructPath: resource.constructPath,
          reason,
          fix: rule.fix,
        };
        if (suppression) {
          suppressed.push({ ...finding, suppressionReason: suppression.reason });
          usedSuppressions.add(`${resource.address}\n${rule.id}`);
        } else {
          findings.push(finding);
        }
      }
    }
  }
  const unusedSuppressions = resources.flatMap((r) =>
    r.suppressions
      .filter((s) => !usedSuppressions.has(`${r.address}\n${s.rule}`))
      .map((s) => ({ ruleId: s.rule, address: r.address, reason: s.reason })),
  );
  const levelOrder = (f: Finding) => (f.level === "error" ? 0 : 1);
  findings.sort((a, b) => levelOrder(a) - levelOrder(b));
  return { findings, suppressed, unusedSuppressions, evaluations };
}

/** One finding as a message: level, rule, resource, what is wrong, and the fix. */
export function formatFinding(f: Finding): string {
  const where = f.constructPath ? ` (construct ${f.constructPath})` : "";
  return `${f.level} ${f.ruleId} ${f.ruleName} at ${f.address}${where}: ${f.reason}.\n    Fix: ${f.fix}; or, if it is intended, suppressRule(construct, "${f.ruleId}", "<reason>").`;
}

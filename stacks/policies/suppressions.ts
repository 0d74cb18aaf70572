/**
 * Suppressing a rule for a construct (and everything under it) needs the rule id and a
 * written reason. The suppression is kept on the construct and, at synth, copied into each
 * affected resource's `//` comment in cdk.tf.json, so the review report (which reads only
 * the JSON) lists it next to the resource.
 */
import type { IConstruct } from "constructs";
import { MIN_REASON_LENGTH, RULE_IDS, UNSUPPRESSIBLE_RULE_IDS } from "./pack";
import type { SuppressionJson } from "./terraform-json";

const METADATA_TYPE = "wif-bridge:suppression";
export { MIN_REASON_LENGTH };

/** Suppresses rule `ruleId` on `construct` and all resources below it. */
export function suppressRule(construct: IConstruct, ruleId: string, reason: string): void {
  if (!RULE_IDS.includes(ruleId)) {
    throw new Error(
      `suppressRule(${construct.node.path}): unknown rule id "${ruleId}"; the pack has ${RULE_IDS.join(", ")}`,
    );
  }
  if (UNSUPPRESSIBLE_RULE_IDS.includes(ruleId)) {
    throw new Error(
      `suppressRule(${construct.node.path}, "${ruleId}"): ${ruleId} guards the trust itself (who is admitted, who may act as the identity, which keys exist) and cannot be suppressed; change the stack instead`,
    );
  }
  if (typeof reason !== "string" || reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `suppressRule(${construct.node.path}, "${ruleId}"): the reason "${reason}" is too short; write at least ${MIN_REASON_LENGTH} characters saying why the finding is acceptable`,
    );
  }
  construct.node.addMetadata(METADATA_TYPE, { rule: ruleId, reason: reason.trim() });
}

/** Suppressions that apply to `construct`: its own and its ancestors', nearest first. */
export function suppressionsFor(construct: IConstruct): SuppressionJson[] {
  const out: SuppressionJson[] = [];
  for (const scope of [...construct.node.scopes].reverse()) {
    for (const entry of scope.node.metadata) {
      if (entry.type !== METADATA_TYPE) continue;
      const s = entry.data as SuppressionJson;
      if (!out.some((o) => o.rule === s.rule)) out.push(s);
    }
  }
  return out;
}

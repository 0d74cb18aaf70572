/**
 * The aspect that applies the security rule pack to a stack. At synth it (1) writes each
 * resource's suppressions into its `//` JSON comment and (2) adds a validation that evaluates
 * the pack on the stack's resolved Terraform JSON: an error finding aborts synth with the
 * resource address, the rule and the fix; a warning is printed and kept as an annotation.
 * Cost: one extra stack.toTerraform() per stack (milliseconds on this stack).
 */
import type { IConstruct } from "constructs";
import { Annotations, TerraformResource, TerraformStack, type IAspect } from "cdktf";
import { evaluateRulePack, formatFinding, SECURITY_RULES } from "./pack";
import type { SecurityRule } from "./rule";
import { suppressionsFor } from "./suppressions";
import { INTENT_COMMENT_KEY, type TrustIntent } from "./trust-model/intent";
import { judgeAgainstIntent } from "./trust-model/trust-model";
import { StackJson } from "./terraform-json";

export interface SecurityRulePackProps {
  /** @default SECURITY_RULES (every rule of the pack) */
  readonly rules?: readonly SecurityRule[];
  /** Where warnings are printed. @default a line on stderr */
  readonly onWarning?: (message: string) => void;
  /**
   * What the stack is meant to trust, from config: the stack is judged against it directly, and
   * it is recorded in the stack's `//` comment for the review report (which checks the record
   * against config/<env>.json when it has it).
   * @default read from the synthesized JSON itself (the one Lambda, its role, the provider's account)
   */
  readonly intent?: TrustIntent;
}

export class SecurityRulePack implements IAspect {
  private readonly rules: readonly SecurityRule[];
  private readonly onWarning: (message: string) => void;
  private readonly intent?: TrustIntent;
  private readonly validated = new WeakSet<TerraformStack>();

  constructor(props: SecurityRulePackProps = {}) {
    this.rules = props.rules ?? SECURITY_RULES;
    this.onWarning = props.onWarning ?? ((message) => process.stderr.write(`${message}\n`));
    this.intent = props.intent;
  }

  visit(node: IConstruct): void {
    if (TerraformResource.isTerraformResource(node)) {
      const suppressions = suppressionsFor(node);
      if (suppressions.length > 0) node.addOverride("//.suppressions", suppressions);
    }
    if (TerraformStack.isStack(node) && !this.validated.has(node)) {
      this.validated.add(node);
      const stack = node;
      if (this.intent) stack.addOverride(`//.${INTENT_COMMENT_KEY}`, this.intent);
      stack.node.addValidation({ validate: () => this.validateStack(stack) });
    }
  }

  private validateStack(stack: TerraformStack): string[] {
    // Judged against the intent from config itself: the `//` record is JSON anyone can override.
    const json = new StackJson(terraformToJudge(stack));
    if (this.intent) judgeAgainstIntent(json, this.intent);
    const result = evaluateRulePack(json, this.rules);
    const errors = result.findings.filter((f) => f.level === "error");
    for (const warning of result.findings.filter((f) => f.level === "warning")) {
      const message = `[${stack.node.id}] ${formatFinding(warning)}`;
      Annotations.of(stack).addWarning(message);
      this.onWarning(message);
    }
    if (errors.length === 0) return [];
    return [
      `security rule pack: ${errors.length} error${errors.length > 1 ? "s" : ""} in stack ${stack.node.id}\n  ${errors.map(formatFinding).join("\n  ")}`,
    ];
  }
}

/** A stack that keeps the JSON judged at validation and writes exactly that (BridgeStack). */
interface FreezableStack {
  freezeTerraform(): ReturnType<TerraformStack["toTerraform"]>;
}

function terraformToJudge(stack: TerraformStack): ReturnType<TerraformStack["toTerraform"]> {
  const freezable = stack as Partial<FreezableStack>;
  return typeof freezable.freezeTerraform === "function"
    ? freezable.freezeTerraform()
    : stack.toTerraform();
}

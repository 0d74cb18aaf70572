/**
 * What Google STS does with a verified AWS caller, after the signature check: pin the AWS
 * account, run the provider's attribute mapping, then its condition, all as CEL. Shared by
 * the synth-time trust evaluation and the emulator's STS, so both judge a caller the same way.
 * Pure.
 */
import { evaluateCel } from "./cel";
import { GOOGLE_SUBJECT_MAX_BYTES } from "../../federation/attribute-mapping";

/** What AWS STS GetCallerIdentity answers; Google STS exposes it to CEL as `assertion`. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userid: string;
}

/** The parts of an AWS pool provider that decide who is admitted. */
export interface AwsProviderTrust {
  readonly awsAccountId: string;
  readonly attributeMapping: Readonly<Record<string, string>>;
  /** Undefined: no condition, every caller of the account is admitted. */
  readonly attributeCondition?: string;
}

export type Admission =
  | {
      readonly admitted: true;
      readonly subject: string;
      /** attribute.X values, keyed by X. */
      readonly attributes: Readonly<Record<string, string>>;
    }
  | {
      readonly admitted: false;
      /** Where the caller was stopped. */
      readonly stage: "account" | "mapping" | "condition";
      readonly reason: string;
      readonly subject?: string;
      readonly attributes?: Readonly<Record<string, string>>;
    };

/** The mapped google.subject and attributes, or why the mapping fails for this caller. */
export function mapAttributes(
  mapping: Readonly<Record<string, string>>,
  caller: CallerIdentity,
): { subject: string; attributes: Record<string, string> } | string {
  const attributes: Record<string, string> = {};
  let subject: string | undefined;
  for (const [target, expression] of Object.entries(mapping)) {
    const result = evaluateCel(expression, { assertion: { ...caller } });
    if (!result.ok) return `attribute mapping ${target} failed: ${result.error}`;
    if (typeof result.value !== "string") {
      return `attribute mapping ${target} must yield a string, got ${typeof result.value}`;
    }
    if (target === "google.subject") subject = result.value;
    else if (target.startsWith("attribute.")) attributes[target.slice(10)] = result.value;
  }
  if (!subject) return "the attribute mapping must set google.subject to a non-empty value";
  if (Buffer.byteLength(subject, "utf8") > GOOGLE_SUBJECT_MAX_BYTES) {
    return `google.subject "${subject}" is longer than ${GOOGLE_SUBJECT_MAX_BYTES} bytes`;
  }
  return { subject, attributes };
}

/** Account pin, then mapping, then condition: the caller is admitted only when all pass. */
export function admitAwsCaller(provider: AwsProviderTrust, caller: CallerIdentity): Admission {
  if (caller.account !== provider.awsAccountId) {
    return {
      admitted: false,
      stage: "account",
      reason: `the AWS account ${caller.account || "(none)"} of the caller does not match the provider's account ${provider.awsAccountId}`,
    };
  }
  const mapped = mapAttributes(provider.attributeMapping, caller);
  if (typeof mapped === "string") return { admitted: false, stage: "mapping", reason: mapped };
  if (provider.attributeCondition !== undefined) {
    const outcome = evaluateCel(provider.attributeCondition, {
      assertion: { ...caller },
      google: { subject: mapped.subject },
      attribute: mapped.attributes,
    });
    // A condition that errors (e.g. reads an attribute the mapping did not set) rejects too.
    if (!outcome.ok || outcome.value !== true) {
      return {
        admitted: false,
        stage: "condition",
        reason: `the attribute condition is ${outcome.ok ? String(outcome.value) : `an error (${outcome.error})`}`,
        ...mapped,
      };
    }
  }
  return { admitted: true, ...mapped };
}

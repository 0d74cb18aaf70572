/**
 * SQS2: every SQS queue has a dead-letter queue (a redrive policy), except the queues that are
 * themselves another queue's dead-letter target.
 * Reads the synthesized JSON: `redrive_policy` of aws_sqs_queue (JSON text whose
 * deadLetterTargetArn is a reference like `${aws_sqs_queue.dlq.arn}`) and
 * aws_sqs_queue_redrive_policy resources.
 */
import { parseReference, referencesIn, type Json, type StackJson } from "../terraform-json";
import { jsonDocument } from "../trust-model/terraform-values";
import { AWS_PARTITIONS } from "../../federation/partition";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceTypes, type SecurityRule } from "../rule";

/**
 * Addresses of queues named as the dead-letter target (deadLetterTargetArn) of some redrive
 * policy. Only that key counts: a queue's ARN elsewhere in a policy does not exempt it.
 */
export function deadLetterTargets(stack: StackJson): Set<string> {
  const policies = [
    ...stack.resources("aws_sqs_queue").map((q) => q.config.redrive_policy),
    ...stack.resources("aws_sqs_queue_redrive_policy").map((p) => p.config.redrive_policy),
  ];
  const targets = new Set<string>();
  for (const policy of policies) {
    const ref = parseReference(deadLetterTargetOf(policy));
    if (ref?.type === "aws_sqs_queue" && ref.attribute === "arn") targets.add(ref.address);
  }
  return targets;
}

/** deadLetterTargetArn of a redrive policy (JSON text or Fn.jsonencode), or undefined. */
function deadLetterTargetOf(redrivePolicy: unknown): unknown {
  if (redrivePolicy === undefined || redrivePolicy === null) return undefined;
  try {
    return jsonDocument(redrivePolicy as Json, "redrive_policy")?.deadLetterTargetArn;
  } catch {
    return undefined; // known only at apply, or not JSON: it names no queue anyone can check
  }
}

const SQS_QUEUE_ARN = new RegExp(
  String.raw`^arn:(?:${AWS_PARTITIONS.join("|")}):sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$`,
);

/**
 * Whether a redrive policy (JSON text or Fn.jsonencode) names a dead-letter queue in
 * deadLetterTargetArn: a queue of this stack by reference, or a literal SQS queue ARN. Read
 * by meaning, so `{"deadLetterTargetArn": ""}` or the word in another key does not count.
 */
function namesDeadLetterQueue(redrivePolicy: unknown, stack: StackJson): boolean {
  const target = deadLetterTargetOf(redrivePolicy);
  if (typeof target !== "string") return false;
  const ref = parseReference(target);
  if (ref) {
    return (
      ref.type === "aws_sqs_queue" && ref.attribute === "arn" && !ref.isData && !!stack.find(ref)
    );
  }
  return SQS_QUEUE_ARN.test(target);
}

function hasRedrive(address: string, redrivePolicy: unknown, stack: StackJson): boolean {
  if (namesDeadLetterQueue(redrivePolicy, stack)) return true;
  return stack
    .resources("aws_sqs_queue_redrive_policy")
    .some(
      (p) =>
        referencesIn(String(p.config.queue_url ?? "")).some((ref) => ref.address === address) &&
        namesDeadLetterQueue(p.config.redrive_policy, stack),
    );
}

export const QueueHasDeadLetterQueue: SecurityRule = {
  id: "SQS2",
  name: "QueueHasDeadLetterQueue",
  info: "Every SQS queue that is not itself a dead-letter queue has a redrive_policy to one.",
  explanation:
    "Without a DLQ a record that keeps failing is retried until the retention period ends and then silently dropped; with one it is kept for inspection and replay.",
  level: "error",
  fix: "add a dead-letter queue and set redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }) on the queue",
  appliesTo: resourceTypes("aws_sqs_queue"),
  evaluate(resource, stack) {
    if (deadLetterTargets(stack).has(resource.address)) return NOT_APPLICABLE;
    if (hasRedrive(resource.address, resource.config.redrive_policy, stack)) return COMPLIANT;
    return nonCompliant(
      `${resource.config.name ?? "the queue"} has no redrive_policy, so failing messages are dropped when their retention ends`,
    );
  },
};

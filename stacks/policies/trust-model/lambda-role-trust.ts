/**
 * Who may become the AWS role Google trusts: its trust policy must admit only the Lambda
 * service, for this account (aws:SourceAccount) and, where it is stated, this function
 * (aws:SourceArn); only this stack's Lambda may run as it, and nothing else may use it.
 */
import { parseReference, type StackJson } from "../terraform-json";
import { credentialConfigProblem } from "./lambda-credential-config";
import type { PipelineModel, TrustModel } from "./trust-model";
import type { TrustRuleId } from "./trust-evaluation";

const LAMBDA_SERVICE = "lambda.amazonaws.com";
/** Operators that compare exactly; `...IfExists`, `ForAnyValue:` and `Like` with wildcards weaken. */
const EXACT_OPERATORS = new Set(["StringEquals", "ArnEquals", "ArnLike"]);

export function judgeLambdaRole(
  stack: StackJson,
  model: TrustModel,
  pipeline: PipelineModel,
  add: (rule: TrustRuleId, address: string, reason: string) => void,
): void {
  const role = pipeline.awsRole;
  const intent = { ...pipeline.intent, awsRegion: model.intent!.awsRegion };
  const lambda = pipeline.lambda;
  if (!role?.role) return; // reported as unresolvable by the model
  const address = role.role.address;
  const functionArn = `arn:${lambda.partition}:lambda:${intent.awsRegion}:${intent.accountId}:function:${intent.functionName}`;
  const allows = role.trustStatements.filter((s) => s.effect === "Allow");
  if (allows.length === 0) {
    add(
      "TRUST1",
      address,
      `the trust policy allows nobody to assume ${intent.roleName}, so the Lambda cannot run as it: the deploy would lock the Lambda out`,
    );
  }
  for (const s of allows) {
    const problems: string[] = [];
    if (s.notPrincipal)
      problems.push("uses NotPrincipal, which admits every principal but those listed");
    for (const [type, ids] of Object.entries(s.principals)) {
      for (const id of ids) {
        if (!(type === "Service" && id === LAMBDA_SERVICE))
          problems.push(`admits ${type} principal "${id}"`);
      }
    }
    if (!(s.principals.Service ?? []).includes(LAMBDA_SERVICE))
      problems.push(`does not name the ${LAMBDA_SERVICE} service`);
    if (s.notActions) problems.push("uses NotAction");
    for (const a of s.actions) if (a !== "sts:AssumeRole") problems.push(`allows ${a}`);
    const sourceAccount = valuesOf(s.conditions, "aws:SourceAccount");
    if (sourceAccount.weak.length > 0)
      problems.push(
        `tests aws:SourceAccount with ${sourceAccount.weak.join(", ")}, which does not require it`,
      );
    if (sourceAccount.exact.length === 0)
      problems.push(
        `has no StringEquals aws:SourceAccount = ${intent.accountId}, so Lambda functions of any account could assume the role`,
      );
    for (const v of sourceAccount.exact)
      if (v !== intent.accountId)
        problems.push(`allows aws:SourceAccount ${v}, not ${intent.accountId}`);
    const sourceArn = valuesOf(s.conditions, "aws:SourceArn");
    if (sourceArn.weak.length > 0)
      problems.push(
        `tests aws:SourceArn with ${sourceArn.weak.join(", ")}, which does not require it`,
      );
    for (const v of sourceArn.exact) {
      const ref = parseReference(v);
      const isFunction = ref
        ? ref.type === "aws_lambda_function" &&
          role.functions.some(
            (f) => f.address === ref.address && f.functionName === intent.functionName,
          )
        : v === functionArn;
      if (!isFunction)
        problems.push(`allows aws:SourceArn ${v}, not this stack's function ${functionArn}`);
    }
    for (const p of problems)
      add(
        "TRUST7",
        address,
        `trust policy statement ${p}; only ${LAMBDA_SERVICE} with aws:SourceAccount ${intent.accountId} (and aws:SourceArn ${functionArn}) may assume the role`,
      );
  }
  const ownFunction = role.functions.find((f) => f.functionName === intent.functionName);
  if (!ownFunction) {
    add(
      "TRUST1",
      address,
      `this stack's Lambda ${intent.functionName} does not run as ${intent.roleName}: the deploy would lock the Lambda out`,
    );
  }
  const credentialProblem =
    ownFunction && credentialConfigProblem(stack, ownFunction.address, lambda);
  if (ownFunction && credentialProblem) {
    add(
      "TRUST1",
      ownFunction.address,
      `${credentialProblem}: the deploy would lock the Lambda out`,
    );
  }
  for (const f of role.functions.filter((f) => f !== ownFunction)) {
    add(
      "TRUST7",
      f.address,
      `runs the function ${f.functionName} as ${intent.roleName}, the role Google trusts: it would get the Lambda's Google access`,
    );
  }
  for (const u of role.otherUsers) {
    add(
      "TRUST7",
      u.address,
      `uses ${intent.roleName}, the role Google trusts (through ${u.argument}); only this stack's Lambda may`,
    );
  }
}

function valuesOf(
  conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>,
  key: string,
): { exact: string[]; weak: string[] } {
  const exact: string[] = [];
  const weak: string[] = [];
  for (const [op, kv] of Object.entries(conditions)) {
    for (const [k, values] of Object.entries(kv)) {
      if (k.toLowerCase() !== key.toLowerCase()) continue;
      if (EXACT_OPERATORS.has(op) && !(op === "ArnLike" && values.some((v) => /[*?]/.test(v))))
        exact.push(...values);
      else weak.push(op);
    }
  }
  return { exact, weak };
}

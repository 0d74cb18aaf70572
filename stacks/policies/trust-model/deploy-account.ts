/**
 * Which AWS account a pipeline's role and function deploy to: their `provider` argument must
 * name the one AWS provider whose allowed_account_ids is exactly [the pipeline's account]. Google
 * admits `arn:…:sts::ACCOUNT:assumed-role/ROLE` of the pipeline's account; a role created in
 * another account leaves that name free there, for anyone with iam:CreateRole to take.
 */
import type { Json, StackJson, TerraformResource } from "../terraform-json";
import type { PipelineModel } from "./trust-model";
import type { TrustRuleId } from "./trust-evaluation";

/** `aws` (the default provider) or `aws.<alias>`, as Terraform JSON names a provider. */
const PROVIDER_NAME = /^aws(?:\.([A-Za-z][\w-]*))?$/;

export function judgeDeployAccount(
  stack: StackJson,
  pipeline: PipelineModel,
  add: (rule: TrustRuleId, address: string, reason: string) => void,
): void {
  const role = pipeline.awsRole;
  if (!role?.role) return; // reported as unresolvable by the model
  const account = pipeline.intent.accountId;
  const deployed: TerraformResource[] = [
    role.role,
    ...role.functions.map((f) => stack.find(f.address)!).filter(Boolean),
  ];
  for (const r of deployed) {
    const problem = deployProblem(stack, r.config.provider, account);
    if (problem) {
      add(
        "TRUST7",
        r.address,
        `${problem}, so pipeline ${pipeline.intent.name}'s ${r.type === "aws_iam_role" ? "role" : "function"} may not deploy to account ${account}, whose provider admits the role by name: a role of that name left free there can be created by anyone with iam:CreateRole. Deploy it with the AWS provider of account ${account} (allowed_account_ids = ["${account}"])`,
      );
    }
  }
}

/** Why `provider` does not resolve to the AWS provider pinned to exactly `account`, or undefined. */
function deployProblem(stack: StackJson, provider: Json, account: string): string | undefined {
  const name = provider === undefined ? "aws" : provider;
  const m = typeof name === "string" ? PROVIDER_NAME.exec(name) : null;
  if (!m) return `its provider is ${JSON.stringify(provider)}, not an AWS provider of this stack`;
  const alias = m[1];
  const configs = ([] as Json[])
    .concat(stack.json?.provider?.aws ?? [])
    .filter((p) => (alias === undefined ? p?.alias === undefined : p?.alias === alias));
  const label = alias === undefined ? "the default AWS provider" : `AWS provider ${name}`;
  if (configs.length !== 1)
    return `${label} is defined ${configs.length} times in the stack, not once`;
  const allowed = configs[0].allowed_account_ids;
  if (
    !Array.isArray(allowed) ||
    allowed.length !== 1 ||
    typeof allowed[0] !== "string" ||
    allowed[0] !== account
  ) {
    return `it deploys with ${label}, whose allowed_account_ids is ${JSON.stringify(allowed ?? null)}, not exactly ["${account}"]`;
  }
  return undefined;
}

/**
 * The trust-chain report's section on the Lambda code: the CodeSha256 of the reviewed build
 * and the one AWS CLI command that compares it with the deployed function. archive.zip is
 * byte-reproducible (stacks/aws/lambda-archive.ts), so this value identifies the reviewed code
 * on any machine: a function reporting it runs exactly what was reviewed.
 */
import type { Json, StackJson } from "../../stacks/policies/terraform-json";
import { code } from "./describe";

/** Markdown lines of the section (one entry per aws_lambda_function). */
export function deployedArtifactSection(stack: StackJson): string[] {
  const functions = stack.resources("aws_lambda_function");
  if (functions.length === 0) return [];
  const out = [
    "## Deployed code: is it the reviewed build?",
    "",
    "`archive.zip` is byte-reproducible: `npm run synth` at this commit gives the same bytes on any machine, " +
      "and `source_code_hash` (stack output `lambda_code_sha256`) is their base64 SHA-256, the `CodeSha256` AWS reports. " +
      "The command prints `OK` when the deployed code is this build.",
    "",
  ];
  for (const fn of functions) {
    const name = stack.literal(fn.config.function_name);
    const sha = stack.literal(fn.config.source_code_hash);
    const provider = providerOf(fn.config.provider, stack);
    const region = stack.literal(provider?.region);
    const accounts: string[] = (provider?.allowed_account_ids ?? []).map(String);
    out.push(`### Lambda ${code(name ?? fn.address)}`, "");
    if (name === undefined || sha === undefined) {
      out.push(
        `- ${code(fn.address)}: ${name === undefined ? "function_name" : "source_code_hash"} is not known at synth, so there is nothing to compare against; ` +
          "it should be a literal (BundledFunction sets both).",
        "",
      );
      continue;
    }
    out.push(
      `- Expected CodeSha256: ${code(sha)}`,
      ...(accounts.length > 0
        ? [`- Run it as an identity of account ${accounts.map(code).join(" or ")}.`]
        : []),
      "",
      "```sh",
      checkCommand(name, sha, region),
      "```",
      "",
    );
  }
  return out;
}

/**
 * `aws lambda get-function … --query Configuration.CodeSha256 --output text`, compared with the
 * reviewed value, as one shell command.
 */
export function checkCommand(functionName: string, codeSha256: string, region?: string): string {
  const get = [
    "aws lambda get-function",
    `--function-name ${shellWord(functionName)}`,
    ...(region ? [`--region ${shellWord(region)}`] : []),
    "--query Configuration.CodeSha256 --output text",
  ].join(" ");
  return `[ "$(${get})" = ${shellWord(codeSha256)} ] && echo OK || echo "MISMATCH: the deployed code is not this build"`;
}

/** The AWS provider block the function is deployed with (its alias, or the default). */
function providerOf(providerRef: unknown, stack: StackJson): Json | undefined {
  const providers = (stack.json.provider?.aws ?? []) as Json[];
  const alias = typeof providerRef === "string" ? /^aws\.(.+)$/.exec(providerRef)?.[1] : undefined;
  return providers.find((p) => (alias ? p.alias === alias : !p.alias));
}

/** `text` as one shell word: as is when it is plain, else single-quoted. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._/+=:@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The report's "is the deployed code the reviewed build?" section, on the real synthesized
 * stack (the run's shared synth), and its command run against a stand-in `aws` CLI.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StackJson, type Json } from "../../stacks/policies/terraform-json";
import { checkCommand, deployedArtifactSection } from "../../tools/review/deployed-artifact";
import { trustChainReport } from "../../tools/review/trust-chain-report";
import { sharedApp } from "../helpers/shared-fixtures";

let tf: Json;
let sourceCodeHash: string;
beforeAll(async () => {
  const app = await sharedApp("example-and-direct");
  tf = JSON.parse(fs.readFileSync(app.stackFile("example"), "utf8"));
  sourceCodeHash = (Object.values(tf.resource.aws_lambda_function)[0] as Json).source_code_hash;
}, 60_000);

/** Runs `command` in sh with a stand-in `aws` that prints `deployed` and records its arguments. */
function runWithFakeAws(command: string, deployed: string): { stdout: string; args: string[] } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "wif-fake-aws-"));
  const argsFile = path.join(bin, "args");
  fs.writeFileSync(
    path.join(bin, "aws"),
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> "${argsFile}"; done\nprintf '%s\\n' "$DEPLOYED"\n`,
    { mode: 0o755 },
  );
  const stdout = execFileSync("sh", ["-c", command], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DEPLOYED: deployed },
    encoding: "utf8",
  });
  return { stdout, args: fs.readFileSync(argsFile, "utf8").trimEnd().split("\n") };
}

describe("the deployed-artifact section of the review report", () => {
  it("gives the reviewed CodeSha256: the stack's source_code_hash and lambda_code_sha256 output", () => {
    const text = deployedArtifactSection(new StackJson(tf)).join("\n");
    expect(sourceCodeHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(tf.output.lambda_code_sha256.value).toBe(sourceCodeHash);
    expect(text).toContain("### Lambda `wif-bridge-example`");
    expect(text).toContain(`- Expected CodeSha256: \`${sourceCodeHash}\``);
    expect(text).toContain("- Run it as an identity of account `111122223333`.");
  });

  it("gives one command that asks AWS for the deployed function's CodeSha256 in its region", () => {
    const text = deployedArtifactSection(new StackJson(tf)).join("\n");
    const command = /```sh\n(.*)\n```/.exec(text)![1];
    expect(command).toBe(checkCommand("wif-bridge-example", sourceCodeHash, "eu-west-1"));
    expect(command).toContain(
      "aws lambda get-function --function-name wif-bridge-example --region eu-west-1 --query Configuration.CodeSha256 --output text",
    );
  });

  it("the command prints OK when the deployed code is the reviewed build, MISMATCH otherwise", () => {
    const command = checkCommand("wif-bridge-example", sourceCodeHash, "eu-west-1");
    const same = runWithFakeAws(command, sourceCodeHash);
    expect(same.stdout).toBe("OK\n");
    expect(same.args).toEqual([
      "lambda",
      "get-function",
      "--function-name",
      "wif-bridge-example",
      "--region",
      "eu-west-1",
      "--query",
      "Configuration.CodeSha256",
      "--output",
      "text",
    ]);
    const other = runWithFakeAws(command, "AAAA" + sourceCodeHash.slice(4));
    expect(other.stdout).toBe("MISMATCH: the deployed code is not this build\n");
  });

  it("quotes a function name the shell would split", () => {
    const { args } = runWithFakeAws(checkCommand("it's a name", "x="), "x=");
    expect(args[3]).toBe("it's a name");
  });

  it("says there is nothing to compare when the hash is not known at synth", () => {
    const fnAddress = Object.keys(tf.resource.aws_lambda_function)[0];
    const patched = structuredClone(tf);
    patched.resource.aws_lambda_function[fnAddress].source_code_hash = '${filebase64sha256("x")}';
    const text = deployedArtifactSection(new StackJson(patched)).join("\n");
    expect(text).toContain("source_code_hash is not known at synth");
    expect(text).not.toContain("aws lambda get-function");
  });

  it("is part of the trust-chain report", () => {
    const report = trustChainReport("example", tf);
    expect(report).toContain("## Deployed code: is it the reviewed build?");
    expect(report).toContain(checkCommand("wif-bridge-example", sourceCodeHash, "eu-west-1"));
  });
});

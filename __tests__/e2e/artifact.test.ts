/**
 * The Lambda the e2e tests run is the reviewed artifact: the synthesized archive.zip, whose
 * SHA-256 is the stack's source_code_hash (the CodeSha256 AWS will report), unzipped as Lambda
 * unzips it into /var/task.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { AppliedStack, lambdaDeployment } from "../../emulator";
import { EXAMPLE, runBatch, startBridge, stopBridges, synthesizeEnvironments } from "./harness";

let envs: Awaited<ReturnType<typeof synthesizeEnvironments>>;
beforeAll(async () => {
  envs = await synthesizeEnvironments();
}, 60_000);
afterEach(stopBridges);

describe("the Lambda artifact, end to end", () => {
  it("runs from the synthesized archive.zip, whose SHA-256 is the stack's source_code_hash", async () => {
    const env = envs[EXAMPLE];
    const tf = JSON.parse(fs.readFileSync(env.stackFile, "utf8"));
    const fn = Object.values(tf.resource.aws_lambda_function)[0] as { source_code_hash: string };
    const { assetZip } = lambdaDeployment(
      AppliedStack.fromFile(env.stackFile, { projectNumber: env.projectNumber }),
      { googleEndpoint: "http://127.0.0.1:1" },
    );
    const zip = fs.readFileSync(assetZip);
    expect(createHash("sha256").update(zip).digest("base64")).toBe(fn.source_code_hash);
    expect(tf.output.lambda_code_sha256.value).toBe(fn.source_code_hash);

    // The container's /var/task holds exactly the archive's files, byte for byte.
    const entries = unzipSync(zip);
    expect(fs.readdirSync(env.taskDir).sort()).toEqual(Object.keys(entries).sort());
    for (const [name, content] of Object.entries(entries)) {
      expect(fs.readFileSync(path.join(env.taskDir, name)).equals(Buffer.from(content))).toBe(true);
    }

    const bridge = await startBridge(env);
    const run = await runBatch(bridge, bridge.configuredRole(), 2);
    expect(run.failedMessageIds).toEqual([]);
    expect(bridge.rows()).toHaveLength(2);
  });
});

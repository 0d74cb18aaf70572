import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, loadConfig, parseConfig } from "../../stacks/config";
import { configProblems, merge, readExampleRaw } from "../helpers/synth";

function expectOneProblem(patch: unknown, field: string, message: RegExp, value?: unknown) {
  const problems = configProblems(patch);
  expect(problems).toHaveLength(1);
  expect(problems[0].field).toBe(field);
  expect(problems[0].message).toMatch(message);
  if (value !== undefined) expect(problems[0].value).toEqual(value);
}

describe("config validation", () => {
  it("accepts the example and fills in defaults", () => {
    const raw = readExampleRaw();
    delete raw.lambda.runtime;
    delete raw.lambda.architecture;
    delete raw.federation.accessMode;
    const config = parseConfig(raw, "config/example.json");
    expect(config.lambda.runtime).toBe("nodejs22.x");
    expect(config.lambda.architecture).toBe("arm64");
    expect(config.federation.accessMode).toBe("impersonation");
    expect(config.names).toEqual({
      functionName: "wif-bridge-example",
      roleName: "wif-bridge-example-exec",
      logGroupName: "/aws/lambda/wif-bridge-example",
      serviceAccountId: "wif-example",
      awsPartition: "aws",
    });
  });

  it.each([
    [{ environment: "Prod!" }, "environment", /environment name/, "Prod!"],
    [{ aws: { accountId: "12345" } }, "aws.accountId", /12-digit AWS account id/, "12345"],
    [
      { aws: { accountId: 111122223333 } },
      "aws.accountId",
      /as a string of 12 digits/,
      111122223333,
    ],
    [{ aws: { region: "europe" } }, "aws.region", /AWS region/, "europe"],
    [{ gcp: { projectId: "X" } }, "gcp.projectId", /GCP project id/, "X"],
    [{ gcp: { projectNumber: "12ab" } }, "gcp.projectNumber", /project number/, "12ab"],
    [{ gcp: { region: "EU" } }, "gcp.region", /Google Cloud region/, "EU"],
    [{ federation: { poolId: "abc" } }, "federation.poolId", /4-32 characters/, "abc"],
    [{ federation: { poolId: "gcp-pool" } }, "federation.poolId", /"gcp-" is reserved/, "gcp-pool"],
    [
      { federation: { providerId: "Upper_Case" } },
      "federation.providerId",
      /provider id/,
      "Upper_Case",
    ],
    [
      { federation: { accessMode: "keys" } },
      "federation.accessMode",
      /"impersonation".*"direct"/,
      "keys",
    ],
    [{ lambda: { memoryMb: 64 } }, "lambda.memoryMb", /at least 128/, 64],
    [{ lambda: { timeoutSeconds: 901 } }, "lambda.timeoutSeconds", /at most 900/, 901],
    [{ lambda: { timeoutSeconds: 3 } }, "lambda.timeoutSeconds", /at least 8 seconds/, 3],
    [{ lambda: { runtime: "python3.12" } }, "lambda.runtime", /nodejs22\.x/, "python3.12"],
    [{ lambda: { architecture: "x86" } }, "lambda.architecture", /"arm64" or "x86_64"/, "x86"],
    [{ lambda: { logRetentionDays: 10 } }, "lambda.logRetentionDays", /CloudWatch retention/, 10],
    [
      { lambda: { functionName: "has space" } },
      "lambda.functionName",
      /function name/,
      "has space",
    ],
    [{ queue: { batchSize: 0 } }, "queue.batchSize", /at least 1/, 0],
    [{ bigquery: { datasetId: "has-dash" } }, "bigquery.datasetId", /dataset id/, "has-dash"],
    [{ bigquery: { tableId: "" } }, "bigquery.tableId", /table id/, ""],
    [{ bigquery: { schema: [] } }, "bigquery.schema", /at least one column/, []],
    [{ bigquery: { deletionProtection: "yes" } }, "bigquery.deletionProtection", /boolean/, "yes"],
    [
      { archive: { bucketName: "my-google-bucket" } },
      "archive.bucketName",
      /"goog"/,
      "my-google-bucket",
    ],
    [{ archive: { bucketName: "A" } }, "archive.bucketName", /bucket name/, "A"],
    [{ labels: { Team: "x" } }, "labels.Team", /label key/, "Team"],
  ])("rejects %j at %s", (patch, field, message, value) => {
    expectOneProblem(patch, field, message, value);
  });

  it("defaults to local state and stable federation ids", () => {
    const config = parseConfig(readExampleRaw(), "config/example.json");
    expect(config.state).toEqual({ backend: "local" });
    expect(config.federation.idSuffix).toBeUndefined();
  });

  it("fills in S3 encryption and lock-file defaults", () => {
    const config = parseConfig(
      merge(readExampleRaw(), { state: { backend: "s3", bucket: "acme-terraform-state" } }),
      "config/example.json",
    );
    expect(config.state).toEqual({
      backend: "s3",
      bucket: "acme-terraform-state",
      encrypt: true,
      useLockfile: true,
    });
  });

  it.each([
    [{ state: { backend: "azurerm" } }, "state.backend", /"local" \(default\), "s3" or "gcs"/],
    [{ state: { backend: "s3", bucket: "a_b" } }, "state.bucket", /S3 bucket name/],
    [{ state: { backend: "s3", bucket: "abc", region: "eu" } }, "state.region", /AWS region/],
    [{ state: { backend: "gcs", bucket: "x" } }, "state.bucket", /GCS bucket name/],
    [{ federation: { idSuffix: "Random" } }, "federation.idSuffix", /"random" or a fixed suffix/],
    [
      { federation: { poolId: "a".repeat(30), idSuffix: "r2" } },
      "federation.poolId",
      /would be 33 characters; Google allows 32\. Shorten federation\.poolId to at most 29/,
    ],
  ])("rejects %j at %s", (patch, field, message) => {
    expectOneProblem(patch, field, message);
  });

  it("rejects an unknown field with its name and a hint", () => {
    expectOneProblem(
      { lambda: { memorySize: 512 } },
      "lambda",
      /unknown field: remove "memorySize"/,
    );
  });

  it("rejects a missing required field", () => {
    const raw = readExampleRaw();
    delete raw.aws.region;
    expect(() => parseConfig(raw, "config/test.json")).toThrow(/aws\.region: missing;/);
  });

  it("rejects a bad column type and mode", () => {
    const problems = configProblems({
      bigquery: {
        schema: [{ name: "a", type: "VARCHAR", mode: "OPTIONAL" }],
        partitioning: undefined,
      },
    });
    expect(problems.map((p) => p.field)).toEqual([
      "bigquery.schema[0].type",
      "bigquery.schema[0].mode",
    ]);
    expect(problems[0].message).toMatch(/BigQuery type/);
    expect(problems[1].message).toMatch(/NULLABLE, REQUIRED, REPEATED/);
  });

  it("rejects a RECORD without sub-fields and a scalar with them", () => {
    const problems = configProblems({
      bigquery: {
        schema: [
          { name: "event_time", type: "TIMESTAMP" },
          { name: "r", type: "RECORD" },
          { name: "s", type: "STRING", fields: [{ name: "x", type: "STRING" }] },
        ],
      },
    });
    expect(problems.map((p) => p.field)).toEqual([
      "bigquery.schema[1].fields",
      "bigquery.schema[2].fields",
    ]);
  });

  it("rejects duplicate column names, case-insensitively", () => {
    expectOneProblem(
      {
        bigquery: {
          schema: [...readExampleRaw().bigquery.schema, { name: "Source", type: "STRING" }],
        },
      },
      "bigquery.schema[6].name",
      /case-insensitive/,
      "Source",
    );
  });

  it("rejects partitioning on a missing or non-time column", () => {
    expectOneProblem(
      { bigquery: { partitioning: { field: "nope" } } },
      "bigquery.partitioning.field",
      /no top-level column named "nope"/,
    );
    expectOneProblem(
      { bigquery: { partitioning: { field: "source" } } },
      "bigquery.partitioning.field",
      /STRING/,
    );
  });

  it("rejects a google.subject longer than 127 bytes, naming the excess", () => {
    const problems = configProblems({
      lambda: { functionName: "f".repeat(60), roleName: "r".repeat(40) },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe("lambda.roleName");
    expect(problems[0].message).toMatch(
      /google\.subject ".*" is 140 bytes; Google refuses more than 127\. Shorten .* by 13/,
    );
  });

  it("rejects a batch size above 10 without a batching window, as AWS would", () => {
    expectOneProblem(
      { queue: { batchSize: 100, maxBatchingWindowSeconds: 0 } },
      "queue.maxBatchingWindowSeconds",
      /AWS refuses a batch size above 10 \(queue\.batchSize is 100\) without a batching window/,
      0,
    );
    const ten = merge(readExampleRaw(), { queue: { batchSize: 10, maxBatchingWindowSeconds: 0 } });
    expect(parseConfig(ten, "config/test.json").queue.batchSize).toBe(10);
  });

  it("rejects a service account id in direct mode", () => {
    expectOneProblem(
      { federation: { accessMode: "direct", serviceAccountId: "wif-direct" } },
      "federation.serviceAccountId",
      /direct access mode uses no service account/,
    );
  });

  it("reports every problem of a file at once, naming the file", () => {
    let error: ConfigError | undefined;
    try {
      parseConfig(
        merge(readExampleRaw(), { aws: { accountId: "1", region: "x" }, lambda: { memoryMb: 1 } }),
        "config/dev.json",
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.field)).toEqual([
      "aws.accountId",
      "aws.region",
      "lambda.memoryMb",
    ]);
    expect(error!.message).toMatch(/^config\/dev\.json is invalid \(3 problems\):/);
    expect(error!.message).toContain('aws.accountId: got "1"; expected a 12-digit AWS account id');
  });

  it("names the file when it is not JSON", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-config-"));
    const file = path.join(dir, "broken.json");
    fs.writeFileSync(file, "{ not json");
    expect(() => loadConfig(file)).toThrow(
      /broken\.json is invalid \(1 problem\):\n {2}- \(root\) \(line 1\): not valid JSON/,
    );
  });
});

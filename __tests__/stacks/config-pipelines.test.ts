/**
 * Config of several pipelines: what a pipeline inherits, what it derives, and every problem of
 * a file reported at once (duplicates, overlaps, names past their limits, deploy roles).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, parseConfig, type BridgeConfig } from "../../stacks/config";
import { merge, PROJECT_ROOT, type Json } from "../helpers/synth";

const raw = (): Json =>
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "config", "platform-example.json"), "utf8"));
const SOURCE = "config/platform-example.json";

function withPipelines(edit: (pipelines: Json[], file: Json) => void): Json {
  const file = raw();
  edit(file.pipelines, file);
  return file;
}
function problemsOf(file: Json): ConfigError["problems"] {
  try {
    parseConfig(file, SOURCE);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected the config to be rejected");
}
const fields = (file: Json) => problemsOf(file).map((p) => p.field);

describe("a config with pipelines", () => {
  const config: BridgeConfig = parseConfig(raw(), SOURCE);

  it("resolves each pipeline's names from the environment and the pipeline", () => {
    expect(config.pipelinesDeclared).toBe(true);
    expect(
      config.pipelines.map((p) => [p.name, p.accountId, p.names.functionName, p.names.roleName]),
    ).toEqual([
      [
        "orders",
        "111122223333",
        "wif-bridge-platform-example-orders",
        "wif-bridge-platform-example-orders-exec",
      ],
      [
        "payments",
        "444455556666",
        "wif-bridge-platform-example-payments",
        "wif-bridge-platform-example-payments-exec",
      ],
      [
        "audit",
        "444455556666",
        "wif-bridge-platform-example-audit",
        "wif-bridge-platform-example-audit-exec",
      ],
    ]);
    expect(config.pipelines.map((p) => p.names.serviceAccountId)).toEqual([
      "wif-platform-example-orders",
      "wif-platform-example-payments",
      "wif-platform-example-audit",
    ]);
  });

  it("inherits the environment's lambda and queue settings unless the pipeline sets its own", () => {
    const [orders, payments, audit] = config.pipelines;
    expect(orders.lambda.memoryMb).toBe(256);
    expect(payments.lambda.memoryMb).toBe(512);
    expect(audit.queue).toEqual({ batchSize: 10, maxBatchingWindowSeconds: 5, maxReceiveCount: 3 });
    expect(orders.queue).toEqual(config.queue);
  });

  it("puts a pipeline in the environment's dataset unless it names its own", () => {
    expect(config.pipelines.map((p) => [p.bigquery.datasetId, p.bigquery.ownDataset])).toEqual([
      ["wif_bridge_platform", false],
      ["wif_bridge_platform", false],
      ["wif_bridge_platform_audit", true],
    ]);
  });

  it("gives each pipeline an archive prefix, its name by default", () => {
    expect(config.pipelines.map((p) => p.archivePrefix)).toEqual([
      "orders/",
      "payments/raw-batches/",
      "audit/",
    ]);
  });

  it("lists one AWS account per provider: the environment's first, with its provider id", () => {
    expect(config.awsAccounts).toEqual([
      { accountId: "111122223333", providerId: "aws-platform", pipelines: ["orders"] },
      {
        accountId: "444455556666",
        providerId: "aws-444455556666",
        deployRoleArn: "arn:aws:iam::444455556666:role/wif-bridge-deployer",
        pipelines: ["payments", "audit"],
      },
    ]);
  });

  it("keeps a file without pipelines as one pipeline named after the environment", () => {
    const example = parseConfig(
      JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "config", "example.json"), "utf8")),
      "config/example.json",
    );
    expect(example.pipelinesDeclared).toBe(false);
    expect(example.pipelines).toHaveLength(1);
    expect(example.pipelines[0]).toMatchObject({
      name: "example",
      configPath: [],
      accountId: "111122223333",
      names: example.names,
      bigquery: { datasetId: "wif_bridge_example", tableId: "events", ownDataset: false },
    });
    expect(example.pipelines[0].archivePrefix).toBeUndefined();
  });
});

describe("validation of pipelines", () => {
  it("refuses two pipelines of one name", () => {
    const problems = problemsOf(withPipelines((p) => (p[2].name = "orders")));
    expect(problems.map((x) => x.field)).toContain("pipelines[2].name");
    expect(problems.find((x) => x.field === "pipelines[2].name")!.message).toMatch(
      /pipelines "orders" and "orders" share the name "orders"/,
    );
  });

  it("refuses two pipelines writing one table", () => {
    const problems = problemsOf(withPipelines((p) => (p[1].bigquery.tableId = "orders")));
    expect(problems).toEqual([
      expect.objectContaining({
        field: "pipelines[1].bigquery.tableId",
        message: expect.stringMatching(/share the table "wif_bridge_platform\.orders"/),
      }),
    ]);
  });

  it("refuses a shared service account, role or function, even across accounts", () => {
    expect(
      fields(
        withPipelines((p) => {
          p[1].serviceAccountId = "wif-shared-writer";
          p[2].serviceAccountId = "wif-shared-writer";
          p[0].lambda = { roleName: "shared-role" };
          p[1].lambda = { roleName: "shared-role" };
        }),
      ),
    ).toEqual(["pipelines[1].lambda.roleName", "pipelines[2].serviceAccountId"]);
  });

  it("refuses archive prefixes where one starts with the other", () => {
    const problems = problemsOf(withPipelines((p) => (p[2].archivePrefix = "payments/")));
    expect(problems).toEqual([
      expect.objectContaining({
        field: "pipelines[2].archivePrefix",
        message: expect.stringMatching(/overlaps pipeline "payments"'s "payments\/raw-batches\/"/),
      }),
    ]);
  });

  it("refuses an own dataset that is the environment's or another pipeline's", () => {
    expect(
      fields(
        withPipelines((p) => {
          p[0].bigquery.datasetId = "wif_bridge_platform";
          p[1].bigquery.datasetId = "wif_bridge_platform_audit";
        }),
      ),
    ).toEqual(["pipelines[0].bigquery.datasetId", "pipelines[2].bigquery.datasetId"]);
  });

  it("asks for the deploy role of every further account, and refuses one no pipeline uses", () => {
    const problems = problemsOf(
      withPipelines((_p, file) => {
        file.aws.deployRoleArns = {
          "999988887777": "arn:aws:iam::999988887777:role/wif-bridge-deployer",
        };
      }),
    );
    expect(problems.map((x) => [x.field, x.value])).toEqual([
      ["aws.deployRoleArns", "444455556666"],
      ["aws.deployRoleArns.999988887777", "999988887777"],
    ]);
    expect(problems[0].message).toMatch(
      /pipelines "payments", "audit" run in AWS account 444455556666: name the role Terraform assumes there/,
    );
  });

  it("refuses a deploy role in another account than the one it deploys", () => {
    const problems = problemsOf(
      withPipelines((_p, file) => {
        file.aws.deployRoleArns["444455556666"] = "arn:aws:iam::111122223333:role/deployer";
      }),
    );
    expect(problems.map((x) => [x.field, x.value])).toEqual([
      ["aws.deployRoleArns.444455556666", "arn:aws:iam::111122223333:role/deployer"],
    ]);
    expect(problems[0].message).toMatch(
      /is a role of AWS account 111122223333, but it is listed under account 444455556666/,
    );
  });

  it.each([
    "arn:aws-cn:iam::444455556666:role/deployer",
    "arn:aws-us-gov:iam::444455556666:role/deployer",
  ])("refuses a deploy role %s of another partition than aws.region's", (arn) => {
    const problems = problemsOf(
      withPipelines((_p, file) => {
        file.aws.deployRoleArns["444455556666"] = arn;
      }),
    );
    expect(problems.map((x) => [x.field, x.value])).toEqual([
      ["aws.deployRoleArns.444455556666", arn],
    ]);
    expect(problems[0].message).toMatch(
      /aws\.region "eu-west-1" is in partition aws; write "arn:aws:iam::444455556666:role\/…"/,
    );
  });

  it("refuses a deploy role ARN of no partition, or an account that is not 12 digits", () => {
    for (const arn of [
      "arn:gcp:iam::444455556666:role/deployer",
      "arn:aws:iam::4444555566:role/deployer",
      "arn:aws:iam::444455556666:user/deployer",
    ]) {
      expect(
        fields(
          withPipelines((_p, file) => {
            file.aws.deployRoleArns["444455556666"] = arn;
          }),
        ),
      ).toEqual(["aws.deployRoleArns.444455556666"]);
    }
  });

  it("refuses the single-pipeline fields at the top of a pipelines file, naming where they go", () => {
    const problems = problemsOf(
      merge(raw(), {
        bigquery: { tableId: "events" },
        lambda: { functionName: "x" },
        federation: { serviceAccountId: "wif-platform" },
      }),
    );
    expect(problems.map((x) => [x.field, x.message])).toEqual([
      [
        "bigquery.tableId",
        'with "pipelines", each pipeline has its own; move it to pipelines[].bigquery.tableId',
      ],
      [
        "lambda.functionName",
        'with "pipelines", each pipeline has its own; move it to pipelines[].lambda.functionName',
      ],
      [
        "federation.serviceAccountId",
        'with "pipelines", each pipeline has its own; move it to pipelines[].serviceAccountId',
      ],
    ]);
  });

  it("checks every derived name's limit and reports all problems of the file at once", () => {
    const problems = problemsOf(
      withPipelines((p, file) => {
        file.environment = "platform-example-xyz"; // 20 characters
        p[0].name = "orders-from-the-shop"; // SA wif-<env>-<name> is 45 characters
        p[1].lambda.functionName = "f".repeat(60); // role <fn>-exec: 65 > 64, DLQ 64 ok
        p[2].lambda = { roleName: "r".repeat(64), functionName: "g".repeat(64) }; // subject > 127 bytes
        p[2].bigquery.schema.push({ name: "ACTOR", type: "STRING" }); // case-insensitive repeat
      }),
    );
    expect(problems.map((x) => x.field)).toEqual(
      expect.arrayContaining([
        "pipelines[0].name",
        "pipelines[1].lambda.functionName",
        "pipelines[2].lambda.roleName",
        "pipelines[2].bigquery.schema[3].name",
      ]),
    );
    expect(problems.find((x) => x.field === "pipelines[0].name")!.message).toMatch(
      /derived service account id "wif-platform-example-xyz-orders-from-the-shop" .* Set pipelines\[0\]\.serviceAccountId/,
    );
    expect(problems.find((x) => x.field === "pipelines[1].lambda.functionName")!.message).toMatch(
      /derived IAM role name "f{60}-exec" is 65 characters/,
    );
    expect(problems.find((x) => x.field === "pipelines[2].lambda.roleName")!.message).toMatch(
      /google\.subject .* is \d+ bytes; Google refuses more than 127/,
    );
  });

  it("names the pipeline's own fields in every fix it asks for", () => {
    const problems = problemsOf(
      withPipelines((p) => {
        p[1].lambda.functionName = "f".repeat(60);
        p[2].lambda = { roleName: "r".repeat(64), functionName: "g".repeat(64) };
      }),
    );
    const messageAt = (field: string) =>
      problems
        .filter((x) => x.field === field)
        .map((x) => x.message)
        .join("\n");
    expect(messageAt("pipelines[1].lambda.functionName")).toContain(
      "Set pipelines[1].lambda.roleName, or shorten pipelines[1].lambda.functionName to at most 59",
    );
    expect(messageAt("pipelines[2].lambda.roleName")).toMatch(
      /Shorten pipelines\[2\]\.lambda\.roleName or pipelines\[2\]\.lambda\.functionName by \d+$/,
    );
    for (const { message } of problems)
      expect(message).not.toMatch(/(?<![\w\].])lambda\.(roleName|functionName)/);
  });

  it("derives function and queue names within Lambda's and SQS's limits for the longest names", () => {
    const config = parseConfig(
      withPipelines((p, file) => {
        file.environment = "e".repeat(20);
        p[0].name = "o".repeat(20);
        // The derived role would make google.subject 149 bytes (refused): a short role keeps it in.
        p[0].lambda = { roleName: "orders-exec" };
        for (const x of p) x.serviceAccountId = `wif-${x.name.slice(0, 8)}-sa`;
      }),
      SOURCE,
    );
    const longest = config.pipelines[0].names;
    expect(longest.functionName).toHaveLength(52);
    expect(`${longest.functionName}-dlq`.length).toBeLessThanOrEqual(80);
  });

  it("refuses a file where no pipeline runs in the environment's own account", () => {
    const problems = problemsOf(
      withPipelines((p) => {
        p[0].aws = { accountId: "444455556666" };
      }),
    );
    expect(problems.map((x) => x.field)).toEqual(["aws.accountId"]);
  });

  it("refuses an archive prefix without an archive, and a malformed prefix", () => {
    expect(
      fields(
        withPipelines((p, file) => {
          delete file.archive;
          p[0].archivePrefix = "orders/";
        }),
      ),
    ).toEqual(["pipelines[0].archivePrefix", "pipelines[1].archivePrefix"]);
    expect(fields(withPipelines((p) => (p[0].archivePrefix = "orders")))).toEqual([
      "pipelines[0].archivePrefix",
    ]);
  });

  it("refuses a provider id that would exceed 32 characters with idSuffix", () => {
    // aws-444455556666 (16) + "-" + 8 = 25: fine; the environment's own id is the long one.
    expect(
      fields(
        merge(raw(), {
          federation: { providerId: "aws-platform-example-provider", idSuffix: "abcdefgh" },
        }),
      ),
    ).toEqual(["federation.providerId"]);
  });
});

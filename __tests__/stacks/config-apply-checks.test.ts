/**
 * What Google or AWS would refuse only at plan or apply is refused when the config loads,
 * naming the field, the bad value and the fix.
 */
import { parseConfig } from "../../stacks/config";
import { MIN_LAMBDA_TIMEOUT_SECONDS } from "../../stacks/aws/lambda-timeout";
import { DEFAULT_RETRY_POLICY, MIN_FIRST_ATTEMPT_MS } from "../../lambda/retry";
import {
  MAX_PARTITION_EXPIRATION_DAYS,
  RESERVED_COLUMN_PREFIXES,
} from "../../stacks/schema/bigquery-limits";
import { configProblems, exampleConfig, merge, readExampleRaw, type Json } from "../helpers/synth";

function expectOneProblem(patch: Json, field: string, message: RegExp, value?: unknown) {
  const problems = configProblems(patch);
  expect(problems.map((p) => p.field)).toEqual([field]);
  expect(problems[0].message).toMatch(message);
  if (value !== undefined) expect(problems[0].value).toEqual(value);
}

/** A RECORD column nesting `depth` RECORDs, innermost holding one STRING. */
function nestedRecord(depth: number): Json {
  let field: Json = { name: "leaf", type: "STRING" };
  for (let level = depth; level >= 1; level--) {
    field = { name: `level${level}`, type: "RECORD", fields: [field] };
  }
  return field;
}

const TIME_COLUMN = { name: "event_time", type: "TIMESTAMP", mode: "REQUIRED" };

describe("config checks Google and AWS would otherwise make at apply", () => {
  describe("service account id (6-30 characters, no trailing hyphen)", () => {
    it('refuses environment "a": its derived id "wif-a" is 5 characters', () => {
      expectOneProblem(
        { environment: "a" },
        "environment",
        /derived service account id "wif-a" \(wif-<environment>\) is 5 characters; Google needs 6-30 .* Set federation\.serviceAccountId \(e\.g\. "wif-bridge-a"\)/,
        "a",
      );
    });

    it("refuses an environment whose derived id would end in a hyphen", () => {
      expectOneProblem({ environment: "dev-" }, "environment", /"wif-dev-"/, "dev-");
    });

    it('accepts environment "a" with an explicit service account id', () => {
      const config = exampleConfig({
        environment: "a",
        federation: { serviceAccountId: "wif-bridge-a" },
      });
      expect(config.names.serviceAccountId).toBe("wif-bridge-a");
    });

    it("does not check a derived id in direct mode, which has no service account", () => {
      expect(
        exampleConfig({ environment: "a", federation: { accessMode: "direct" } }).names
          .serviceAccountId,
      ).toBeUndefined();
    });

    it.each(["wif-bridge-", "wif-b", "a".repeat(31), "9abcdef", "Wif-bridge"])(
      "refuses the explicit id %j",
      (id) => {
        expectOneProblem(
          { federation: { serviceAccountId: id } },
          "federation.serviceAccountId",
          /6-30 characters .* not ending with "-"/,
          id,
        );
      },
    );
  });

  describe("RECORD nesting (BigQuery: at most 15 levels)", () => {
    it("accepts 15 levels", () => {
      expect(() =>
        exampleConfig({ bigquery: { schema: [TIME_COLUMN, nestedRecord(15)] } }),
      ).not.toThrow();
    });

    it("refuses 16 levels, naming the column and the limit", () => {
      expectOneProblem(
        { bigquery: { schema: [TIME_COLUMN, nestedRecord(16)] } },
        "bigquery.schema[1].fields",
        /column "level1" nests RECORDs 16 levels deep; BigQuery allows 15\. Flatten/,
      );
    });
  });

  describe("partition granularity per column type", () => {
    it("refuses HOUR partitioning on a DATE column", () => {
      expectOneProblem(
        {
          bigquery: {
            schema: [{ name: "day", type: "DATE", mode: "REQUIRED" }],
            partitioning: { field: "day", type: "HOUR" },
          },
        },
        "bigquery.partitioning.type",
        /BigQuery partitions a DATE column \("day"\) by DAY, MONTH, YEAR only; use one of those, or a TIMESTAMP\/DATETIME column for HOUR/,
        "HOUR",
      );
    });

    it.each([
      ["DATE", "DAY"],
      ["DATE", "MONTH"],
      ["DATE", "YEAR"],
      ["TIMESTAMP", "HOUR"],
      ["DATETIME", "HOUR"],
      ["DATETIME", "YEAR"],
    ])("accepts a %s column partitioned by %s", (type, granularity) => {
      const config = exampleConfig({
        bigquery: {
          schema: [{ name: "t", type }],
          partitioning: { field: "t", type: granularity, expirationDays: undefined },
        },
      });
      expect(config.bigquery.partitioning?.type).toBe(granularity);
    });
  });

  describe("reserved column names", () => {
    it.each([
      ["_PARTITIONTIME", "the name _PARTITIONTIME"],
      ["_partitiondate", "the name _PARTITIONDATE"],
      ["_TABLE_SUFFIX", "the prefix _TABLE_"],
      ["_FILE_NAME", "the prefix _FILE_"],
      ["_Partition_key", "the prefix _PARTITION"],
      ["_ROW_TIMESTAMP", "the name _ROW_TIMESTAMP"],
      ["__ROOT__x", "the prefix __ROOT__"],
      ["_COLIDENTIFIER1", "the prefix _COLIDENTIFIER"],
      ["_CHANGE_SEQUENCE_NUMBER", "the prefix _CHANGE_SEQUENCE_NUMBER"],
      ["_change_type", "the prefix _CHANGE_TYPE"],
      ["_CHANGE_TIMESTAMP", "the prefix _CHANGE_TIMESTAMP"],
    ])("refuses %s (%s)", (name, rule) => {
      expectOneProblem(
        { bigquery: { schema: [TIME_COLUMN, { name, type: "STRING" }] } },
        "bigquery.schema[1].name",
        new RegExp(`BigQuery reserves ${rule} for its own pseudo-columns; rename the column`),
        name,
      );
    });

    it("covers every documented prefix", () => {
      for (const prefix of RESERVED_COLUMN_PREFIXES) {
        const problems = configProblems({
          bigquery: { schema: [TIME_COLUMN, { name: `${prefix}X`, type: "STRING" }] },
        });
        expect(problems.map((p) => p.field)).toEqual(["bigquery.schema[1].name"]);
      }
    });

    it("refuses a reserved name inside a RECORD too", () => {
      expectOneProblem(
        {
          bigquery: {
            schema: [
              TIME_COLUMN,
              { name: "r", type: "RECORD", fields: [{ name: "_FILE_NAME", type: "STRING" }] },
            ],
          },
        },
        "bigquery.schema[1].fields[0].name",
        /the prefix _FILE_/,
      );
    });

    it("accepts names that only resemble them", () => {
      expect(() =>
        exampleConfig({
          bigquery: {
            schema: [
              TIME_COLUMN,
              { name: "partition_time", type: "STRING" },
              { name: "_table", type: "STRING" },
              { name: "_file", type: "STRING" },
              { name: "_my_change_type", type: "STRING" },
            ],
          },
        }),
      ).not.toThrow();
    });
  });

  describe("partition expiration (BigQuery: int64 milliseconds)", () => {
    it("accepts the largest exact number of days", () => {
      const config = exampleConfig({
        bigquery: { partitioning: { expirationDays: MAX_PARTITION_EXPIRATION_DAYS } },
      });
      expect(Number.isSafeInteger(config.bigquery.partitioning!.expirationDays! * 86_400_000)).toBe(
        true,
      );
    });

    it.each([MAX_PARTITION_EXPIRATION_DAYS + 1, 1e15])("refuses %d days", (days) => {
      expectOneProblem(
        { bigquery: { partitioning: { expirationDays: days } } },
        "bigquery.partitioning.expirationDays",
        /as an int64.*; remove it to keep partitions forever/,
        days,
      );
    });
  });

  describe("BigQuery location", () => {
    it.each(["mars-north1", "europe-west99", "EUROPE", "e"])("refuses %j", (location) => {
      expectOneProblem(
        { bigquery: { location } },
        "bigquery.location",
        /expected a BigQuery location: "US", "EU" or a region .*europe-west1/,
        location,
      );
    });

    it.each(["EU", "US", "eu", "europe-west2", "asia-northeast1", "africa-south1"])(
      "accepts %j",
      (location) => {
        expect(exampleConfig({ bigquery: { location } }).bigquery.location).toBe(location);
      },
    );

    it.each(["somewhere", "FOO", "EUR9", "NAM1", "europe-west99", "EUROPE", "europe-west1-b"])(
      "refuses the archive location %j, which is no Cloud Storage location",
      (location) => {
        expectOneProblem(
          { archive: { location } },
          "archive.location",
          /expected a Cloud Storage location: a multi-region \(ASIA, EU, US\), a dual-region \(ASIA1, EUR4, .*NAM4\) or a region such as "europe-west1"/,
          location,
        );
      },
    );

    it.each(["EU", "ASIA", "US", "EUR4", "NAM4", "ASIA1", "europe-west1", "EUROPE-WEST3", "eu"])(
      "accepts the archive location %j (Google compares them case-insensitively)",
      (location) => {
        expect(exampleConfig({ archive: { location } }).archive?.location).toBe(location);
      },
    );
  });

  describe("Google Cloud region", () => {
    it.each(["foo-bar1", "europe-west99", "EU", "europe-west1-b", "EUROPE-WEST1", "us-gov-west1"])(
      "refuses gcp.region %j",
      (region) => {
        expectOneProblem(
          { gcp: { region } },
          "gcp.region",
          /expected a Google Cloud region such as "europe-west1", in lower case \(Google's regions: .*us-central1/,
          region,
        );
      },
    );

    it.each(["europe-west1", "us-central1", "me-central2", "northamerica-south1"])(
      "accepts gcp.region %j",
      (region) => {
        expect(exampleConfig({ gcp: { region } }).gcp.region).toBe(region);
      },
    );
  });

  describe("minimum Lambda timeout (from the runtime's margins)", () => {
    it("is the runtime's safety margin plus the shortest useful first Google call", () => {
      expect(MIN_LAMBDA_TIMEOUT_SECONDS).toBe(
        Math.ceil((DEFAULT_RETRY_POLICY.safetyMarginMs + MIN_FIRST_ATTEMPT_MS) / 1000),
      );
    });

    it.each([1, 3, MIN_LAMBDA_TIMEOUT_SECONDS - 1])("refuses %d seconds", (seconds) => {
      expectOneProblem(
        { lambda: { timeoutSeconds: seconds } },
        "lambda.timeoutSeconds",
        new RegExp(
          `at least ${MIN_LAMBDA_TIMEOUT_SECONDS} seconds: the runtime keeps .* \\(lambda/retry\\.ts\\); set lambda\\.timeoutSeconds to ${MIN_LAMBDA_TIMEOUT_SECONDS} or more`,
        ),
        seconds,
      );
    });

    it("accepts the minimum", () => {
      expect(
        exampleConfig({ lambda: { timeoutSeconds: MIN_LAMBDA_TIMEOUT_SECONDS } }).lambda
          .timeoutSeconds,
      ).toBe(MIN_LAMBDA_TIMEOUT_SECONDS);
    });
  });

  describe("labels", () => {
    it.each(["app", "environment"])("refuses the reserved label %j", (key) => {
      expectOneProblem(
        { labels: { [key]: "mine" } },
        `labels.${key}`,
        /the stack sets the labels "app" and "environment" itself .* remove it or use another key/,
        key,
      );
    });

    it("refuses more labels than AWS tags allow with the stack's own two", () => {
      const labels = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]));
      expectOneProblem({ labels }, "labels", /at most 48 labels \(AWS allows 50 tags/);
    });
  });

  it("refuses a function name whose derived role name exceeds IAM's 64 characters", () => {
    // Such a name also makes google.subject too long; both are reported.
    const problems = configProblems({ lambda: { functionName: "f".repeat(60) } });
    const roleProblem = problems.find((p) => p.field === "lambda.functionName");
    expect(roleProblem?.message).toMatch(
      /derived IAM role name "f{60}-exec" is 65 characters; IAM allows 64\. Set lambda\.roleName, or shorten lambda\.functionName to at most 59/,
    );
  });

  it("reports a malformed environment name once, not as a missing lambda.functionName", () => {
    const problems = configProblems({ environment: "e".repeat(60) });
    expect(problems.map((p) => p.field)).toEqual(["environment"]);
  });

  it("refuses a schema of more than 10,000 columns", () => {
    const wide = Array.from({ length: 10_000 }, (_, i) => ({ name: `c${i}`, type: "STRING" }));
    expectOneProblem(
      { bigquery: { schema: [TIME_COLUMN, ...wide] } },
      "bigquery.schema",
      /10001 columns .* BigQuery allows 10000/,
    );
  });

  describe("deploy.iamPropagationWaitSeconds", () => {
    it("defaults to 420 seconds", () => {
      expect(exampleConfig().deploy.iamPropagationWaitSeconds).toBe(420);
    });

    it.each([
      [-1, /0 \(no wait\) or more/],
      [3601, /at most 3600 seconds/],
      [1.5, /whole number of seconds/],
    ])("refuses %d", (seconds, message) => {
      expectOneProblem(
        { deploy: { iamPropagationWaitSeconds: seconds } },
        "deploy.iamPropagationWaitSeconds",
        message,
        seconds,
      );
    });
  });

  it("keeps a __proto__ key as data and refuses it as an unknown field", () => {
    const raw = merge(readExampleRaw(), {});
    Object.defineProperty(raw.lambda, "__proto__", {
      value: { timeoutSeconds: 1 },
      enumerable: true,
    });
    expect(() => parseConfig(raw, "config/x.json")).toThrow(/unknown field: remove "__proto__"/);
  });
});

describe("names Cloud Storage and S3 would refuse", () => {
  it.each([
    [{ archive: { bucketName: "192.168.1.10" } }, "archive.bucketName"],
    [{ state: { backend: "gcs", bucket: "10.0.0.1" } }, "state.bucket"],
  ])("refuses a bucket named like an IP address (%j)", (patch, field) => {
    const problems = configProblems(patch);
    expect(problems.map((p) => p.field)).toEqual([field]);
    expect(problems[0].message).toMatch(/IP address/);
  });

  it("refuses a state key whose lock file name would pass 1024 bytes", () => {
    const problems = configProblems({
      state: { backend: "s3", bucket: "acme-state", key: "k".repeat(1020) },
    });
    expect(problems.map((p) => p.field)).toEqual(["state.key"]);
    expect(problems[0].message).toMatch(/at most 1017 bytes/);
  });
});

describe("reporting cross-field problems together with field problems", () => {
  it("reports a reserved label and the derived service account id in one pass", () => {
    const problems = configProblems({ environment: "a", labels: { app: "mine", Bad: "x" } });
    expect(problems.map((p) => p.field).sort()).toEqual([
      "environment",
      "labels.Bad",
      "labels.app",
    ]);
  });
});

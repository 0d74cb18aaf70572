import { all, exampleConfig, only, sharedSynthJson } from "../helpers/synth";

describe("BridgeStack, impersonation mode (example environment)", () => {
  const tf = sharedSynthJson(exampleConfig());

  it("matches the reviewed snapshot", () => {
    expect(tf).toMatchSnapshot();
  });

  it("holds no absolute path and no timestamp", () => {
    const text = JSON.stringify(tf);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  describe("workload identity federation", () => {
    const provider = only(tf, "google_iam_workload_identity_pool_provider");

    it("pins the AWS account on the provider", () => {
      expect(provider.aws).toEqual({ account_id: "111122223333" });
    });

    it("admits exactly the Lambda role's assumed-role ARN, by equality", () => {
      expect(provider.attribute_condition).toBe(
        "attribute.aws_account == '111122223333' && " +
          "attribute.aws_role == 'arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec'",
      );
      expect(provider.attribute_condition).not.toMatch(/startsWith|contains|matches|\*/);
    });

    it("maps Google's default AWS attributes plus the account", () => {
      expect(Object.keys(provider.attribute_mapping).sort()).toEqual([
        "attribute.aws_account",
        "attribute.aws_role",
        "google.subject",
      ]);
      expect(provider.attribute_mapping["google.subject"]).toBe("assertion.arn");
      expect(provider.attribute_mapping["attribute.aws_account"]).toBe("assertion.account");
    });
  });

  describe("who may use the service account", () => {
    it("grants workloadIdentityUser to the role's principalSet only, built from the pool name", () => {
      const binding = only(tf, "google_service_account_iam_member");
      expect(binding.role).toBe("roles/iam.workloadIdentityUser");
      expect(binding.member).toBe(
        "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.federation_pool_2C27AB63.name}" +
          "/attribute.aws_role/arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec",
      );
      expect(binding.member).not.toMatch(/\/\*$/);
    });

    it("creates no service account key", () => {
      expect(tf.resource.google_service_account_key).toBeUndefined();
    });

    it("grants data roles at table and bucket level only, never the dataset, primitive or project-wide", () => {
      for (const type of Object.keys(tf.resource)) {
        expect(type).not.toMatch(/^google_project_iam_/);
      }
      const roles = Object.entries(tf.resource)
        .filter(([type]) => type.endsWith("_iam_member"))
        .flatMap(([, byId]) =>
          Object.values(byId as Record<string, { role: string }>).map((r) => r.role),
        );
      expect(roles.sort()).toEqual([
        "roles/bigquery.dataEditor",
        "roles/iam.workloadIdentityUser",
        "roles/storage.objectCreator",
      ]);
      expect(tf.resource.google_bigquery_dataset_iam_member).toBeUndefined();
      const table = only(tf, "google_bigquery_table_iam_member");
      expect(table.member).toBe(
        "serviceAccount:${google_service_account.identity_service-account_97448892.email}",
      );
      expect(table.table_id).toBe("${google_bigquery_table.bigquery_table_9AE3BB75.table_id}");
    });
  });

  it("enables the APIs it relies on and keeps them on destroy", () => {
    const services = all(tf, "google_project_service");
    expect(services.map((s) => s.service).sort()).toEqual([
      "bigquery.googleapis.com",
      "cloudresourcemanager.googleapis.com",
      "iam.googleapis.com",
      "iamcredentials.googleapis.com",
      "storage.googleapis.com",
      "sts.googleapis.com",
    ]);
    for (const s of services) expect(s.disable_on_destroy).toBe(false);
    const pool = only(tf, "google_iam_workload_identity_pool");
    expect(pool.depends_on).toHaveLength(6);
  });

  describe("BigQuery", () => {
    it("creates the dataset in the configured location and the table with schema and partitioning", () => {
      const dataset = only(tf, "google_bigquery_dataset");
      expect(dataset.location).toBe("EU");
      const table = only(tf, "google_bigquery_table");
      expect(JSON.parse(table.schema)[0]).toEqual({
        name: "event_id",
        type: "STRING",
        mode: "REQUIRED",
        description: "Producer's id of the event",
      });
      expect(table.time_partitioning).toEqual({ field: "event_time", type: "DAY" });
      expect(table.deletion_protection).toBe(false);
    });

    it("protects the table when the config asks", () => {
      const protectedTf = sharedSynthJson(
        exampleConfig({ bigquery: { deletionProtection: true } }),
      );
      expect(only(protectedTf, "google_bigquery_table").deletion_protection).toBe(true);
      expect(only(protectedTf, "google_bigquery_dataset").delete_contents_on_destroy).toBe(false);
    });
  });

  describe("AWS", () => {
    it("lets only the Lambda service of this account assume the role", () => {
      const role = only(tf, "aws_iam_role");
      expect(role.name).toBe("wif-bridge-example-exec");
      expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } },
        },
      ]);
    });

    it("allows writing to its own log group only", () => {
      const policy = JSON.parse(
        all(tf, "aws_iam_role_policy").find((p) => p.name === "write-own-logs").policy,
      );
      expect(policy.Statement).toEqual([
        {
          Sid: "WriteOwnLogGroup",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: ["${aws_cloudwatch_log_group.lambda_logs_E023CC7C.arn}:*"],
        },
      ]);
    });

    it("keeps logs for the configured retention and logs JSON", () => {
      expect(only(tf, "aws_cloudwatch_log_group")).toMatchObject({
        name: "/aws/lambda/wif-bridge-example",
        retention_in_days: 30,
      });
      expect(only(tf, "aws_lambda_function").logging_config.log_format).toBe("JSON");
    });

    it("ships the archive as an asset in a folder named by its SHA-256, whose base64 is the source_code_hash and the lambda_code_sha256 output", () => {
      const fn = only(tf, "aws_lambda_function");
      const sha256Hex = Buffer.from(fn.source_code_hash, "base64").toString("hex");
      expect(sha256Hex).toMatch(/^[0-9a-f]{64}$/);
      expect(fn.filename).toBe(`assets/lambda_code_9003DA22/${sha256Hex}/archive.zip`);
      expect(tf.output.lambda_code_sha256.value).toBe(fn.source_code_hash);
      expect(fn).toMatchObject({
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
      });
    });

    it("gives the Lambda the credential config and the table, but no secret", () => {
      const vars = only(tf, "aws_lambda_function").environment.variables;
      const cred = JSON.parse(vars.GOOGLE_EXTERNAL_ACCOUNT_JSON);
      expect(cred.audience).toBe(
        "//iam.googleapis.com/${google_iam_workload_identity_pool_provider.federation_aws-provider_44ED4DDA.name}",
      );
      expect(cred.service_account_impersonation_url).toBe(
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${google_service_account.identity_service-account_97448892.email}:generateAccessToken",
      );
      expect(vars).toMatchObject({
        GOOGLE_CLOUD_PROJECT: "wif-bridge-example",
        BQ_DATASET_ID: "wif_bridge_example",
        BQ_TABLE_ID: "events",
      });
      expect(JSON.stringify(vars)).not.toMatch(/private_key|secret/i);
    });
  });

  it("outputs what an operator needs", () => {
    expect(Object.keys(tf.output).sort()).toEqual([
      "alarm_topic_arn",
      "archive_bucket",
      "audience",
      "bigquery_dataset_id",
      "bigquery_table_id",
      "credential_config",
      "dlq_arn",
      "dlq_url",
      "lambda_code_sha256",
      "lambda_function_arn",
      "lambda_function_name",
      "lambda_role_arn",
      "queue_arn",
      "queue_url",
      "service_account_email",
      "workload_identity_pool_name",
      "workload_identity_provider_name",
    ]);
  });
});

describe("BridgeStack, direct mode", () => {
  const tf = sharedSynthJson(
    exampleConfig({
      environment: "direct",
      federation: { accessMode: "direct" },
      archive: undefined,
    }),
  );
  const principalSet =
    "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.federation_pool_2C27AB63.name}" +
    "/attribute.aws_role/arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec";

  it("matches the reviewed snapshot", () => {
    expect(tf).toMatchSnapshot();
  });

  it("creates no service account and no impersonation grant", () => {
    expect(tf.resource.google_service_account).toBeUndefined();
    expect(tf.resource.google_service_account_iam_member).toBeUndefined();
    expect(tf.output.service_account_email).toBeUndefined();
  });

  it("grants the table write role to the role's principalSet itself (table IAM takes it as is)", () => {
    const grant = only(tf, "google_bigquery_table_iam_member");
    expect(grant.role).toBe("roles/bigquery.dataEditor");
    expect(grant.member).toBe(principalSet);
  });

  it("gives the Lambda a credential config without impersonation", () => {
    const cred = JSON.parse(
      only(tf, "aws_lambda_function").environment.variables.GOOGLE_EXTERNAL_ACCOUNT_JSON,
    );
    expect(cred.service_account_impersonation_url).toBeUndefined();
    expect(cred.service_account_impersonation).toBeUndefined();
  });

  it("enables no storage API and creates no bucket without an archive", () => {
    expect(all(tf, "google_project_service").map((s) => s.service)).not.toContain(
      "storage.googleapis.com",
    );
    expect(tf.resource.google_storage_bucket).toBeUndefined();
  });

  it("keeps the same pin and condition", () => {
    const provider = only(tf, "google_iam_workload_identity_pool_provider");
    expect(provider.aws.account_id).toBe("111122223333");
    expect(provider.attribute_condition).toContain(
      "attribute.aws_role == 'arn:aws:sts::111122223333:assumed-role/wif-bridge-example-exec'",
    );
  });
});

describe("the archive bucket", () => {
  const tf = sharedSynthJson(exampleConfig());
  it("is private: uniform access and public access prevention enforced", () => {
    expect(only(tf, "google_storage_bucket")).toMatchObject({
      name: "wif-bridge-example-archive",
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
      location: "EU",
    });
  });
  it("lets the identity create objects only", () => {
    expect(only(tf, "google_storage_bucket_iam_member")).toMatchObject({
      role: "roles/storage.objectCreator",
      member: "serviceAccount:${google_service_account.identity_service-account_97448892.email}",
    });
  });
});

/**
 * The emulator's isolation features on a hand-written app of two stacks: a Google stack with
 * one pool, one AWS provider per account, a service account per pipeline, table-level grants
 * (as _iam_member, _iam_binding and _iam_policy), object-prefix IAM conditions on one bucket;
 * and an AWS stack for the second account that reads the Google stack through a cdktf
 * cross-stack reference.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AppliedApp, AppliedStack, type TfValue } from "../../emulator/fake-apply";
import { AwsIdentityTable, type AwsIdentity } from "../../emulator/aws-identities";
import { accessTokenAs } from "../../emulator/federated-token";
import { GoogleEmulator } from "../../emulator/google-emulator";
import { lambdaDeployments, type LambdaDeployment } from "../../emulator/lambda-deployment";

const NUMBER = "123456789012";
const PROJECT = "platform-proj";
const ACCOUNT_1 = "111122223333";
const ACCOUNT_2 = "444455556666";
const POOL = `projects/${NUMBER}/locations/global/workloadIdentityPools/pool`;
const MAPPING = {
  "google.subject": "assertion.arn",
  "attribute.aws_role":
    "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn",
};
const roleArn = (account: string, role: string) => `arn:aws:sts::${account}:assumed-role/${role}`;
const SCHEMA = JSON.stringify([{ name: "id", type: "STRING", mode: "REQUIRED" }]);
const ROW = { id: "r1" };
const poolRef = "${google_iam_workload_identity_pool.pool.name}";

function provider(id: string, account: string, roles: string[]) {
  return {
    workload_identity_pool_id:
      "${google_iam_workload_identity_pool.pool.workload_identity_pool_id}",
    workload_identity_pool_provider_id: id,
    aws: { account_id: account },
    attribute_mapping: MAPPING,
    attribute_condition: `attribute.aws_role in [${roles.map((r) => `'${roleArn(account, r)}'`).join(", ")}]`,
  };
}

const impersonation = (sa: string, account: string, role: string) => ({
  service_account_id: `\${google_service_account.${sa}.name}`,
  role: "roles/iam.workloadIdentityUser",
  member: `principalSet://iam.googleapis.com/${poolRef}/attribute.aws_role/${roleArn(account, role)}`,
});

const prefixCondition = (prefix: string) => ({
  title: `prefix ${prefix}`,
  expression: `resource.name.startsWith('projects/_/buckets/archive/objects/${prefix}')`,
});

function googleStack(): TfValue {
  const table = (id: string) => ({
    dataset_id: "${google_bigquery_dataset.shared.dataset_id}",
    table_id: id,
    schema: SCHEMA,
  });
  return {
    provider: { google: [{ project: PROJECT }] },
    data: {
      google_iam_policy: {
        c: {
          binding: [
            {
              role: "roles/bigquery.dataEditor",
              members: ["serviceAccount:${google_service_account.c.email}"],
            },
          ],
        },
      },
    },
    resource: {
      google_iam_workload_identity_pool: { pool: { workload_identity_pool_id: "pool" } },
      google_iam_workload_identity_pool_provider: {
        account1: provider("account1", ACCOUNT_1, ["role-a", "role-b"]),
        account2: provider("account2", ACCOUNT_2, ["role-c"]),
      },
      google_service_account: {
        a: { account_id: "sa-a" },
        b: { account_id: "sa-b" },
        c: { account_id: "sa-c" },
      },
      google_service_account_iam_member: {
        a: impersonation("a", ACCOUNT_1, "role-a"),
        b: impersonation("b", ACCOUNT_1, "role-b"),
        c: impersonation("c", ACCOUNT_2, "role-c"),
      },
      google_bigquery_dataset: { shared: { dataset_id: "shared" } },
      google_bigquery_table: { a: table("a"), b: table("b"), c: table("c") },
      google_bigquery_table_iam_member: {
        a: {
          dataset_id: "${google_bigquery_table.a.dataset_id}",
          table_id: "${google_bigquery_table.a.table_id}",
          role: "roles/bigquery.dataEditor",
          member: "serviceAccount:${google_service_account.a.email}",
        },
      },
      google_bigquery_table_iam_binding: {
        b: {
          dataset_id: "shared",
          // The provider also takes the table's full path.
          table_id: "${google_bigquery_table.b.id}",
          role: "roles/bigquery.dataEditor",
          members: ["serviceAccount:${google_service_account.b.email}"],
        },
      },
      google_bigquery_table_iam_policy: {
        c: {
          dataset_id: "shared",
          table_id: "c",
          policy_data: "${data.google_iam_policy.c.policy_data}",
        },
      },
      google_storage_bucket: { archive: { name: "archive" } },
      google_storage_bucket_iam_member: {
        "a-create": {
          bucket: "${google_storage_bucket.archive.name}",
          role: "roles/storage.objectCreator",
          member: "serviceAccount:${google_service_account.a.email}",
          condition: prefixCondition("a/"),
        },
        "a-read": {
          bucket: "${google_storage_bucket.archive.name}",
          role: "roles/storage.objectViewer",
          member: "serviceAccount:${google_service_account.a.email}",
          condition: [prefixCondition("a/")],
        },
        "b-create": {
          bucket: "archive",
          role: "roles/storage.objectCreator",
          member: "serviceAccount:${google_service_account.b.email}",
          condition: prefixCondition("b/"),
        },
        "c-read-all": {
          bucket: "archive",
          role: "roles/storage.objectViewer",
          member: "serviceAccount:${google_service_account.c.email}",
        },
      },
    },
    output: { "cross-stack-output-sa-c-email": { value: "${google_service_account.c.email}" } },
  };
}

function credentialConfig(providerId: string, sa: string): string {
  return JSON.stringify({
    type: "external_account",
    audience: `//iam.googleapis.com/${POOL}/providers/${providerId}`,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    token_url: "https://sts.googleapis.com/v1/token",
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${sa}:generateAccessToken`,
    credential_source: { environment_id: "aws1" },
  });
}

function awsStack(): TfValue {
  return {
    provider: { aws: [{ region: "eu-west-1", allowed_account_ids: [ACCOUNT_2] }] },
    data: {
      terraform_remote_state: {
        "cross-stack-reference-input-google": { backend: "local", config: { path: "x" } },
      },
    },
    resource: {
      aws_iam_role: { c: { name: "role-c" } },
      aws_lambda_function: {
        c: {
          function_name: "fn-c",
          role: "${aws_iam_role.c.arn}",
          filename: "asset.zip",
          environment: {
            variables: {
              GOOGLE_EXTERNAL_ACCOUNT_JSON: credentialConfig(
                "account2",
                "${data.terraform_remote_state.cross-stack-reference-input-google.outputs.cross-stack-output-sa-c-email}",
              ),
            },
          },
        },
      },
    },
  };
}

const saEmail = (id: string) => `sa-${id}@${PROJECT}.iam.gserviceaccount.com`;
const TABLES = `/bigquery/v2/projects/${PROJECT}/datasets/shared/tables`;

let app: AppliedApp;
let emulator: GoogleEmulator;
let identities: AwsIdentityTable;
beforeEach(async () => {
  app = new AppliedApp(
    { google: { tf: googleStack(), dir: "/tmp" }, "aws-2": { tf: awsStack(), dir: "/tmp" } },
    { projectNumber: NUMBER },
  );
  identities = new AwsIdentityTable();
  emulator = new GoogleEmulator({ stack: app, identities });
  await emulator.start();
});
afterEach(() => emulator.stop());

const session = (account: string, role: string) =>
  identities.addAssumedRole({ account, roleName: role, sessionName: `fn-${role}` });

/** A deployment whose only setting that matters is its credential config. */
function asDeployment(providerId: string, sa: string, on: GoogleEmulator): LambdaDeployment {
  const config = JSON.parse(credentialConfig(providerId, sa));
  config.token_url = `${on.url}/v1/token`;
  config.service_account_impersonation_url = `${on.url}/v1/projects/-/serviceAccounts/${sa}:generateAccessToken`;
  return {
    environment: { GOOGLE_EXTERNAL_ACCOUNT_JSON: JSON.stringify(config) },
    awsRegion: "eu-west-1",
    functionName: "fn",
  } as unknown as LambdaDeployment;
}

async function tokenFor(
  identity: AwsIdentity,
  providerId: string,
  sa: string,
  on: GoogleEmulator = emulator,
): Promise<string> {
  return accessTokenAs(asDeployment(providerId, sa, on), identity);
}

/** A second emulator enforcing a changed Google stack (stopped by the caller). */
async function emulatorOf(tf: TfValue): Promise<GoogleEmulator> {
  const other = new GoogleEmulator({
    stack: new AppliedStack(tf, "/tmp", { projectNumber: NUMBER }),
    identities,
  });
  await other.start();
  return other;
}

async function call(url: string, token: string, body?: unknown, method = "POST") {
  const res = await fetch(`${emulator.url}${url}`, {
    method: body === undefined ? "GET" : method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as TfValue };
}

const insert = (token: string, table: string) =>
  call(`${TABLES}/${table}/insertAll`, token, { rows: [{ insertId: "i1", json: ROW }] });
const upload = (token: string, name: string) =>
  call(
    `/upload/storage/v1/b/archive/o?uploadType=media&name=${encodeURIComponent(name)}`,
    token,
    "line\n",
  );
const lastDecision = () => emulator.decisions[emulator.decisions.length - 1];

describe("several AWS providers in one pool: the audience chooses the provider", () => {
  it("admits each account's pipeline roles at that account's provider", async () => {
    await expect(
      tokenFor(session(ACCOUNT_1, "role-a"), "account1", saEmail("a")),
    ).resolves.toBeTruthy();
    await expect(
      tokenFor(session(ACCOUNT_2, "role-c"), "account2", saEmail("c")),
    ).resolves.toBeTruthy();
  });

  it("denies account 2's role at account 1's provider by the account pin (STS)", async () => {
    await expect(
      tokenFor(session(ACCOUNT_2, "role-c"), "account1", saEmail("a")),
    ).rejects.toThrow();
    expect(lastDecision()).toMatchObject({ layer: "STS", check: "account pin", allowed: false });
  });

  it("denies account 1's role at account 2's provider by the account pin, even with a role name the condition lists (STS)", async () => {
    await expect(
      tokenFor(session(ACCOUNT_1, "role-c"), "account2", saEmail("c")),
    ).rejects.toThrow();
    expect(lastDecision()).toMatchObject({ layer: "STS", check: "account pin" });
  });

  it("denies a role of the right account that the condition does not list (STS)", async () => {
    await expect(
      tokenFor(session(ACCOUNT_1, "role-z"), "account1", saEmail("a")),
    ).rejects.toThrow();
    expect(lastDecision()).toMatchObject({ layer: "STS", check: "attribute condition" });
  });
});

describe("per-pipeline service accounts", () => {
  it("denies a pipeline role impersonating another pipeline's service account (IAM)", async () => {
    await expect(
      tokenFor(session(ACCOUNT_1, "role-b"), "account1", saEmail("a")),
    ).rejects.toThrow();
    const sts = emulator.decisions.find((d) => d.endpoint === "sts.token");
    expect(sts).toMatchObject({ allowed: true, layer: "STS" });
    expect(lastDecision()).toMatchObject({
      endpoint: "iam.generateAccessToken",
      layer: "IAM",
      check: "no impersonation grant",
      status: 403,
    });
  });
});

describe("table-level BigQuery grants", () => {
  let tokenA: string;
  beforeEach(async () => {
    tokenA = await tokenFor(session(ACCOUNT_1, "role-a"), "account1", saEmail("a"));
  });

  it("lets a service account write and read its own table (google_bigquery_table_iam_member)", async () => {
    expect((await insert(tokenA, "a")).status).toBe(200);
    expect(emulator.rows(PROJECT, "shared", "a")).toHaveLength(1);
    const read = await call(`${TABLES}/a/data`, tokenA);
    expect(read).toMatchObject({ status: 200, body: { totalRows: "1", rows: [ROW] } });
    expect((await call(`${TABLES}/a`, tokenA)).status).toBe(200);
    expect(lastDecision().reason).toContain("on table shared.a");
  });

  it("denies writing, reading and getting another table of the same dataset (BigQuery, no table grant)", async () => {
    for (const attempt of [
      () => insert(tokenA, "b"),
      () => call(`${TABLES}/b/data`, tokenA),
      () => call(`${TABLES}/b`, tokenA),
    ]) {
      expect((await attempt()).status).toBe(403);
      expect(lastDecision()).toMatchObject({ layer: "BigQuery", check: "no table grant" });
    }
    expect(emulator.rows(PROJECT, "shared", "b")).toHaveLength(0);
  });

  it("denies listing the dataset's tables: a table-level grant gives no bigquery.tables.list", async () => {
    const res = await call(TABLES, tokenA);
    expect(res.status).toBe(403);
    expect(lastDecision()).toMatchObject({ layer: "BigQuery", check: "no dataset grant" });
  });

  it("reads grants written as google_bigquery_table_iam_binding (table_id as a full path)", async () => {
    const tokenB = await tokenFor(session(ACCOUNT_1, "role-b"), "account1", saEmail("b"));
    expect((await insert(tokenB, "b")).status).toBe(200);
    expect((await insert(tokenB, "a")).status).toBe(403);
  });

  it("reads grants written as google_bigquery_table_iam_policy from data.google_iam_policy", async () => {
    const tokenC = await tokenFor(session(ACCOUNT_2, "role-c"), "account2", saEmail("c"));
    expect((await insert(tokenC, "c")).status).toBe(200);
    expect((await insert(tokenC, "a")).status).toBe(403);
  });

  it("counts a dataset-level grant for every table of the dataset (what widening a grant does)", async () => {
    const tf = googleStack();
    tf.resource.google_bigquery_dataset_iam_member = {
      wide: {
        dataset_id: "shared",
        role: "roles/bigquery.dataEditor",
        member: "serviceAccount:${google_service_account.a.email}",
      },
    };
    const widened = await emulatorOf(tf);
    try {
      const token = await tokenFor(session(ACCOUNT_1, "role-a"), "account1", saEmail("a"), widened);
      const res = await fetch(`${widened.url}${TABLES}/b/insertAll`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ rows: [{ json: ROW }] }),
      });
      expect(res.status).toBe(200);
      expect(widened.decisions[widened.decisions.length - 1].reason).toContain("on dataset shared");
    } finally {
      await widened.stop();
    }
  });
});

describe("IAM conditions on Cloud Storage grants (object prefixes)", () => {
  let tokenA: string;
  beforeEach(async () => {
    tokenA = await tokenFor(session(ACCOUNT_1, "role-a"), "account1", saEmail("a"));
  });

  it("lets a service account create and read objects under its prefix", async () => {
    expect((await upload(tokenA, "a/raw/1.ndjson")).status).toBe(200);
    const read = await call(
      `/storage/v1/b/archive/o/${encodeURIComponent("a/raw/1.ndjson")}?alt=media`,
      tokenA,
    );
    expect(read).toEqual({ status: 200, body: "line\n" });
    expect(lastDecision().reason).toContain("if resource.name.startsWith");
  });

  it("denies creating or reading an object under another prefix (Storage, condition false)", async () => {
    const tokenB = await tokenFor(session(ACCOUNT_1, "role-b"), "account1", saEmail("b"));
    expect((await upload(tokenB, "b/raw/1.ndjson")).status).toBe(200);
    expect((await upload(tokenA, "b/raw/2.ndjson")).status).toBe(403);
    expect(lastDecision()).toMatchObject({ layer: "Storage", check: "IAM condition false" });
    expect(lastDecision().reason).toContain("projects/_/buckets/archive/objects/b/raw/2.ndjson");
    const read = await call(
      `/storage/v1/b/archive/o/${encodeURIComponent("b/raw/1.ndjson")}`,
      tokenA,
    );
    expect(read.status).toBe(403);
    expect(lastDecision()).toMatchObject({ layer: "Storage", check: "IAM condition false" });
  });

  it("denies a name that only starts like the prefix (a-evil/ is not under a/)", async () => {
    expect((await upload(tokenA, "a-evil/1.ndjson")).status).toBe(403);
  });

  it("denies listing: objects.list is checked on the bucket, where an object-prefix condition is false", async () => {
    const res = await call(`/storage/v1/b/archive/o?prefix=a/`, tokenA);
    expect(res.status).toBe(403);
    expect(lastDecision()).toMatchObject({ layer: "Storage", check: "IAM condition false" });
  });

  it("lists and reads with an unconditional objectViewer grant", async () => {
    await upload(tokenA, "a/raw/1.ndjson");
    const tokenC = await tokenFor(session(ACCOUNT_2, "role-c"), "account2", saEmail("c"));
    const list = await call(`/storage/v1/b/archive/o?prefix=a/`, tokenC);
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: { name: string }) => o.name)).toEqual(["a/raw/1.ndjson"]);
  });

  it("denies a grant whose condition errs (never reads an error as true)", async () => {
    const tf = googleStack();
    tf.resource.google_storage_bucket_iam_member["a-create"].condition = {
      title: "broken",
      expression: "resource.name.startsWith(1)",
    };
    const broken = await emulatorOf(tf);
    try {
      const token = await tokenFor(session(ACCOUNT_1, "role-a"), "account1", saEmail("a"), broken);
      const res = await fetch(
        `${broken.url}/upload/storage/v1/b/archive/o?uploadType=media&name=a/x`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
          body: "x",
        },
      );
      expect(res.status).toBe(403);
      const decision = broken.decisions[broken.decisions.length - 1];
      expect(decision).toMatchObject({ layer: "Storage", check: "IAM condition false" });
      expect(decision.reason).toContain("errs");
    } finally {
      await broken.stop();
    }
  });
});

describe("several stacks and several AWS accounts", () => {
  it("resolves a cdktf cross-stack reference from the producing stack's outputs", () => {
    const [fn] = lambdaDeployments(app, { googleEndpoint: "http://127.0.0.1:1" });
    const config = JSON.parse(fn.environment.GOOGLE_EXTERNAL_ACCOUNT_JSON);
    expect(config.service_account_impersonation_url).toBe(
      `http://127.0.0.1:1/v1/projects/-/serviceAccounts/${saEmail("c")}:generateAccessToken`,
    );
  });

  it("deploys each function in the account of its own stack, with its own role", () => {
    expect(lambdaDeployments(app, { googleEndpoint: "http://127.0.0.1:1" })).toEqual([
      expect.objectContaining({
        functionName: "fn-c",
        awsAccountId: ACCOUNT_2,
        roleName: "role-c",
        assetZip: path.resolve("/tmp", "asset.zip"),
      }),
    ]);
  });

  it("deploys a resource of an aliased aws provider in that provider's account (allowed_account_ids, else assume_role)", () => {
    const tf = {
      provider: {
        aws: [
          { region: "eu-west-1", allowed_account_ids: [ACCOUNT_1] },
          {
            alias: "account2",
            region: "eu-central-1",
            assume_role: [{ role_arn: `arn:aws:iam::${ACCOUNT_2}:role/deployer` }],
          },
        ],
      },
      resource: {
        aws_iam_role: { a: { name: "role-a" }, c: { name: "role-c", provider: "aws.account2" } },
      },
    };
    const stack = new AppliedStack(tf, "/tmp");
    const byName = Object.fromEntries(stack.resourcesOf("aws_iam_role").map((r) => [r.name, r]));
    expect(byName.a.values.arn).toBe(`arn:aws:iam::${ACCOUNT_1}:role/role-a`);
    expect(byName.c.values.arn).toBe(`arn:aws:iam::${ACCOUNT_2}:role/role-c`);
    expect(byName.c.awsRegion).toBe("eu-central-1");
  });

  it("refuses a cross-stack reference to a stack that is not applied with it", () => {
    expect(() => new AppliedApp({ "aws-2": { tf: awsStack(), dir: "/tmp" } })).toThrow(
      /reads stack google, which is not among aws-2/,
    );
  });

  it("applies stacks from their files (AppliedApp.fromFiles)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-bridge-app-"));
    fs.writeFileSync(path.join(dir, "google.json"), JSON.stringify(googleStack()));
    fs.writeFileSync(path.join(dir, "aws.json"), JSON.stringify(awsStack()));
    const fromFiles = AppliedApp.fromFiles({
      google: path.join(dir, "google.json"),
      "aws-2": path.join(dir, "aws.json"),
    });
    expect(fromFiles.resourcesOf("aws_lambda_function")).toHaveLength(1);
    expect(fromFiles.googleProject).toBe(PROJECT);
  });
});

describe("the decision log names the layer", () => {
  it("derives the layer from the endpoint, for injected faults too", async () => {
    emulator.inject("bigquery.insertAll", { status: 503 });
    const token = await tokenFor(session(ACCOUNT_1, "role-a"), "account1", saEmail("a"));
    expect((await insert(token, "a")).status).toBe(503);
    expect(emulator.decisions.map((d) => [d.endpoint, d.layer, d.allowed])).toEqual([
      ["sts.token", "STS", true],
      ["iam.generateAccessToken", "IAM", true],
      ["bigquery.insertAll", "BigQuery", false],
    ]);
    expect(lastDecision().check).toBeUndefined();
  });
});

describe("a deployment with settings replaced", () => {
  it("keeps the deployed environment and applies the overrides last", () => {
    const [fn] = lambdaDeployments(app, { googleEndpoint: "http://127.0.0.1:1" });
    const [changed] = lambdaDeployments(app, {
      googleEndpoint: "http://127.0.0.1:1",
      environmentOverrides: { BQ_TABLE_ID: "b", BIGQUERY_ENDPOINT: "http://elsewhere" },
    });
    expect(changed.environment).toEqual({
      ...fn.environment,
      BQ_TABLE_ID: "b",
      BIGQUERY_ENDPOINT: "http://elsewhere",
    });
  });
});

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  deployerPermissions,
  UnknownResourceTypeError,
  type AwsStatement,
  type DeployerPermissions,
} from "../../tools/deployer-permissions";
import { PERMISSION_CATALOG } from "../../tools/deployer/permission-catalog";
import { exampleConfig, sharedSynthJson, PROJECT_ROOT, type Json } from "../helpers/synth";

function permissionsFor(patch: Json = {}, name = "example"): DeployerPermissions {
  return deployerPermissions([{ name, json: sharedSynthJson(exampleConfig(patch)) }]);
}

/** The statements of the only AWS account that allow `action`. */
function statementsAllowing(p: DeployerPermissions, action: string): AwsStatement[] {
  expect(p.aws).toHaveLength(1);
  return p.aws[0].policy.Statement.filter((s) => s.Action.includes(action));
}

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:wif-bridge-example`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/wif-bridge-example-exec`;

describe("deployer permissions, computed from the synthesized stack", () => {
  const p = permissionsFor();

  it("knows every resource type the stack synthesizes (closed world)", () => {
    const tf = sharedSynthJson(exampleConfig({ federation: { idSuffix: "random" } }));
    for (const type of Object.keys(tf.resource)) expect(PERMISSION_CATALOG[type]).toBeDefined();
  });

  it("lets the deployer read the function's tags (lambda:ListTags), on the function only", () => {
    const [statement] = statementsAllowing(p, "lambda:ListTags").filter((s) =>
      s.Resource.includes(FUNCTION_ARN),
    );
    expect(statement.Resource).toEqual([FUNCTION_ARN]);
    expect(statement.Action).toEqual(
      expect.arrayContaining([
        "lambda:CreateFunction",
        "lambda:UpdateFunctionCode",
        "lambda:DeleteFunction",
      ]),
    );
  });

  it("scopes the event source mapping calls to mapping ARNs of this function", () => {
    const [statement] = statementsAllowing(p, "lambda:CreateEventSourceMapping");
    expect(statement.Resource).toEqual([
      `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:*`,
    ]);
    expect(statement.Condition).toEqual({ ArnLike: { "lambda:FunctionArn": FUNCTION_ARN } });
    expect(statement.Action).toEqual(
      expect.arrayContaining([
        "lambda:GetEventSourceMapping",
        "lambda:UpdateEventSourceMapping",
        "lambda:DeleteEventSourceMapping",
      ]),
    );
    const tagging = statementsAllowing(p, "lambda:ListTags").find((s) =>
      s.Resource.every((r) => r.includes(":event-source-mapping:")),
    );
    expect(tagging?.Action).toEqual(
      expect.arrayContaining(["lambda:TagResource", "lambda:ListTags"]),
    );
  });

  it("passes only the execution role, only to Lambda", () => {
    expect(statementsAllowing(p, "iam:PassRole")).toEqual([
      expect.objectContaining({
        Resource: [ROLE_ARN],
        Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
      }),
    ]);
  });

  it("names the role, both queues and the log group by their ARNs", () => {
    expect(statementsAllowing(p, "iam:CreateRole")[0].Resource).toEqual([ROLE_ARN]);
    expect(statementsAllowing(p, "iam:PutRolePolicy")[0].Resource).toEqual([ROLE_ARN]);
    expect(statementsAllowing(p, "sqs:CreateQueue")[0].Resource.sort()).toEqual([
      `arn:aws:sqs:${REGION}:${ACCOUNT}:wif-bridge-example`,
      `arn:aws:sqs:${REGION}:${ACCOUNT}:wif-bridge-example-dlq`,
    ]);
    expect(statementsAllowing(p, "logs:CreateLogGroup")[0].Resource).toEqual([
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/wif-bridge-example`,
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/wif-bridge-example:*`,
    ]);
    expect(statementsAllowing(p, "sts:GetCallerIdentity")[0].Resource).toEqual(["*"]);
  });

  it("gives every statement a distinct Sid and no wildcard action", () => {
    const statements = p.aws[0].policy.Statement;
    expect(new Set(statements.map((s) => s.Sid)).size).toBe(statements.length);
    for (const s of statements) for (const a of s.Action) expect(a).not.toMatch(/\*/);
  });

  it("lists the Google roles per project, with their permissions and what needs them", () => {
    expect(p.google).toHaveLength(1);
    expect(p.google[0].projectId).toBe("wif-bridge-example");
    const roles = Object.fromEntries(p.google[0].roles.map((r) => [r.role, r]));
    expect(Object.keys(roles).sort()).toEqual([
      "roles/bigquery.dataOwner",
      "roles/iam.serviceAccountAdmin",
      "roles/iam.workloadIdentityPoolAdmin",
      "roles/serviceusage.serviceUsageAdmin",
      "roles/storage.admin",
    ]);
    expect(roles["roles/iam.serviceAccountAdmin"].permissions).toContain(
      "iam.serviceAccounts.setIamPolicy",
    );
    expect(roles["roles/storage.admin"].neededBy).toEqual([
      "google_storage_bucket",
      "google_storage_bucket_iam_member",
    ]);
  });

  it("needs no service account or storage role when there is none", () => {
    const direct = permissionsFor({
      federation: { accessMode: "direct" },
      archive: undefined,
    });
    expect(direct.google[0].roles.map((r) => r.role).sort()).toEqual([
      "roles/bigquery.dataOwner",
      "roles/iam.workloadIdentityPoolAdmin",
      "roles/serviceusage.serviceUsageAdmin",
    ]);
  });

  it("adds the S3 state object and its lock file", () => {
    const s3 = permissionsFor({ state: { backend: "s3", bucket: "acme-state" } });
    const lock = statementsAllowing(s3, "s3:DeleteObject");
    expect(lock[0].Resource).toEqual(["arn:aws:s3:::acme-state/wif-bridge/example.tfstate.tflock"]);
    expect(statementsAllowing(s3, "s3:ListBucket")[0].Resource).toEqual([
      "arn:aws:s3:::acme-state",
    ]);
  });

  it("adds object access on the GCS state bucket", () => {
    const gcs = permissionsFor({ state: { backend: "gcs", bucket: "acme-state" } });
    expect(gcs.google[0].roles).toContainEqual(
      expect.objectContaining({
        role: "roles/storage.objectAdmin",
        scope: "bucket gs://acme-state (prefix wif-bridge/example)",
      }),
    );
  });

  it("spells ARNs in the region's partition", () => {
    // Config refuses partitions Google does not document (docs/aws-partitions.md); the tool
    // still reads the partition from the stack's AWS provider, so move the provider there.
    const tf = sharedSynthJson(exampleConfig());
    tf.provider.aws[0].region = "us-gov-west-1";
    const gov = deployerPermissions([{ name: "example", json: tf }]);
    expect(statementsAllowing(gov, "iam:CreateRole")[0].Resource).toEqual([
      `arn:aws-us-gov:iam::${ACCOUNT}:role/wif-bridge-example-exec`,
    ]);
  });

  it("marks random_id and time_sleep as needing no cloud permission", () => {
    const random = permissionsFor({ federation: { idSuffix: "random" } });
    expect(Object.keys(random.stateOnly).sort()).toEqual(["random_id", "time_sleep"]);
  });

  it("groups two environments by AWS account and Google project", () => {
    const both = deployerPermissions([
      { name: "example", json: sharedSynthJson(exampleConfig()) },
      {
        name: "other",
        json: sharedSynthJson(
          exampleConfig({
            environment: "other",
            aws: { accountId: "999988887777" },
            gcp: { projectId: "wif-bridge-other" },
          }),
        ),
      },
    ]);
    expect(both.aws.map((a) => [a.accountId, a.stacks])).toEqual([
      [ACCOUNT, ["example"]],
      ["999988887777", ["other"]],
    ]);
    expect(both.google.map((g) => g.projectId)).toEqual(["wif-bridge-example", "wif-bridge-other"]);
  });

  it("refuses a resource type it has no entry for, naming it", () => {
    const tf = sharedSynthJson(exampleConfig());
    tf.resource.aws_secretsmanager_secret = { leak: { name: "x" } };
    tf.data = { aws_caller_identity: { me: {} } };
    expect(() => deployerPermissions([{ name: "example", json: tf }])).toThrow(
      new UnknownResourceTypeError([
        { type: "aws_secretsmanager_secret", stack: "example" },
        { type: "data.aws_caller_identity", stack: "example" },
      ]),
    );
  });

  it("runs as npm run deployer-permissions on the synthesized output", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-deployer-"));
    fs.mkdirSync(path.join(outdir, "stacks", "example"), { recursive: true });
    fs.writeFileSync(
      path.join(outdir, "stacks", "example", "cdk.tf.json"),
      JSON.stringify(sharedSynthJson(exampleConfig())),
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
    expect(pkg.scripts["deployer-permissions"]).toMatch(/tools\/deployer-permissions\.ts$/);
    const run = (args: string[]) =>
      spawnSync(
        process.execPath,
        [
          "--require",
          path.join(PROJECT_ROOT, "tools/register-ts.cjs"),
          path.join(PROJECT_ROOT, "tools/deployer-permissions.ts"),
          ...args,
        ],
        { cwd: PROJECT_ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" },
      );
    const text = run(["example"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`AWS account ${ACCOUNT} (example): attach this IAM policy`);
    expect(text.stdout).toContain('"lambda:ListTags"');
    expect(text.stdout).toContain(
      "gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com",
    );
    const json = run(["--json"]);
    expect(JSON.parse(json.stdout).stacks).toEqual(["example"]);
    const missing = run(["prod"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no synthesized stack prod .*\(there: example\)/);
  });
});

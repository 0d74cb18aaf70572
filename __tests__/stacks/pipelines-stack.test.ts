/**
 * The stack of several pipelines in several AWS accounts (config/platform-example.json): one
 * pool, one provider per account, and per pipeline its own identity, table grant and archive
 * prefix; AWS resources of a further account deployed by that account's aliased provider.
 */
import fc from "fast-check";
import { parseConfig } from "../../stacks/config";
import { StackJson } from "../../stacks/policies/terraform-json";
import { trustEvaluationOf } from "../../stacks/policies/trust-model/trust-evaluation";
import { objectPrefixOf } from "../../stacks/policies/trust-model/object-prefix-condition";
import { platformConfig, sharedSynthJsonWithIntent, type Json } from "../helpers/synth";

const config = platformConfig();
const tf = sharedSynthJsonWithIntent(config);
const all = (type: string): [string, Json][] => Object.entries(tf.resource[type] ?? {});
const byPipeline = (type: string, name: string): Json =>
  all(type).find(([address]) => address.startsWith(`pipeline-${name}_`))![1];
const PIPELINES = ["orders", "payments", "audit"];
const ARN = (account: string, name: string) =>
  `arn:aws:sts::${account}:assumed-role/wif-bridge-platform-example-${name}-exec`;

describe("a stack of three pipelines in two AWS accounts", () => {
  it("has one pool and one provider per account, each pinned, admitting exactly that account's roles", () => {
    expect(all("google_iam_workload_identity_pool")).toHaveLength(1);
    const providers = all("google_iam_workload_identity_pool_provider").map(([, p]) => [
      p.workload_identity_pool_provider_id,
      p.aws.account_id,
      p.attribute_condition,
    ]);
    expect(providers.sort()).toEqual([
      [
        "aws-444455556666",
        "444455556666",
        `attribute.aws_account == '444455556666' && attribute.aws_role in ['${ARN("444455556666", "payments")}', '${ARN("444455556666", "audit")}']`,
      ],
      [
        "aws-platform",
        "111122223333",
        `attribute.aws_account == '111122223333' && attribute.aws_role == '${ARN("111122223333", "orders")}'`,
      ],
    ]);
  });

  it("grants each pipeline's service account its own table, and no dataset at all", () => {
    expect(tf.resource.google_bigquery_dataset_iam_member).toBeUndefined();
    for (const name of PIPELINES) {
      const grant = byPipeline("google_bigquery_table_iam_member", name);
      expect(grant).toMatchObject({
        role: "roles/bigquery.dataEditor",
        member: expect.stringMatching(
          new RegExp(`^serviceAccount:\\$\\{google_service_account\\.pipeline-${name}_`),
        ),
        table_id: expect.stringMatching(
          new RegExp(
            `^\\$\\{google_bigquery_table\\.pipeline-${name}_bigquery_table_\\w+\\.table_id\\}$`,
          ),
        ),
      });
    }
  });

  it("lets only each pipeline's role impersonate its service account", () => {
    for (const [i, name] of PIPELINES.entries()) {
      const grant = byPipeline("google_service_account_iam_member", name);
      expect(grant.role).toBe("roles/iam.workloadIdentityUser");
      expect(grant.member).toMatch(
        new RegExp(`/attribute\\.aws_role/${ARN(config.pipelines[i].accountId, name)}$`),
      );
    }
  });

  it("grants object creation in the archive under each pipeline's prefix only, as an IAM condition", () => {
    const grants = all("google_storage_bucket_iam_member").map(([, g]) => g);
    expect(grants).toHaveLength(3);
    const prefixes = grants.map((g) =>
      objectPrefixOf(g.condition.expression, "wif-bridge-platform-archive"),
    );
    expect(prefixes.sort()).toEqual(["audit/", "orders/", "payments/raw-batches/"]);
    for (const g of grants) expect(g.role).toBe("roles/storage.objectCreator");
  });

  it("deploys the further account's resources with its aliased provider, pinned and assuming its role", () => {
    const aliased = tf.provider.aws.find((p: Json) => p.alias === "account_444455556666");
    expect(aliased).toMatchObject({
      allowed_account_ids: ["444455556666"],
      assume_role: [{ role_arn: "arn:aws:iam::444455556666:role/wif-bridge-deployer" }],
    });
    for (const [type, resources] of Object.entries(tf.resource as Record<string, Json>)) {
      if (!type.startsWith("aws_")) continue;
      for (const [address, r] of Object.entries(resources as Record<string, Json>)) {
        const further = /^pipeline-(payments|audit)_/.test(address);
        expect([address, r.provider]).toEqual([
          address,
          further ? "aws.account_444455556666" : undefined,
        ]);
      }
    }
  });

  it("tells each Lambda its table, its archive prefix and its own provider's audience", () => {
    for (const [i, name] of PIPELINES.entries()) {
      const env = byPipeline("aws_lambda_function", name).environment.variables;
      expect(env.BQ_TABLE_ID).toBe(config.pipelines[i].bigquery.tableId);
      expect(env.ARCHIVE_PREFIX).toBe(config.pipelines[i].archivePrefix);
      const provider =
        config.pipelines[i].accountId === "111122223333"
          ? "federation_aws-provider_44ED4DDA"
          : "federation_aws-provider-444455556666_01D3E2FE";
      expect(JSON.parse(env.GOOGLE_EXTERNAL_ACCOUNT_JSON).audience).toContain(provider);
    }
  });

  it("outputs each pipeline's queue and role under its name", () => {
    for (const name of PIPELINES) {
      expect(tf.output[`${name}_queue_url`]).toBeDefined();
      expect(tf.output[`${name}_lambda_role_arn`]).toBeDefined();
    }
    expect(tf.output.workload_identity_pool_name).toBeDefined();
  });

  it("synthesizes with no finding, and an empty cross-pipeline matrix", () => {
    const evaluation = trustEvaluationOf(new StackJson(tf));
    expect(evaluation.findings).toEqual([]);
    expect(evaluation.matrix).toHaveLength(6);
    expect(evaluation.matrix.every((c) => c.reaches.length === 0)).toBe(true);
  });
});

describe("for any pipelines spread over AWS accounts", () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
  const accounts = ["111122223333", "444455556666", "777788889999"];
  const layout = fc
    .uniqueArray(fc.record({ name, account: fc.nat({ max: 2 }), own: fc.boolean() }), {
      minLength: 2,
      maxLength: 4,
      selector: (p) => p.name,
    })
    .map((ps) => [{ ...ps[0], account: 0 }, ...ps.slice(1)]);

  it("each pipeline's identity reaches only its own table and its own archive prefix", () => {
    fc.assert(
      fc.property(layout, (ps) => {
        const raw = JSON.parse(JSON.stringify(platformRaw()));
        raw.aws.deployRoleArns = Object.fromEntries(
          accounts
            .slice(1)
            .filter((_, i) => ps.some((p) => p.account === i + 1))
            .map((a) => [a, `arn:aws:iam::${a}:role/deployer`]),
        );
        raw.pipelines = ps.map((p) => ({
          name: p.name,
          aws: { accountId: accounts[p.account] },
          serviceAccountId: `wif-pl-${p.name}`,
          bigquery: {
            ...(p.own ? { datasetId: `own_${p.name}` } : {}),
            tableId: `t_${p.name}`,
            schema: [{ name: "id", type: "STRING" }],
          },
        }));
        const c = parseConfig(raw, "generated.json");
        const evaluation = trustEvaluationOf(new StackJson(sharedSynthJsonWithIntent(c)));
        expect(evaluation.findings).toEqual([]);
        for (const p of evaluation.pipelines) {
          const data = p.lambda.reaches.filter((r) => r.grant.scope !== "service account");
          expect(data.map((r) => r.grant.target).sort()).toEqual(
            [p.pipeline.table, evaluation.model.bucket].sort(),
          );
          const bucketGrant = data.find((r) => r.grant.scope === "bucket")!.grant;
          expect(objectPrefixOf(bucketGrant.condition, "wif-bridge-platform-archive")).toBe(
            `${p.pipeline.intent.name}/`,
          );
        }
        expect(evaluation.matrix.every((cell) => cell.reaches.length === 0)).toBe(true);
      }),
      { numRuns: 6 },
    );
  });
});

function platformRaw(): Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../../config/platform-example.json");
}

describe("variants of a pipelines stack", () => {
  const variant = (edit: (raw: Json) => void) => {
    const raw = JSON.parse(JSON.stringify(platformRaw()));
    edit(raw);
    const c = parseConfig(raw, "config/platform-example.json");
    const json = sharedSynthJsonWithIntent(c);
    return { json, evaluation: trustEvaluationOf(new StackJson(json)) };
  };

  it("in direct mode grants each role's principalSet its own table and prefix, and finds nothing", () => {
    const { json, evaluation } = variant((raw) => (raw.federation.accessMode = "direct"));
    expect(json.resource.google_service_account).toBeUndefined();
    const members = Object.values(json.resource.google_bigquery_table_iam_member).map(
      (g) => (g as Json).member as string,
    );
    expect(members.map((m) => m.replace(/^.*\/attribute\.aws_role\//, "")).sort()).toEqual([
      ARN("111122223333", "orders"),
      ARN("444455556666", "audit"),
      ARN("444455556666", "payments"),
    ]);
    expect(evaluation.findings).toEqual([]);
    expect(evaluation.matrix.every((c) => c.reaches.length === 0)).toBe(true);
  });

  it("with a random id suffix gives every account's provider the same suffix, and finds nothing", () => {
    const { json, evaluation } = variant((raw) => (raw.federation.idSuffix = "random"));
    const ids = Object.values(json.resource.google_iam_workload_identity_pool_provider).map(
      (p) => (p as Json).workload_identity_pool_provider_id as string,
    );
    expect(ids.sort()).toEqual([
      expect.stringMatching(
        /^aws-444455556666-\$\{random_id\.federation-ids_random-suffix_\w+\.hex\}$/,
      ),
      expect.stringMatching(
        /^aws-platform-\$\{random_id\.federation-ids_random-suffix_\w+\.hex\}$/,
      ),
    ]);
    expect(evaluation.findings).toEqual([]);
  });

  it("without an archive grants no bucket and gives no Lambda a prefix", () => {
    const { json, evaluation } = variant((raw) => {
      delete raw.archive;
      delete raw.pipelines[1].archivePrefix;
    });
    expect(json.resource.google_storage_bucket_iam_member).toBeUndefined();
    for (const f of Object.values(json.resource.aws_lambda_function))
      expect((f as Json).environment.variables.ARCHIVE_PREFIX).toBeUndefined();
    expect(evaluation.findings).toEqual([]);
  });
});

/**
 * Deployer permissions of a stack whose pipelines run in two AWS accounts: each account's policy
 * covers its own resources, scoped to its own ARNs; the environment's account may assume the
 * further account's deploy role; and every resource type of the stack is in the catalog.
 */
import { deployerPermissions } from "../../tools/deployer-permissions";
import { PERMISSION_CATALOG } from "../../tools/deployer/permission-catalog";
import { platformConfig, sharedSynthJson } from "../helpers/synth";

const tf = sharedSynthJson(platformConfig());
const p = deployerPermissions([{ name: "platform-example", json: tf }]);
const policyOf = (account: string) => p.aws.find((a) => a.accountId === account)!.policy;
const resourcesFor = (account: string, action: string) =>
  policyOf(account)
    .Statement.filter((s) => s.Action.includes(action))
    .flatMap((s) => s.Resource);

describe("deployer permissions of pipelines in two AWS accounts", () => {
  it("knows every resource type of the stack (closed world)", () => {
    for (const type of Object.keys(tf.resource)) expect(PERMISSION_CATALOG[type]).toBeDefined();
  });

  it("gives each account the functions that run in it, and only those", () => {
    expect(p.aws.map((a) => a.accountId).sort()).toEqual(["111122223333", "444455556666"]);
    expect(resourcesFor("111122223333", "lambda:CreateFunction")).toEqual([
      "arn:aws:lambda:eu-west-1:111122223333:function:wif-bridge-platform-example-orders",
    ]);
    expect(resourcesFor("444455556666", "lambda:CreateFunction").sort()).toEqual([
      "arn:aws:lambda:eu-west-1:444455556666:function:wif-bridge-platform-example-audit",
      "arn:aws:lambda:eu-west-1:444455556666:function:wif-bridge-platform-example-payments",
    ]);
  });

  it("lets the environment's account assume the further account's deploy role, and nothing more there", () => {
    expect(resourcesFor("111122223333", "sts:AssumeRole")).toEqual([
      "arn:aws:iam::444455556666:role/wif-bridge-deployer",
    ]);
    expect(resourcesFor("444455556666", "sts:GetCallerIdentity")).toEqual(["*"]);
  });

  it("lets the deployer set IAM policies on tables (the table-level grants)", () => {
    const roles = p.google[0].roles.filter((r) =>
      r.neededBy.includes("google_bigquery_table_iam_member"),
    );
    expect(roles.flatMap((r) => r.permissions)).toEqual(
      expect.arrayContaining(["bigquery.tables.getIamPolicy", "bigquery.tables.setIamPolicy"]),
    );
  });
});

import { Aspects, Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { BigqueryTableIamMember } from "@cdktf/provider-google/lib/bigquery-table-iam-member";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { ServiceAccountKey } from "@cdktf/provider-google/lib/service-account-key";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import type { BridgeStack } from "../../stacks/bridge-stack";
import { SecurityRulePack } from "../../stacks/policies/security-rule-pack";
import { suppressRule } from "../../stacks/policies/suppressions";
import { evaluateRulePack, SECURITY_RULES } from "../../stacks/policies/pack";
import { loadConfigDir } from "../../stacks/config";
import { assumedRoleArn } from "../../stacks/federation/attribute-mapping";
import { buildStack, exampleConfig, PROJECT_ROOT } from "../helpers/synth";
import * as path from "node:path";

/** Synthesizes with validations, as `npm run synth` does. */
const synthWithValidations = (stack: TerraformStack) => Testing.synth(stack, true);

function prefixCondition(stack: BridgeStack): void {
  stack.federation.provider.addOverride(
    "attribute_condition",
    `attribute.aws_role.startsWith('${assumedRoleArn(stack.config.names.awsPartition, stack.config.aws.accountId, "wif-bridge-")}')`,
  );
}
function poolWideGrant(stack: BridgeStack): void {
  new ServiceAccountIamMember(stack, "pool-wide", {
    serviceAccountId: stack.identity.serviceAccount!.name,
    role: "roles/iam.workloadIdentityUser",
    member: `principalSet://iam.googleapis.com/${stack.federation.poolName}/*`,
  });
}
function serviceAccountKey(stack: BridgeStack): ServiceAccountKey {
  return new ServiceAccountKey(stack, "leaked-key", {
    serviceAccountId: stack.identity.serviceAccount!.name,
  });
}

function analystGrant(scope: Construct): BigqueryTableIamMember {
  return new BigqueryTableIamMember(scope, "analyst", {
    datasetId: "wif_bridge_example",
    tableId: "events",
    role: "roles/bigquery.dataViewer",
    member: "user:analyst@example.com",
  });
}

describe("the security rule pack at synth", () => {
  it.each(loadConfigDir(path.join(PROJECT_ROOT, "config")).map((c) => [c.environment, c]))(
    "passes every rule for the %s environment",
    (_env, config) => {
      const stack = buildStack(config);
      expect(() => synthWithValidations(stack)).not.toThrow();
      const result = evaluateRulePack(stack.toTerraform());
      expect(result.findings).toEqual([]);
      expect(result.evaluations).toBeGreaterThan(20);
    },
  );

  it("passes every rule in direct access mode", () => {
    const stack = buildStack(exampleConfig({ federation: { accessMode: "direct" } }));
    expect(() => synthWithValidations(stack)).not.toThrow();
  });

  it("aborts synth when the condition becomes a prefix match, naming the provider, WIF1 and the fix", () => {
    const stack = buildStack(exampleConfig());
    prefixCondition(stack);
    expect(() => synthWithValidations(stack)).toThrow(
      /error WIF1 WorkloadIdentityConditionPinsRole at google_iam_workload_identity_pool_provider\.federation_aws-provider_\w+ \(construct example\/federation\/aws-provider\): tests the role with startsWith\(\)[^]*Fix: compare the full ARN by equality/,
    );
  });

  it("aborts synth on a grant to the whole pool (WIF3)", () => {
    const stack = buildStack(exampleConfig());
    poolWideGrant(stack);
    expect(() => synthWithValidations(stack)).toThrow(
      /error WIF3 NoPoolWideGrant at google_service_account_iam_member\.pool-wide \(construct example\/pool-wide\): roles\/iam\.workloadIdentityUser grants to every identity of the pool/,
    );
  });

  it("aborts synth on a google_service_account_key (IAM1)", () => {
    const stack = buildStack(exampleConfig());
    serviceAccountKey(stack);
    expect(() => synthWithValidations(stack)).toThrow(
      /error IAM1 NoServiceAccountKey at google_service_account_key\.leaked-key[^]*Fix: delete the key resource/,
    );
  });

  it("lists every error at once", () => {
    const stack = buildStack(exampleConfig());
    prefixCondition(stack);
    poolWideGrant(stack);
    serviceAccountKey(stack);
    let message = "";
    try {
      synthWithValidations(stack);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/security rule pack: \d+ errors in stack example/);
    for (const rule of ["WIF1", "WIF3", "IAM1"]) expect(message).toContain(`error ${rule} `);
  });

  it("lets a suppression with a reason through, and writes it into the resource's JSON comment", () => {
    const stack = buildStack(exampleConfig());
    const grant = analystGrant(stack);
    suppressRule(grant, "TRUST4", "analysts read the table until 2026-01; tracked in SEC-42");
    expect(() => synthWithValidations(stack)).not.toThrow();
    const tf = stack.toTerraform();
    expect(tf.resource.google_bigquery_table_iam_member.analyst["//"].suppressions).toEqual([
      { rule: "TRUST4", reason: "analysts read the table until 2026-01; tracked in SEC-42" },
    ]);
    expect(evaluateRulePack(tf).suppressed).toMatchObject([
      { ruleId: "TRUST4", address: "google_bigquery_table_iam_member.analyst" },
    ]);
  });

  it("applies a suppression on a scope to the resources below it", () => {
    const stack = buildStack(exampleConfig());
    const scope = new Construct(stack, "analysts");
    analystGrant(scope);
    suppressRule(scope, "TRUST4", "migration window, reviewed by security");
    expect(() => synthWithValidations(stack)).not.toThrow();
  });

  it("refuses to suppress a rule that guards the trust", () => {
    const stack = buildStack(exampleConfig());
    for (const rule of [
      "TRUST1",
      "TRUST2",
      "TRUST3",
      "TRUST5",
      "TRUST6",
      "TRUST7",
      "TRUST8",
      "WIF1",
      "IAM1",
    ]) {
      expect(() => suppressRule(stack, rule, "legacy consumer; tracked in SEC-42")).toThrow(
        new RegExp(`${rule} guards the trust itself .* cannot be suppressed`),
      );
    }
  });

  it("refuses a trust-rule suppression written straight into the JSON comment", () => {
    const stack = buildStack(exampleConfig());
    const key = serviceAccountKey(stack);
    key.addOverride("//.suppressions", [{ rule: "IAM1", reason: "legacy consumer until 2026-01" }]);
    expect(() => synthWithValidations(stack)).toThrow(
      /error SUP1 SuppressionsAreValid at google_service_account_key\.leaked-key[^]*the suppression of IAM1 is refused: IAM1 NoServiceAccountKey guards the trust itself/,
    );
  });

  it("refuses an empty or blank reason written straight into the JSON comment", () => {
    for (const reason of ["", "   ", undefined]) {
      const stack = buildStack(exampleConfig());
      const grant = analystGrant(stack);
      grant.addOverride("//.suppressions", [{ rule: "TRUST4", reason }]);
      expect(() => synthWithValidations(stack)).toThrow(
        /error SUP1 SuppressionsAreValid at google_bigquery_table_iam_member\.analyst[^]*the suppression of TRUST4 is refused: its reason .* is shorter than 10 characters/,
      );
      expect(() => synthWithValidations(stack)).toThrow(
        /error TRUST4 OnlyIntendedGrants at google_bigquery_table_iam_member\.analyst/,
      );
    }
  });

  it("refuses a suppression without a real reason or with an unknown rule id", () => {
    const stack = buildStack(exampleConfig());
    expect(() => suppressRule(stack, "TRUST4", "ok")).toThrow(/reason "ok" is too short/);
    expect(() => suppressRule(stack, "NOPE1", "a long enough reason")).toThrow(
      /unknown rule id "NOPE1"; the pack has TRUST1, TRUST2/,
    );
  });

  it("prints a warning but synthesizes when only a warning rule fires", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "bare");
    const warnings: string[] = [];
    new GoogleProvider(stack, "google", { project: "p" });
    // A bare stack states no trust to evaluate, so the trust rules are left out here.
    const rules = SECURITY_RULES.filter((r) => !r.id.startsWith("TRUST"));
    Aspects.of(stack).add(new SecurityRulePack({ rules, onWarning: (m) => warnings.push(m) }));
    new StorageBucket(stack, "bucket", {
      name: "b",
      location: "EU",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
    });
    expect(() => synthWithValidations(stack)).not.toThrow();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^\[bare\] warning API1 RequiredApisEnabled at google_storage_bucket\.bucket \(construct bare\/bucket\): needs storage\.googleapis\.com/,
      ),
    ]);
  });
});

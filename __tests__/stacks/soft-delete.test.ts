import { Testing, TerraformStack } from "cdktf";
import { FederationIds } from "../../stacks/gcp/federation-ids";
import { all, configProblems, exampleConfig, only, sharedSynthJson } from "../helpers/synth";

describe("pool and provider ids across destroy and re-create (Google's soft delete)", () => {
  describe("without idSuffix (the default, for long-lived environments)", () => {
    const tf = sharedSynthJson(exampleConfig());

    it("deploys the configured ids as they are", () => {
      expect(only(tf, "google_iam_workload_identity_pool").workload_identity_pool_id).toBe(
        "aws-lambda-example",
      );
      expect(
        only(tf, "google_iam_workload_identity_pool_provider").workload_identity_pool_provider_id,
      ).toBe("aws-example");
    });

    it("declares no random provider and no random_id", () => {
      expect(tf.resource.random_id).toBeUndefined();
      expect(tf.provider.random).toBeUndefined();
      expect(tf.terraform.required_providers.random).toBeUndefined();
    });
  });

  describe('with idSuffix "random" (ephemeral environments)', () => {
    const tf = sharedSynthJson(exampleConfig({ federation: { idSuffix: "random" } }));
    const randomIds = Object.entries(tf.resource.random_id ?? {});
    const [address] = randomIds.map(([name]) => `random_id.${name}`);

    it("draws one 2-byte random_id, kept in state, redrawn only when the base ids change", () => {
      expect(randomIds).toHaveLength(1);
      expect(randomIds[0][1]).toEqual({
        byte_length: 2,
        keepers: { pool_id: "aws-lambda-example", provider_id: "aws-example" },
      });
    });

    it("appends its hex to the pool and provider ids", () => {
      expect(only(tf, "google_iam_workload_identity_pool").workload_identity_pool_id).toBe(
        `aws-lambda-example-\${${address}.hex}`,
      );
      expect(
        only(tf, "google_iam_workload_identity_pool_provider").workload_identity_pool_provider_id,
      ).toBe(`aws-example-\${${address}.hex}`);
    });

    it("still nests the provider in the pool and builds the principalSet from the pool's name", () => {
      const provider = only(tf, "google_iam_workload_identity_pool_provider");
      expect(provider.workload_identity_pool_id).toMatch(
        /^\$\{google_iam_workload_identity_pool\.[^}]+\.workload_identity_pool_id\}$/,
      );
      expect(only(tf, "google_service_account_iam_member").member).toMatch(
        /^principalSet:\/\/iam\.googleapis\.com\/\$\{google_iam_workload_identity_pool\.[^}]+\.name\}\/attribute\.aws_role\//,
      );
    });

    it("names the provider by its base id in the console", () => {
      expect(only(tf, "google_iam_workload_identity_pool_provider").display_name).toBe(
        "aws-example",
      );
    });

    it("declares the hashicorp/random provider so terraform init fetches it", () => {
      // Pinned to the release @cdktf/provider-random 12.0.1 was generated from, like aws and google.
      expect(tf.terraform.required_providers.random).toEqual({
        source: "hashicorp/random",
        version: "3.7.2",
      });
      expect(tf.provider.random).toEqual([{}]);
    });

    it("changes nothing else in the trust: same condition and account pin", () => {
      const provider = only(tf, "google_iam_workload_identity_pool_provider");
      expect(provider.aws).toEqual({ account_id: "111122223333" });
      expect(provider.attribute_condition).toBe(
        only(sharedSynthJson(exampleConfig()), "google_iam_workload_identity_pool_provider")
          .attribute_condition,
      );
    });
  });

  it("renders the random_id in HCL output too (cdktf's synth --hcl)", () => {
    const stack = new TerraformStack(Testing.app(), "hcl");
    new FederationIds(stack, "ids", {
      poolId: "aws-lambda-dev",
      providerId: "aws-dev",
      idSuffix: "random",
    });
    const hcl: string = Testing.synthHcl(stack);
    expect(hcl).toMatch(/resource "random_id" "ids_random-suffix_[0-9A-F]+" \{\s+byte_length = 2/);
    expect(hcl).toMatch(/pool_id\s+= "aws-lambda-dev"/);
  });

  describe('with a fixed idSuffix ("r2", bumped by hand on re-create)', () => {
    const tf = sharedSynthJson(exampleConfig({ federation: { idSuffix: "r2" } }));

    it("appends it to both ids and needs no random provider", () => {
      expect(only(tf, "google_iam_workload_identity_pool").workload_identity_pool_id).toBe(
        "aws-lambda-example-r2",
      );
      expect(
        only(tf, "google_iam_workload_identity_pool_provider").workload_identity_pool_provider_id,
      ).toBe("aws-example-r2");
      expect(all(tf, "random_id")).toHaveLength(0);
      expect(tf.terraform.required_providers.random).toBeUndefined();
    });
  });

  describe("id length stays within Google's 4-32 characters", () => {
    it("accepts a 27-character pool id with the random suffix (27 + 5 = 32)", () => {
      const config = exampleConfig({
        federation: { poolId: "p".repeat(27), idSuffix: "random" },
      });
      expect(config.federation.poolId).toHaveLength(27);
    });

    it("rejects a 28-character pool id with the random suffix, saying how short it must be", () => {
      const problems = configProblems({
        federation: { poolId: "p".repeat(28), idSuffix: "random" },
      });
      expect(problems).toHaveLength(1);
      expect(problems[0].field).toBe("federation.poolId");
      expect(problems[0].message).toMatch(
        /with idSuffix "random" \(5 more characters\) this id would be 33 characters; Google allows 32\. Shorten federation\.poolId to at most 27/,
      );
    });

    it("counts a fixed suffix by its own length, on the provider id too", () => {
      const problems = configProblems({
        federation: { providerId: "q".repeat(26), idSuffix: "abcdef" },
      });
      expect(problems.map((p) => p.field)).toEqual(["federation.providerId"]);
      expect(problems[0].message).toMatch(/at most 25/);
    });

    it.each([["R2"], ["has-dash"], ["toolongsuffix"], [""]])(
      "rejects idSuffix %j with the expected form",
      (idSuffix) => {
        const problems = configProblems({ federation: { idSuffix } });
        expect(problems).toHaveLength(1);
        expect(problems[0].field).toBe("federation.idSuffix");
        expect(problems[0].message).toMatch(/"random" or a fixed suffix of 1-8 characters/);
      },
    );

    it("the construct refuses an over-long id on its own, too", () => {
      const stack = new TerraformStack(Testing.app(), "ids");
      expect(
        () =>
          new FederationIds(stack, "ids", {
            poolId: "p".repeat(28),
            providerId: "aws-dev",
            idSuffix: "random",
          }),
      ).toThrow(/pool id "p{28}" with idSuffix "random" would be 33 characters.*at most 27/);
    });
  });
});

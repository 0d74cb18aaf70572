import { exampleConfig, only, sharedSynthJson, type Json } from "../helpers/synth";
import { DEFAULT_IAM_PROPAGATION_WAIT_SECONDS } from "../../stacks/config";

/** The `depends_on` of a resource as bare addresses. */
function dependsOn(resource: Json): string[] {
  return resource.depends_on ?? [];
}

function addressesOf(tf: Json, type: string): string[] {
  return Object.keys(tf.resource?.[type] ?? {}).map((name) => `${type}.${name}`);
}

describe("the wait between the Google grants and the SQS trigger", () => {
  const tf = sharedSynthJson(exampleConfig());
  const sleep = only(tf, "time_sleep");
  const [sleepAddress] = addressesOf(tf, "time_sleep");

  it("waits Google's documented 7 minutes by default", () => {
    expect(DEFAULT_IAM_PROPAGATION_WAIT_SECONDS).toBe(420);
    expect(sleep.create_duration).toBe("420s");
  });

  it("starts only after every Google grant and the pool provider exist", () => {
    expect(dependsOn(sleep).sort()).toEqual(
      [
        ...addressesOf(tf, "google_iam_workload_identity_pool_provider"),
        ...addressesOf(tf, "google_service_account_iam_member"),
        ...addressesOf(tf, "google_bigquery_table_iam_member"),
        ...addressesOf(tf, "google_storage_bucket_iam_member"),
      ].sort(),
    );
  });

  it("holds back the event source mapping until the wait is over", () => {
    const mapping = only(tf, "aws_lambda_event_source_mapping");
    expect(dependsOn(mapping)).toContain(sleepAddress);
  });

  it("follows the data grant on the principalSet in direct mode", () => {
    const direct = sharedSynthJson(
      exampleConfig({ federation: { accessMode: "direct", serviceAccountId: undefined } }),
    );
    expect(addressesOf(direct, "google_service_account_iam_member")).toEqual([]);
    expect(dependsOn(only(direct, "time_sleep"))).toEqual(
      expect.arrayContaining(addressesOf(direct, "google_bigquery_table_iam_member")),
    );
  });

  it("takes its length from deploy.iamPropagationWaitSeconds", () => {
    const tf90 = sharedSynthJson(exampleConfig({ deploy: { iamPropagationWaitSeconds: 90 } }));
    expect(only(tf90, "time_sleep").create_duration).toBe("90s");
  });

  it("is left out, with the time provider, when the wait is 0", () => {
    const none = sharedSynthJson(exampleConfig({ deploy: { iamPropagationWaitSeconds: 0 } }));
    expect(none.resource.time_sleep).toBeUndefined();
    expect(none.provider.time).toBeUndefined();
    expect(none.terraform.required_providers.time).toBeUndefined();
    expect(dependsOn(only(none, "aws_lambda_event_source_mapping"))).toHaveLength(1);
  });

  it("declares hashicorp/time, pinned like the other providers", () => {
    expect(tf.terraform.required_providers.time).toEqual({
      source: "hashicorp/time",
      version: "0.13.1",
    });
    expect(tf.provider.time).toEqual([{}]);
  });
});

import { resolveStateBackend } from "../../stacks/state-backend";
import { configProblems, exampleConfig, sharedSynthJson } from "../helpers/synth";

function backendOf(patch: unknown) {
  return sharedSynthJson(exampleConfig(patch)).terraform.backend;
}

describe("state backend", () => {
  describe("local (the default)", () => {
    it("keeps state in the project root, one file per environment, by a relative path", () => {
      expect(backendOf({})).toEqual({ local: { path: "../../../terraform.example.tfstate" } });
      expect(backendOf({ environment: "preview-7" })).toEqual({
        local: { path: "../../../terraform.preview-7.tfstate" },
      });
    });

    it("takes a configured relative path", () => {
      expect(
        backendOf({ state: { backend: "local", path: "../../../state/example.tfstate" } }),
      ).toEqual({
        local: { path: "../../../state/example.tfstate" },
      });
    });

    it("refuses an absolute path, which would make the synthesized JSON machine-specific", () => {
      const problems = configProblems({
        state: { backend: "local", path: "/var/tf/example.tfstate" },
      });
      expect(problems).toHaveLength(1);
      expect(problems[0].field).toBe("state.path");
      expect(problems[0].message).toMatch(/relative path/);
    });
  });

  describe("s3", () => {
    it("defaults the key per environment, the region to aws.region, encryption and lock file on", () => {
      expect(backendOf({ state: { backend: "s3", bucket: "acme-terraform-state" } })).toEqual({
        s3: {
          bucket: "acme-terraform-state",
          key: "wif-bridge/example.tfstate",
          region: "eu-west-1",
          encrypt: true,
          use_lockfile: true,
        },
      });
    });

    it("takes an explicit key, region, encryption and locking", () => {
      expect(
        backendOf({
          state: {
            backend: "s3",
            bucket: "acme.state.eu",
            key: "platform/wif/example.tfstate",
            region: "us-east-1",
            encrypt: false,
            useLockfile: false,
          },
        }),
      ).toEqual({
        s3: {
          bucket: "acme.state.eu",
          key: "platform/wif/example.tfstate",
          region: "us-east-1",
          encrypt: false,
          use_lockfile: false,
        },
      });
    });

    it("requires Terraform/OpenTofu 1.11 when the lock file is on, since older releases lack use_lockfile", () => {
      const tf = sharedSynthJson(
        exampleConfig({ state: { backend: "s3", bucket: "acme-terraform-state" } }),
      );
      expect(tf.terraform.required_version).toBe(">= 1.11.0");
    });

    it("requires no particular version with the lock file off", () => {
      const tf = sharedSynthJson(
        exampleConfig({
          state: { backend: "s3", bucket: "acme-terraform-state", useLockfile: false },
        }),
      );
      expect(tf.terraform.required_version).toBeUndefined();
    });

    it("writes no DynamoDB lock table: the lock file replaces it", () => {
      const s3 = backendOf({ state: { backend: "s3", bucket: "acme-terraform-state" } }).s3;
      expect(s3.dynamodb_table).toBeUndefined();
    });
  });

  it.each([
    ["local", {}],
    ["gcs", { state: { backend: "gcs", bucket: "acme-terraform-state" } }],
  ])("requires no particular Terraform version for the %s backend", (_name, patch) => {
    expect(sharedSynthJson(exampleConfig(patch)).terraform.required_version).toBeUndefined();
  });

  describe("gcs", () => {
    it("defaults the prefix per environment", () => {
      expect(backendOf({ state: { backend: "gcs", bucket: "acme-terraform-state" } })).toEqual({
        gcs: { bucket: "acme-terraform-state", prefix: "wif-bridge/example" },
      });
    });

    it("takes an explicit prefix", () => {
      expect(
        backendOf({ state: { backend: "gcs", bucket: "acme-tf", prefix: "teams/platform/wif" } }),
      ).toEqual({ gcs: { bucket: "acme-tf", prefix: "teams/platform/wif" } });
    });
  });

  it("gives two environments sharing a bucket different state objects", () => {
    const state = { backend: "s3", bucket: "acme-terraform-state" };
    const dev = resolveStateBackend(exampleConfig({ environment: "dev", state }));
    const prod = resolveStateBackend(exampleConfig({ environment: "prod", state }));
    expect(dev).toMatchObject({ key: "wif-bridge/dev.tfstate" });
    expect(prod).toMatchObject({ key: "wif-bridge/prod.tfstate" });
  });

  describe("a bad backend config gets a clear error", () => {
    it.each([
      [{ backend: "ftp" }, "state.backend", /"local" \(default\), "s3" or "gcs"/],
      [{ bucket: "acme-terraform-state" }, "state.backend", /"local" \(default\), "s3" or "gcs"/],
      [{ backend: "s3" }, "state.bucket", /name of the S3 bucket that holds state/],
      [{ backend: "s3", bucket: "Acme_State" }, "state.bucket", /S3 bucket name of 3-63/],
      [{ backend: "s3", bucket: "acme..state" }, "state.bucket", /without "\.\."/],
      [{ backend: "s3", bucket: "192.168.1.10" }, "state.bucket", /not an IP address/],
      [{ backend: "s3", bucket: "acme-state", region: "Europe" }, "state.region", /AWS region/],
      [{ backend: "s3", bucket: "acme-state", key: "/wif/dev.tfstate" }, "state.key", /leading/],
      [{ backend: "s3", bucket: "acme-state", useLockfile: "yes" }, "state.useLockfile", /boolean/],
      [{ backend: "s3", bucket: "acme-state", prefix: "x" }, "state", /remove "prefix"/],
      [{ backend: "gcs" }, "state.bucket", /name of the GCS bucket that holds state/],
      [{ backend: "gcs", bucket: "google-state" }, "state.bucket", /"goog"/],
      [{ backend: "gcs", bucket: "acme-state", prefix: "wif//dev" }, "state.prefix", /"\/\/"/],
      [{ backend: "gcs", bucket: "acme-state", key: "x" }, "state", /remove "key"/],
    ])("rejects state %j at %s", (state, field, message) => {
      const problems = configProblems({ state });
      expect(problems).toHaveLength(1);
      expect(problems[0].field).toBe(field);
      expect(problems[0].message).toMatch(message);
    });

    it("names the file and the bad value", () => {
      expect(() =>
        exampleConfig({ state: { backend: "s3", bucket: "acme-state", region: "Europe" } }),
      ).toThrow(
        /config\/example\.json is invalid \(1 problem\):\n {2}- state\.region: got "Europe"; expected an AWS region/,
      );
    });
  });
});

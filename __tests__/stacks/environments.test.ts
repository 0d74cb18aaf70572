import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig, loadConfigDir } from "../../stacks/config";
import { assertDistinctEnvironments } from "../../stacks/environments";
import { synthArgv } from "../../tools/synth-command";
import { exampleConfig, only, PROJECT_ROOT, sharedSynthJson } from "../helpers/synth";

const configDir = path.join(PROJECT_ROOT, "config");
const configFiles = fs
  .readdirSync(configDir)
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("environments (one stack per config/*.json)", () => {
  it("ships dev, example and prod", () => {
    expect(configFiles).toEqual(expect.arrayContaining(["dev.json", "example.json", "prod.json"]));
  });

  describe.each(configFiles)("config/%s", (file) => {
    const config = loadConfig(path.join(configDir, file));
    const tf = sharedSynthJson(config);

    it("matches its reviewed snapshot", () => {
      expect(tf).toMatchSnapshot();
    });

    it("is named after its file", () => {
      expect(`${config.environment}.json`).toBe(file);
    });

    it("uses full provider sources, which Terraform and OpenTofu both resolve", () => {
      for (const [name, spec] of Object.entries(
        tf.terraform.required_providers as Record<string, { source: string }>,
      )) {
        expect(spec.source).toBe(`hashicorp/${name}`);
      }
      expect(tf.terraform.required_providers.aws.source).toBe("hashicorp/aws");
      expect(tf.terraform.required_providers.google.source).toBe("hashicorp/google");
    });
  });

  describe("dev and prod differ by configuration, not by code", () => {
    const dev = loadConfig(path.join(configDir, "dev.json"));
    const prod = loadConfig(path.join(configDir, "prod.json"));
    const devTf = sharedSynthJson(dev);
    const prodTf = sharedSynthJson(prod);

    it("give every named resource distinct names", () => {
      const namesOf = (tf: ReturnType<typeof sharedSynthJson>) => [
        only(tf, "aws_lambda_function").function_name,
        only(tf, "aws_iam_role").name,
        only(tf, "google_bigquery_dataset").dataset_id,
        only(tf, "google_storage_bucket").name,
        only(tf, "google_service_account").account_id,
      ];
      const devNames = namesOf(devTf);
      for (const name of namesOf(prodTf)) expect(devNames).not.toContain(name);
      expect(dev.federation.poolId).not.toBe(prod.federation.poolId);
      expect(dev.federation.providerId).not.toBe(prod.federation.providerId);
    });

    it("protects prod's data and keeps its logs for a year", () => {
      expect(only(prodTf, "google_bigquery_table").deletion_protection).toBe(true);
      expect(only(prodTf, "google_bigquery_dataset").delete_contents_on_destroy).toBe(false);
      expect(only(prodTf, "google_storage_bucket").force_destroy).toBe(false);
      expect(only(prodTf, "aws_cloudwatch_log_group").retention_in_days).toBe(365);
      expect(only(prodTf, "aws_lambda_function").memory_size).toBe(512);
    });

    it("keeps prod's ids stable and gives dev a random suffix, so dev can be destroyed and recreated", () => {
      expect(only(prodTf, "google_iam_workload_identity_pool").workload_identity_pool_id).toBe(
        "aws-lambda-prod",
      );
      expect(prodTf.resource.random_id).toBeUndefined();
      expect(only(devTf, "google_iam_workload_identity_pool").workload_identity_pool_id).toMatch(
        /^aws-lambda-dev-\$\{random_id\.[^}]+\.hex\}$/,
      );
    });

    it("keeps dev state in GCS and prod state in S3 with a lock file", () => {
      expect(devTf.terraform.backend).toEqual({
        gcs: { bucket: "acme-wif-bridge-tfstate-dev", prefix: "wif-bridge/dev" },
      });
      expect(prodTf.terraform.backend.s3).toMatchObject({
        bucket: "acme-wif-bridge-tfstate",
        key: "wif-bridge/prod.tfstate",
        encrypt: true,
        use_lockfile: true,
      });
    });
  });

  describe("checks across files", () => {
    it("accepts the shipped files", () => {
      expect(() => assertDistinctEnvironments(loadConfigDir(configDir))).not.toThrow();
    });

    it("refuses two files with the same environment name, naming both files", () => {
      const a = { ...exampleConfig(), source: "config/example.json" };
      const b = { ...exampleConfig(), source: "config/example-copy.json" };
      expect(() => assertDistinctEnvironments([a, b])).toThrow(
        'config/example.json and config/example-copy.json both declare environment "example"; each file becomes a stack named after its environment: rename one',
      );
    });

    it("refuses two environments that would share one state file", () => {
      const state = { backend: "s3", bucket: "acme-state", key: "wif.tfstate" };
      const dev = { ...exampleConfig({ environment: "dev", state }), source: "config/dev.json" };
      const qa = { ...exampleConfig({ environment: "qa", state }), source: "config/qa.json" };
      expect(() => assertDistinctEnvironments([dev, qa])).toThrow(
        /config\/dev\.json \(dev\) and config\/qa\.json \(qa\) both keep state in s3:\/\/acme-state\/wif\.tfstate/,
      );
    });

    it("main.ts stops with that error before writing anything", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-dupenv-"));
      fs.mkdirSync(path.join(dir, "config"));
      const example = fs.readFileSync(path.join(configDir, "example.json"), "utf8");
      fs.writeFileSync(path.join(dir, "config", "a.json"), example);
      fs.writeFileSync(path.join(dir, "config", "b.json"), example);
      let stderr = "";
      try {
        const [node, ...args] = synthArgv();
        execFileSync(node, args, {
          cwd: dir,
          env: {
            ...process.env,
            CDKTF_OUTDIR: path.join(dir, "out"),
            WIF_BRIDGE_CONFIG_DIR: path.join(dir, "config"),
          },
          stdio: "pipe",
        });
      } catch (err) {
        stderr = String((err as { stderr: Buffer }).stderr);
      }
      expect(stderr).toContain(
        'config/a.json and config/b.json both declare environment "example"',
      );
      expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    });
  });
});

/**
 * A fake `terraform apply` of a synthesized cdk.tf.json: every resource's arguments with the
 * `${type.name.attr}` references resolved, computed attributes (pool and provider resource
 * names with the project number, service account emails, ARNs) filled with the values Google
 * and AWS would compute. The emulator enforces what this state says; nothing is re-typed.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { awsArn, awsDnsSuffix, awsPartitionOf } from "../stacks/federation/partition";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfValue = any;

export interface FakeApplyOptions {
  /** The Google project number (config `gcp.projectNumber`). @default derived from the project id */
  readonly projectNumber?: string;
  /**
   * Resource addresses (`type.name`) treated as never applied, e.g. an IAM grant deleted out
   * of band. @default none
   */
  readonly withoutResources?: readonly string[];
}

export interface AppliedResource {
  readonly type: string;
  readonly name: string;
  /** `type.name` */
  readonly address: string;
  /** Arguments with every reference resolved, plus the attributes the provider computes. */
  readonly values: Record<string, TfValue>;
}

const REFERENCE = /\$\{([^}]*)\}/g;
const IGNORED_KEYS = new Set(["//", "depends_on", "lifecycle", "provider", "count", "for_each"]);

/** A deterministic fake number for things the cloud assigns (unique ids, project numbers). */
function fakeNumber(seed: string, digits: number): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  const n = BigInt(`0x${hex.slice(0, 24)}`) % 10n ** BigInt(digits);
  return (n + 10n ** BigInt(digits - 1)).toString().slice(0, digits);
}

/** A stable UUID-shaped id from a seed (KMS key ids, subscription ids). */
function fakeUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export class AppliedStack {
  /** Directory of cdk.tf.json: asset paths in it are relative to this. */
  readonly stackDir: string;
  readonly projectNumber: string;
  readonly googleProject: string;
  readonly awsAccountId: string;
  readonly awsRegion: string;
  private readonly raw: Record<string, Record<string, TfValue>>;
  private readonly resolved = new Map<string, AppliedResource>();
  private readonly resolving = new Set<string>();
  private readonly omitted: ReadonlySet<string>;

  static fromFile(cdkTfJson: string, options: FakeApplyOptions = {}): AppliedStack {
    const tf = JSON.parse(fs.readFileSync(cdkTfJson, "utf8"));
    return new AppliedStack(tf, path.dirname(cdkTfJson), options);
  }

  constructor(tf: TfValue, stackDir: string, options: FakeApplyOptions = {}) {
    this.stackDir = stackDir;
    this.raw = tf.resource ?? {};
    this.omitted = new Set(options.withoutResources ?? []);
    for (const address of this.omitted) {
      const [type, name] = address.split(".");
      if (!this.raw[type]?.[name]) {
        throw new Error(
          `withoutResources names ${address}, which the stack does not have; use a type.name address from cdk.tf.json`,
        );
      }
    }
    const google = [tf.provider?.google ?? []].flat()[0] ?? {};
    const aws = [tf.provider?.aws ?? []].flat()[0] ?? {};
    this.googleProject = google.project ?? "";
    this.awsAccountId = aws.allowed_account_ids?.[0] ?? "000000000000";
    this.awsRegion = aws.region ?? "us-east-1";
    this.projectNumber = options.projectNumber ?? fakeNumber(this.googleProject, 12);
    for (const [type, byName] of Object.entries(this.raw)) {
      for (const name of Object.keys(byName)) {
        if (!this.omitted.has(`${type}.${name}`)) this.resource(type, name);
      }
    }
  }

  /** Every applied resource of one type. */
  resourcesOf(type: string): AppliedResource[] {
    return [...this.resolved.values()].filter((r) => r.type === type);
  }

  /** The single applied resource of a type, with a clear error when there is none or several. */
  only(type: string): AppliedResource {
    const found = this.resourcesOf(type);
    if (found.length !== 1) {
      throw new Error(`the stack has ${found.length} ${type} resources; expected exactly one`);
    }
    return found[0];
  }

  /** Resolves `${...}` references inside any string, list or object. */
  resolve(value: TfValue): TfValue {
    if (typeof value === "string") return this.resolveString(value);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value && typeof value === "object") {
      const out: Record<string, TfValue> = {};
      for (const [k, v] of Object.entries(value)) {
        if (!IGNORED_KEYS.has(k)) out[k] = this.resolve(v);
      }
      return out;
    }
    return value;
  }

  private resolveString(text: string): string {
    return text.replace(REFERENCE, (_, expression: string) => {
      const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)$/.exec(expression.trim());
      if (!m) {
        throw new Error(
          `cannot resolve Terraform expression \${${expression}}: the fake apply supports only type.name.attribute references`,
        );
      }
      return String(this.attribute(m[1], m[2], m[3]));
    });
  }

  private resource(type: string, name: string): AppliedResource {
    const address = `${type}.${name}`;
    const done = this.resolved.get(address);
    if (done) return done;
    if (this.omitted.has(address) || !this.raw[type]?.[name]) {
      throw new Error(`reference to ${address}, which is not in the applied stack`);
    }
    if (this.resolving.has(address)) throw new Error(`reference cycle through ${address}`);
    this.resolving.add(address);
    const args = this.resolve(this.raw[type][name]);
    const applied = { type, name, address, values: { ...args, ...this.computed(type, args) } };
    this.resolving.delete(address);
    this.resolved.set(address, applied);
    return applied;
  }

  private attribute(type: string, name: string, attr: string): TfValue {
    const { values } = this.resource(type, name);
    if (values[attr] !== undefined) return values[attr];
    throw new Error(
      `the fake apply cannot compute ${type}.${name}.${attr}; add it to AppliedStack.computed()`,
    );
  }

  /** Attributes the providers compute, as Google and AWS would. */
  private computed(type: string, v: Record<string, TfValue>): Record<string, TfValue> {
    const project = v.project ?? this.googleProject;
    const account = this.awsAccountId;
    const region = this.awsRegion;
    const partition = awsPartitionOf(region);
    const poolsPrefix = `projects/${this.projectNumber}/locations/global/workloadIdentityPools`;
    switch (type) {
      case "google_iam_workload_identity_pool":
        return {
          name: `${poolsPrefix}/${v.workload_identity_pool_id}`,
          id: `projects/${project}/locations/global/workloadIdentityPools/${v.workload_identity_pool_id}`,
          state: "ACTIVE",
        };
      case "google_iam_workload_identity_pool_provider":
        return {
          name: `${poolsPrefix}/${v.workload_identity_pool_id}/providers/${v.workload_identity_pool_provider_id}`,
          state: "ACTIVE",
        };
      case "google_service_account": {
        const email = `${v.account_id}@${project}.iam.gserviceaccount.com`;
        const name = `projects/${project}/serviceAccounts/${email}`;
        return {
          email,
          name,
          id: name,
          member: `serviceAccount:${email}`,
          unique_id: fakeNumber(email, 21),
        };
      }
      case "google_bigquery_dataset":
        return { id: `projects/${project}/datasets/${v.dataset_id}`, project };
      case "google_bigquery_table":
        return { id: `projects/${project}/datasets/${v.dataset_id}/tables/${v.table_id}`, project };
      case "google_storage_bucket":
        return { id: v.name, url: `gs://${v.name}`, self_link: `storage/v1/b/${v.name}` };
      case "aws_iam_role":
        return {
          arn: awsArn({
            partition,
            service: "iam",
            account,
            resource: `role${v.path ?? "/"}${v.name}`,
          }),
          id: v.name,
          unique_id: `AROA${fakeNumber(v.name, 17)}`,
        };
      case "aws_iam_role_policy":
        return { id: `${v.role}:${v.name}` };
      case "aws_cloudwatch_log_group":
        return {
          arn: awsArn({
            partition,
            service: "logs",
            region,
            account,
            resource: `log-group:${v.name}`,
          }),
          id: v.name,
        };
      case "aws_lambda_function":
        return {
          arn: awsArn({
            partition,
            service: "lambda",
            region,
            account,
            resource: `function:${v.function_name}`,
          }),
          id: v.function_name,
        };
      case "aws_kms_key": {
        const keyId = fakeUuid(`${account}:${v.description ?? ""}`);
        const arn = awsArn({
          partition,
          service: "kms",
          region,
          account,
          resource: `key/${keyId}`,
        });
        return { arn, key_id: keyId, id: keyId };
      }
      case "aws_kms_alias":
        return {
          arn: awsArn({ partition, service: "kms", region, account, resource: String(v.name) }),
          id: v.name,
        };
      case "aws_sns_topic": {
        const arn = awsArn({
          partition,
          service: "sns",
          region,
          account,
          resource: String(v.name),
        });
        return { arn, id: arn };
      }
      case "aws_sns_topic_subscription":
        return { arn: `${v.topic_arn}:${fakeUuid(`${v.protocol}:${v.endpoint}`)}` };
      case "aws_cloudwatch_metric_alarm":
        return {
          arn: awsArn({
            partition,
            service: "cloudwatch",
            region,
            account,
            resource: `alarm:${v.alarm_name}`,
          }),
          id: v.alarm_name,
        };
      case "aws_sqs_queue":
        return {
          arn: awsArn({ partition, service: "sqs", region, account, resource: v.name }),
          url: `https://sqs.${region}.${awsDnsSuffix(partition)}/${account}/${v.name}`,
          id: `https://sqs.${region}.${awsDnsSuffix(partition)}/${account}/${v.name}`,
        };
      default:
        return {};
    }
  }
}

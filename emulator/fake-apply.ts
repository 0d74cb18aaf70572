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
  /**
   * The outputs of another stack of the app, for cdktf cross-stack references
   * (`data.terraform_remote_state.cross-stack-reference-input-STACK.outputs.NAME`).
   * @default none: a cross-stack reference is an error
   */
  readonly remoteOutputs?: (stackName: string) => Record<string, TfValue>;
}

/** What the emulator reads from applied resources, whether of one stack or of several. */
export interface AppliedResources {
  readonly googleProject: string;
  resourcesOf(type: string): AppliedResource[];
}

export interface AppliedResource {
  readonly type: string;
  readonly name: string;
  /** `type.name` */
  readonly address: string;
  /** Arguments with every reference resolved, plus the attributes the provider computes. */
  readonly values: Record<string, TfValue>;
  /** The AWS account and region of the resource's aws provider (its alias, or the default). */
  readonly awsAccountId: string;
  readonly awsRegion: string;
}

interface AwsProviderSettings {
  readonly accountId: string;
  readonly region: string;
}

const REFERENCE = /\$\{([^}]*)\}/g;
const RESOURCE_REFERENCE = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)$/;
const DATA_REFERENCE = /^data\.([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)$/;
const REMOTE_OUTPUT_REFERENCE =
  /^data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/;
/** cdktf names the data source of a cross-stack reference after the producing stack. */
const CROSS_STACK_INPUT = /^cross-stack-reference-input-(.+)$/;
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

export class AppliedStack implements AppliedResources {
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
  private readonly data: Record<string, Record<string, TfValue>>;
  private readonly outputs: Record<string, TfValue>;
  private readonly awsProviders = new Map<string, AwsProviderSettings>();
  private readonly remoteOutputs?: FakeApplyOptions["remoteOutputs"];

  static fromFile(cdkTfJson: string, options: FakeApplyOptions = {}): AppliedStack {
    const tf = JSON.parse(fs.readFileSync(cdkTfJson, "utf8"));
    return new AppliedStack(tf, path.dirname(cdkTfJson), options);
  }

  constructor(tf: TfValue, stackDir: string, options: FakeApplyOptions = {}) {
    this.stackDir = stackDir;
    this.raw = tf.resource ?? {};
    this.data = tf.data ?? {};
    this.outputs = tf.output ?? {};
    this.remoteOutputs = options.remoteOutputs;
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
    const awsProviders: TfValue[] = [tf.provider?.aws ?? []].flat();
    const aws = awsProviders.find((p) => !p.alias) ?? awsProviders[0] ?? {};
    this.googleProject = google.project ?? "";
    this.awsAccountId = aws.allowed_account_ids?.[0] ?? "000000000000";
    this.awsRegion = aws.region ?? "us-east-1";
    for (const p of awsProviders) {
      // An alias deploys into the account it is pinned to, or else the one whose role it assumes.
      const assumed = /^arn:[^:]+:iam::(\d{12}):/.exec(
        [p.assume_role ?? []].flat()[0]?.role_arn ?? "",
      );
      this.awsProviders.set(p.alias ? `aws.${p.alias}` : "aws", {
        accountId: p.allowed_account_ids?.[0] ?? assumed?.[1] ?? this.awsAccountId,
        region: p.region ?? this.awsRegion,
      });
    }
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

  /** The stack's outputs (`output.NAME.value`), resolved: what a cross-stack reference reads. */
  outputValues(): Record<string, TfValue> {
    const out: Record<string, TfValue> = {};
    for (const [name, output] of Object.entries(this.outputs))
      out[name] = this.resolve(output.value);
    return out;
  }

  private resolveString(text: string): TfValue {
    // A whole-string reference keeps its type (a list or an object from another stack).
    const whole = /^\$\{([^}]*)\}$/.exec(text);
    if (whole) return this.evaluate(whole[1].trim());
    return text.replace(REFERENCE, (_, expression: string) =>
      String(this.evaluate(expression.trim())),
    );
  }

  private evaluate(expression: string): TfValue {
    const remote = REMOTE_OUTPUT_REFERENCE.exec(expression);
    if (remote) return this.remoteOutput(remote[1], remote[2]);
    const data = DATA_REFERENCE.exec(expression);
    if (data) return this.dataAttribute(data[1], data[2], data[3]);
    const m = RESOURCE_REFERENCE.exec(expression);
    if (!m) {
      throw new Error(
        `cannot resolve Terraform expression \${${expression}}: the fake apply supports only type.name.attribute, data.google_iam_policy and cross-stack references`,
      );
    }
    return this.attribute(m[1], m[2], m[3]);
  }

  private remoteOutput(dataSourceName: string, output: string): TfValue {
    const stack = CROSS_STACK_INPUT.exec(dataSourceName)?.[1];
    if (!stack || !this.remoteOutputs) {
      throw new Error(
        `data.terraform_remote_state.${dataSourceName} reads another stack; apply the stacks together with AppliedApp`,
      );
    }
    const outputs = this.remoteOutputs(stack);
    if (!(output in outputs)) {
      throw new Error(`stack ${stack} has no output ${output} (read by ${dataSourceName})`);
    }
    return outputs[output];
  }

  /** Data sources the emulator can compute offline: google_iam_policy's policy_data. */
  private dataAttribute(type: string, name: string, attr: string): TfValue {
    const raw = this.data[type]?.[name];
    if (!raw) throw new Error(`reference to data.${type}.${name}, which the stack does not have`);
    if (type === "google_iam_policy" && attr === "policy_data") {
      const config = this.resolve(raw);
      const bindings = ([] as TfValue[]).concat(config.binding ?? []).map((b) => {
        const condition = [b.condition ?? []].flat()[0];
        return { role: b.role, members: b.members ?? [], ...(condition ? { condition } : {}) };
      });
      return JSON.stringify({ bindings });
    }
    throw new Error(`the fake apply cannot compute data.${type}.${name}.${attr}`);
  }

  private awsProviderOf(type: string, name: string): AwsProviderSettings {
    const alias = this.raw[type]?.[name]?.provider as string | undefined;
    const settings = alias?.startsWith("aws")
      ? this.awsProviders.get(alias.replace(/^\$\{|\}$/g, ""))
      : undefined;
    if (alias?.startsWith("aws") && !settings) {
      throw new Error(
        `${type}.${name} names provider ${alias}, which the stack does not configure`,
      );
    }
    return settings ?? { accountId: this.awsAccountId, region: this.awsRegion };
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
    const aws = this.awsProviderOf(type, name);
    const applied = {
      type,
      name,
      address,
      values: { ...args, ...this.computed(type, args, aws) },
      awsAccountId: aws.accountId,
      awsRegion: aws.region,
    };
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
  private computed(
    type: string,
    v: Record<string, TfValue>,
    aws: AwsProviderSettings,
  ): Record<string, TfValue> {
    const project = v.project ?? this.googleProject;
    const account = aws.accountId;
    const region = aws.region;
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

/**
 * Several stacks of one app applied together (e.g. one Google stack and one AWS stack per
 * account), cross-stack references resolved from the producing stack's outputs. The emulator
 * reads the union of their resources.
 */
export class AppliedApp implements AppliedResources {
  readonly stacks = new Map<string, AppliedStack>();
  private readonly applying = new Set<string>();

  /** `stackFiles`: stack name (the directory under cdktf.out/stacks) -> its cdk.tf.json. */
  static fromFiles(
    stackFiles: Readonly<Record<string, string>>,
    options: Omit<FakeApplyOptions, "remoteOutputs"> = {},
  ): AppliedApp {
    const stacks: Record<string, { tf: TfValue; dir: string }> = {};
    for (const [name, file] of Object.entries(stackFiles)) {
      stacks[name] = { tf: JSON.parse(fs.readFileSync(file, "utf8")), dir: path.dirname(file) };
    }
    return new AppliedApp(stacks, options);
  }

  constructor(
    private readonly raw: Readonly<Record<string, { tf: TfValue; dir: string }>>,
    private readonly options: Omit<FakeApplyOptions, "remoteOutputs"> = {},
  ) {
    const names = Object.keys(raw);
    if (names.length === 0) throw new Error("AppliedApp needs at least one stack");
    for (const address of options.withoutResources ?? []) {
      const [type, resource] = address.split(".");
      if (!names.some((n) => raw[n].tf.resource?.[type]?.[resource] !== undefined)) {
        throw new Error(
          `withoutResources names ${address}, which no stack has; use a type.name address from a cdk.tf.json`,
        );
      }
    }
    for (const name of names) this.stack(name);
  }

  /** One applied stack by name, applying the stacks it reads first. */
  stack(name: string): AppliedStack {
    const done = this.stacks.get(name);
    if (done) return done;
    const raw = this.raw[name];
    if (!raw) {
      throw new Error(
        `a cross-stack reference reads stack ${name}, which is not among ${Object.keys(this.raw).join(", ")}`,
      );
    }
    if (this.applying.has(name)) throw new Error(`cross-stack reference cycle through ${name}`);
    this.applying.add(name);
    const omitted = (this.options.withoutResources ?? []).filter((a) => {
      const [type, resource] = a.split(".");
      return raw.tf.resource?.[type]?.[resource] !== undefined;
    });
    const stack = new AppliedStack(raw.tf, raw.dir, {
      ...this.options,
      withoutResources: omitted,
      remoteOutputs: (producer) => this.stack(producer).outputValues(),
    });
    this.applying.delete(name);
    this.stacks.set(name, stack);
    return stack;
  }

  /** The Google project: that of the first stack that configures one. */
  get googleProject(): string {
    return [...this.stacks.values()].find((s) => s.googleProject)?.googleProject ?? "";
  }

  resourcesOf(type: string): AppliedResource[] {
    return [...this.stacks.values()].flatMap((s) => s.resourcesOf(type));
  }

  /** The stack that holds a resource address. */
  stackOf(address: string): AppliedStack {
    const found = [...this.stacks.values()].find((s) =>
      s.resourcesOf(address.split(".")[0]).some((r) => r.address === address),
    );
    if (!found) throw new Error(`no stack of the app has ${address}`);
    return found;
  }
}

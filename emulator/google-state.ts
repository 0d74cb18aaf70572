/**
 * The Google resources of an applied stack, indexed the way the emulated APIs look them up:
 * pool providers by audience, service accounts by email, datasets/tables/buckets by name,
 * and the IAM grants on each (`_iam_member`, `_iam_binding` and `_iam_policy` resources, with
 * their IAM conditions; project-level ones too). Several stacks of one app read as one.
 */
import type { AppliedResource, AppliedResources, TfValue } from "./fake-apply";
import type { Binding } from "./iam";
import { readCondition } from "./iam-conditions";
import type { TableField } from "../stacks/schema/table-schema";
import { GOOGLE_DEFAULT_AWS_MAPPING } from "../stacks/federation/attribute-mapping";

export interface PoolProvider {
  readonly address: string;
  /** `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER` */
  readonly name: string;
  readonly poolName: string;
  readonly audience: string;
  readonly disabled: boolean;
  /** `aws.account_id`; undefined for a non-AWS provider. */
  readonly awsAccountId?: string;
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
}

export interface ServiceAccountState {
  readonly email: string;
  readonly project: string;
  readonly disabled: boolean;
  readonly bindings: readonly Binding[];
}

export interface TableState {
  readonly project: string;
  readonly datasetId: string;
  readonly tableId: string;
  readonly schema: readonly TableField[];
  readonly timePartitioning?: TfValue;
  /** Table-level grants (google_bigquery_table_iam_*). */
  readonly bindings: readonly Binding[];
}

export interface DatasetState {
  readonly project: string;
  readonly datasetId: string;
  readonly bindings: readonly Binding[];
}

export interface BucketState {
  readonly name: string;
  readonly bindings: readonly Binding[];
}

/**
 * The grants on one resource, from its `google_X_iam_member`, `_iam_binding` and `_iam_policy`
 * resources (`prefix` is `google_X_iam`), each with its IAM condition if it has one.
 */
function bindingsFrom(
  stack: AppliedResources,
  prefix: string,
  belongsHere: (values: Record<string, TfValue>) => boolean,
): Binding[] {
  const out: Binding[] = [];
  for (const r of stack.resourcesOf(`${prefix}_member`)) {
    if (belongsHere(r.values)) out.push(binding(r.values.role, r.values.member, r, r.values));
  }
  for (const r of stack.resourcesOf(`${prefix}_binding`)) {
    if (!belongsHere(r.values)) continue;
    for (const member of r.values.members ?? [])
      out.push(binding(r.values.role, member, r, r.values));
  }
  for (const r of stack.resourcesOf(`${prefix}_policy`)) {
    if (!belongsHere(r.values)) continue;
    let policy: TfValue;
    try {
      policy = JSON.parse(r.values.policy_data);
    } catch {
      throw new Error(`${r.address}: policy_data is not JSON: ${String(r.values.policy_data)}`);
    }
    for (const b of policy.bindings ?? []) {
      for (const member of b.members ?? []) out.push(binding(b.role, member, r, b));
    }
  }
  return out;
}

function binding(
  role: string,
  member: string,
  source: AppliedResource,
  withCondition: TfValue,
): Binding {
  const condition = readCondition(withCondition.condition);
  return { role, member, source: source.address, ...(condition ? { condition } : {}) };
}

/** A table IAM resource's table_id: the plain id, or `projects/P/datasets/D/tables/T`. */
function tableIdOf(values: Record<string, TfValue>): string {
  return String(values.table_id).split("/").pop()!;
}

export class GoogleState {
  readonly providers: readonly PoolProvider[];
  readonly projectBindings: readonly Binding[];
  private readonly serviceAccounts = new Map<string, ServiceAccountState>();
  private readonly datasets = new Map<string, DatasetState>();
  private readonly tables = new Map<string, TableState>();
  private readonly buckets = new Map<string, BucketState>();

  constructor(readonly stack: AppliedResources) {
    const pools = new Map(
      stack
        .resourcesOf("google_iam_workload_identity_pool")
        .map((p) => [p.values.workload_identity_pool_id as string, p]),
    );
    this.providers = stack
      .resourcesOf("google_iam_workload_identity_pool_provider")
      .map((r) => this.provider(r, pools.get(r.values.workload_identity_pool_id)));
    this.projectBindings = bindingsFrom(
      stack,
      "google_project_iam",
      (v) => (v.project ?? stack.googleProject) === stack.googleProject,
    );

    for (const sa of stack.resourcesOf("google_service_account")) {
      const email = sa.values.email as string;
      this.serviceAccounts.set(email, {
        email,
        project: sa.values.project ?? stack.googleProject,
        disabled: sa.values.disabled === true,
        bindings: bindingsFrom(
          stack,
          "google_service_account_iam",
          (v) => v.service_account_id === sa.values.name || v.service_account_id === email,
        ),
      });
    }
    for (const ds of stack.resourcesOf("google_bigquery_dataset")) {
      const project = ds.values.project ?? stack.googleProject;
      const datasetId = ds.values.dataset_id as string;
      this.datasets.set(`${project}/${datasetId}`, {
        project,
        datasetId,
        bindings: bindingsFrom(
          stack,
          "google_bigquery_dataset_iam",
          (v) => v.dataset_id === datasetId && (v.project ?? stack.googleProject) === project,
        ),
      });
    }
    for (const t of stack.resourcesOf("google_bigquery_table")) {
      const project = t.values.project ?? stack.googleProject;
      const datasetId = t.values.dataset_id as string;
      const tableId = t.values.table_id as string;
      this.tables.set(`${project}/${datasetId}/${tableId}`, {
        project,
        datasetId,
        tableId,
        schema: JSON.parse(t.values.schema ?? "[]"),
        timePartitioning: t.values.time_partitioning,
        bindings: bindingsFrom(
          stack,
          "google_bigquery_table_iam",
          (v) =>
            v.dataset_id === datasetId &&
            tableIdOf(v) === tableId &&
            (v.project ?? stack.googleProject) === project,
        ),
      });
    }
    for (const b of stack.resourcesOf("google_storage_bucket")) {
      const name = b.values.name as string;
      this.buckets.set(name, {
        name,
        bindings: bindingsFrom(
          stack,
          "google_storage_bucket_iam",
          (v) => String(v.bucket).replace(/^b\//, "") === name,
        ),
      });
    }
  }

  private provider(r: AppliedResource, pool: AppliedResource | undefined): PoolProvider {
    if (!pool) {
      throw new Error(
        `${r.address} names pool ${r.values.workload_identity_pool_id}, which the stack does not create`,
      );
    }
    return {
      address: r.address,
      name: r.values.name,
      poolName: pool.values.name,
      audience: `//iam.googleapis.com/${r.values.name}`,
      disabled: r.values.disabled === true || pool.values.disabled === true,
      awsAccountId: r.values.aws?.account_id,
      // A custom mapping replaces Google's default whole; no mapping means the default.
      attributeMapping:
        r.values.attribute_mapping && Object.keys(r.values.attribute_mapping).length > 0
          ? r.values.attribute_mapping
          : GOOGLE_DEFAULT_AWS_MAPPING,
      attributeCondition: r.values.attribute_condition || undefined,
    };
  }

  /** The provider an audience names; Google accepts it with or without the `https:` scheme. */
  providerForAudience(audience: string): PoolProvider | undefined {
    const normalized = audience.replace(/^https:/, "");
    return this.providers.find((p) => p.audience === normalized);
  }

  serviceAccount(email: string): ServiceAccountState | undefined {
    return this.serviceAccounts.get(email);
  }

  dataset(project: string, datasetId: string): DatasetState | undefined {
    return this.datasets.get(`${project}/${datasetId}`);
  }

  table(project: string, datasetId: string, tableId: string): TableState | undefined {
    return this.tables.get(`${project}/${datasetId}/${tableId}`);
  }

  tablesOf(project: string, datasetId: string): TableState[] {
    return [...this.tables.values()].filter(
      (t) => t.project === project && t.datasetId === datasetId,
    );
  }

  bucket(name: string): BucketState | undefined {
    return this.buckets.get(name);
  }
}

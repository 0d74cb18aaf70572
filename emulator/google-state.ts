/**
 * The Google resources of an applied stack, indexed the way the emulated APIs look them up:
 * pool providers by audience, service accounts by email, datasets/tables/buckets by name,
 * and the IAM grants on each (member resources and bindings, project-level ones too).
 */
import type { AppliedResource, AppliedStack, TfValue } from "./fake-apply";
import type { Binding } from "./iam";
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
  readonly disabled: boolean;
  readonly bindings: readonly Binding[];
}

export interface TableState {
  readonly project: string;
  readonly datasetId: string;
  readonly tableId: string;
  readonly schema: readonly TableField[];
  readonly timePartitioning?: TfValue;
  /** Table-level IAM (google_bigquery_table_iam_member/binding): how a pipeline is granted its table. */
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

function bindingsFrom(
  stack: AppliedStack,
  memberType: string,
  bindingType: string,
  belongsHere: (values: Record<string, TfValue>) => boolean,
): Binding[] {
  const out: Binding[] = [];
  for (const r of stack.resourcesOf(memberType)) {
    if (belongsHere(r.values))
      out.push({ role: r.values.role, member: r.values.member, source: r.address });
  }
  for (const r of stack.resourcesOf(bindingType)) {
    if (!belongsHere(r.values)) continue;
    for (const member of r.values.members ?? [])
      out.push({ role: r.values.role, member, source: r.address });
  }
  return out;
}

export class GoogleState {
  readonly providers: readonly PoolProvider[];
  readonly projectBindings: readonly Binding[];
  private readonly serviceAccounts = new Map<string, ServiceAccountState>();
  private readonly datasets = new Map<string, DatasetState>();
  private readonly tables = new Map<string, TableState>();
  private readonly buckets = new Map<string, BucketState>();

  constructor(readonly stack: AppliedStack) {
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
      "google_project_iam_member",
      "google_project_iam_binding",
      (v) => (v.project ?? stack.googleProject) === stack.googleProject,
    );

    for (const sa of stack.resourcesOf("google_service_account")) {
      const email = sa.values.email as string;
      this.serviceAccounts.set(email, {
        email,
        disabled: sa.values.disabled === true,
        bindings: bindingsFrom(
          stack,
          "google_service_account_iam_member",
          "google_service_account_iam_binding",
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
          "google_bigquery_dataset_iam_member",
          "google_bigquery_dataset_iam_binding",
          (v) => v.dataset_id === datasetId && (v.project ?? stack.googleProject) === project,
        ),
      });
    }
    for (const t of stack.resourcesOf("google_bigquery_table")) {
      const project = t.values.project ?? stack.googleProject;
      this.tables.set(`${project}/${t.values.dataset_id}/${t.values.table_id}`, {
        project,
        datasetId: t.values.dataset_id,
        tableId: t.values.table_id,
        schema: JSON.parse(t.values.schema ?? "[]"),
        timePartitioning: t.values.time_partitioning,
        bindings: bindingsFrom(
          stack,
          "google_bigquery_table_iam_member",
          "google_bigquery_table_iam_binding",
          (v) =>
            v.dataset_id === t.values.dataset_id &&
            v.table_id === t.values.table_id &&
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
          "google_storage_bucket_iam_member",
          "google_storage_bucket_iam_binding",
          (v) => v.bucket === name,
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

  bucket(name: string): BucketState | undefined {
    return this.buckets.get(name);
  }
}

/**
 * The table a pipeline's Lambda writes to (in a dataset of its own, or one it shares), with
 * the table's schema and partitioning from the config, and table-level write access for
 * exactly the members granted: never the dataset, so a pipeline reaches no other table.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { BigqueryDataset } from "@cdktf/provider-google/lib/bigquery-dataset";
import { BigqueryTable } from "@cdktf/provider-google/lib/bigquery-table";
import { BigqueryTableIamMember } from "@cdktf/provider-google/lib/bigquery-table-iam-member";
import { toBigQuerySchemaJson, type TableField } from "../schema/table-schema";

/**
 * Insert rows (bigquery.tables.updateData), granted on the table alone. The Lambda's one
 * BigQuery call is tabledata.insertAll, which BigQuery authorizes on the table; it needs no
 * dataset permission (no datasets.get: the table's path is in its environment).
 */
export const BIGQUERY_WRITER_ROLE = "roles/bigquery.dataEditor";

export interface BigQueryDestinationProps {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
  readonly location: string;
  /** A dataset another construct created (shared by several pipelines). @default a dataset of its own */
  readonly dataset?: BigqueryDataset;
  readonly schema: readonly TableField[];
  /** @default no partitioning */
  readonly partitioning?: { field: string; type: string; expirationDays?: number };
  /** Table deletion protection; when off, destroy also drops the dataset's contents. @default true */
  readonly deletionProtection?: boolean;
  /** @default none */
  readonly labels?: Record<string, string>;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/** A dataset of wif-bridge tables; with deletion protection off, destroy drops its contents. */
export function bridgeDataset(
  scope: Construct,
  id: string,
  props: Pick<
    BigQueryDestinationProps,
    "projectId" | "datasetId" | "location" | "labels" | "dependsOn"
  > & {
    readonly deletionProtection?: boolean;
  },
): BigqueryDataset {
  return new BigqueryDataset(scope, id, {
    project: props.projectId,
    datasetId: props.datasetId,
    location: props.location,
    labels: props.labels,
    deleteContentsOnDestroy: !(props.deletionProtection ?? true),
    description: "Rows written by the wif-bridge Lambda",
    dependsOn: props.dependsOn,
  });
}

export class BigQueryDestination extends Construct {
  readonly dataset: BigqueryDataset;
  readonly table: BigqueryTable;
  readonly datasetId: string;
  readonly tableId: string;

  constructor(scope: Construct, id: string, props: BigQueryDestinationProps) {
    super(scope, id);
    const protect = props.deletionProtection ?? true;
    this.dataset = props.dataset ?? bridgeDataset(this, "dataset", props);
    this.table = new BigqueryTable(this, "table", {
      project: props.projectId,
      datasetId: this.dataset.datasetId,
      tableId: props.tableId,
      schema: toBigQuerySchemaJson(props.schema),
      labels: props.labels,
      deletionProtection: protect,
      timePartitioning: props.partitioning
        ? {
            type: props.partitioning.type,
            field: props.partitioning.field,
            expirationMs: props.partitioning.expirationDays
              ? props.partitioning.expirationDays * 86_400_000
              : undefined,
          }
        : undefined,
    });
    this.datasetId = props.datasetId;
    this.tableId = props.tableId;
  }

  /** Table-level write access (insertAll) for one member: this table, no other. */
  grantInsert(member: string): BigqueryTableIamMember {
    return new BigqueryTableIamMember(this, "writer", {
      project: this.table.project,
      datasetId: this.table.datasetId,
      tableId: this.table.tableId,
      role: BIGQUERY_WRITER_ROLE,
      member,
    });
  }
}

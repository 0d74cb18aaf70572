/**
 * The dataset and table the Lambda writes to, with the table's schema and partitioning from
 * the config, and dataset-level write access for exactly the members granted.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { BigqueryDataset } from "@cdktf/provider-google/lib/bigquery-dataset";
import { BigqueryDatasetIamMember } from "@cdktf/provider-google/lib/bigquery-dataset-iam-member";
import { BigqueryTable } from "@cdktf/provider-google/lib/bigquery-table";
import { bigQueryDatasetMember } from "../federation/principals";
import { toBigQuerySchemaJson, type TableField } from "../schema/table-schema";

/** Insert rows into tables (bigquery.tables.updateData) and nothing at project level. */
export const BIGQUERY_WRITER_ROLE = "roles/bigquery.dataEditor";

export interface BigQueryDestinationProps {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
  readonly location: string;
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

export class BigQueryDestination extends Construct {
  readonly dataset: BigqueryDataset;
  readonly table: BigqueryTable;
  readonly datasetId: string;
  readonly tableId: string;

  constructor(scope: Construct, id: string, props: BigQueryDestinationProps) {
    super(scope, id);
    const protect = props.deletionProtection ?? true;
    this.dataset = new BigqueryDataset(this, "dataset", {
      project: props.projectId,
      datasetId: props.datasetId,
      location: props.location,
      labels: props.labels,
      deleteContentsOnDestroy: !protect,
      description: "Rows written by the wif-bridge Lambda",
      dependsOn: props.dependsOn,
    });
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

  /** Dataset-level write access (insertAll) for one member. */
  grantInsert(member: string): BigqueryDatasetIamMember {
    return new BigqueryDatasetIamMember(this, "writer", {
      project: this.dataset.project,
      datasetId: this.dataset.datasetId,
      role: BIGQUERY_WRITER_ROLE,
      member: bigQueryDatasetMember(member),
    });
  }
}
